"""Attachments: the logs, screenshots, HAR exports and traces a ticket or a comment carries.

- Who may see one follows its ticket and comment: an integrator sees only its organisation's tickets
  (opened or billed, `support.tickets.service.get_ticket`) and, on them, no file of an internal comment; anything else
  is the same 404 as a missing attachment.
- Content is stored once per sha256 (`AttachmentBlob`, reference-counted) behind a `BlobStore`
  (storage.py): a directory under TRIPDESK_DATA_DIR, or chunked rows in the database.
- Type comes from the content (detect.py); executables and archives holding them are refused.

Other packages (the email intake) call `service.store_attachment`.
"""
