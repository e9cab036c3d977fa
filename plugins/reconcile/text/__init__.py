"""Vietnamese text: Unicode, diacritics, legal forms, addresses, tax codes, administrative units."""
