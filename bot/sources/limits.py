"""Bounds shared by fetching and parsing (no imports: every process can load it)."""

MAX_ITEMS = 1000  # entries kept from one feed document: the newest
