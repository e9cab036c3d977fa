"""The warehouse: table definitions and the few functions that read and write them."""
