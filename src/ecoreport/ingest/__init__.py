"""Getting new data in: spreadsheet import and fetch from public statistics services."""
