"""Money: rate cards, prepaid hours, billability, reports, invoice runs, the invoice ledger and numbering."""
