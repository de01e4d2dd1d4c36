"""The packages' hooks, wired together: the one place where one package's event reaches another's code."""

from __future__ import annotations


def install_hooks() -> None:
    """Wire the packages' hooks (billing's issue → invoices' documents and email; the receipt's context at
    delivery into the outbox; inbound mail → support's conversations). Idempotent; the app and every command call it."""
    import billing.hooks
    import invoices.hooks
    from support import mail_conversations, notify

    billing.hooks.install()
    invoices.hooks.install()
    notify.install()
    mail_conversations.install()
