"""The partner programme (SPEC §4): TRIP registration, documentation access, authorised-partner agreements
(the right to resell) and interface change notices."""
