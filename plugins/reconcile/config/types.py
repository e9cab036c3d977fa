"""The building blocks of the configuration's models: a strict section, number types, and the
error a validator raises for a key that is not one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainValidator
from pydantic_core import PydanticCustomError

from reconcile.errors import ConfigError


class InvalidConfig(ConfigError, ValueError):
    """The configuration does not validate: the message names the file, the dotted key, what
    is wrong and, for a misspelt key, the nearest valid one. A ``ValueError`` too, as the
    limits' check always raised (callers that wrap it keep working)."""


class Section(BaseModel):
    """A section of the configuration: an unknown key is refused (a misspelt option would
    otherwise leave the default in force while the agency believes it changed), a value of
    the wrong type is refused rather than converted ("40" is no number), and it cannot be
    changed once read."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("number_type", "expected a number")
    return value


# A number kept as written: an int stays an int, a float a float (the defaults' own types).
Number = Annotated[int | float, PlainValidator(_number)]


def unknown_key(path: Iterable[str], valid: Iterable[str]) -> PydanticCustomError:
    """The error for a key found at ``path`` (below the validated value) that is none of
    ``valid``: reported like pydantic's own unknown keys, with the nearest valid one."""
    return PydanticCustomError(
        "unknown_key",
        "unknown key",
        {"path": ".".join(str(part) for part in path), "valid": ", ".join(valid)},
    )
