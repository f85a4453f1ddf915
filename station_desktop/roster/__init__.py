"""Rosters from the stations' spreadsheets: reading workbooks and CSV files, finding the
row of column headings, guessing which column is which, and reading cells as people type
them. Qt-free and storage-free: `services.roster_import` plans and writes the import."""
