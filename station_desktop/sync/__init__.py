"""Moving the change log between installations on USB sticks (Qt-free).

`keys`: an installation's signing and encryption keys and the key card others trust;
`bundle`: the file format (signed, then encrypted; read as a stream, checked completely
before anything is written); `entries`: change-log entries as they travel, and their
checks; `merge`: a record's state as a function of the set of its entries (heads,
conflicts); `ledger`: which changes an installation holds (version vectors, gaps).
Services call these; they never call services.
"""
