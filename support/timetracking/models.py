"""Tables of this package (filled in by its issue)."""
