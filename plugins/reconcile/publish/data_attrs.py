"""``data-*`` attributes for HTML and SVG built in Python: the numbers a page carries for tests
and tools, beside the ones a reader sees.

Values are escaped; a name is refused unless it is a plain lower-case word, because escaping
keeps a value inside its quotes but cannot make ``x onload=...`` a safe attribute name.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

__all__ = ["data_attrs"]

_ATTRIBUTE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def data_attrs(attrs: dict[str, Any]) -> Markup:
    """`` data-key="value"`` for each item (``None`` as empty, a float with six decimals)."""
    parts = []
    for key, value in attrs.items():
        if not _ATTRIBUTE_NAME.match(str(key)):
            raise ValueError(f"not a data attribute name: {key!r}")
        if value is None:
            value = ""
        elif isinstance(value, float):
            value = f"{value:.6f}"
        parts.append(f' data-{escape(key)}="{escape(value)}"')
    return Markup("".join(parts))
