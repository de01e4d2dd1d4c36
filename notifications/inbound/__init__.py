"""Mail into tripdesk: IMAP fetching (imap.py), parsing and loop safety (parse.py), claims so that several
fetchers process each message once (fetcher.py), held messages and failing addresses (service.py). What a
message becomes (a comment, a ticket) is decided by the handler the composition root registers."""
