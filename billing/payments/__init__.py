"""Getting paid: incoming payments from the bank's files, matched to invoices by OCR reference.

bgmax.py parses Bankgirot's BgMax file (strict, whole file or nothing); matching.py decides what one payment
does to one invoice; service.py imports a file once, in one transaction; balances.py says what is still owed.
The ledger (billing/ledger.py `record_payment`) is the one place an invoice's payment is recorded.
"""
