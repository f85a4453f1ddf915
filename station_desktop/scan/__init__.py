"""Reading scanned paper forms back (Qt-free; services call it, it never calls them)."""
