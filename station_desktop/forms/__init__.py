"""Form specifications: each standard form declared once (see `spec`)."""
