"""pydantic's ``ValidationError`` as the agency reads it: one line per fault, each naming the
file, the dotted key (``matching.blocking.max_blok_size``), what is wrong and, for a key that
is not one, the nearest valid key (difflib) and the keys there are."""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from reconcile.config.types import InvalidConfig

UNKNOWN = ("extra_forbidden", "unexpected_keyword_argument")


def config_error(exc: ValidationError, root: type[BaseModel], source: str | None) -> InvalidConfig:
    """``exc`` (from validating ``root``) as an ``InvalidConfig`` naming ``source`` (the file)."""
    where = f"{source}: " if source else ""
    lines = dict.fromkeys(where + describe(error, root) for error in exc.errors())
    return InvalidConfig("\n".join(lines))


def describe(error: ErrorDetails, root: type[BaseModel]) -> str:
    # list indexes and union members are left out: "provinces: 83 is the old code of ..."
    loc = [part for part in error["loc"] if isinstance(part, str)]
    context = error.get("ctx") or {}
    if error["type"] == "unknown_key":
        path = loc + str(context["path"]).split(".")
        valid = [key for key in str(context["valid"]).split(", ") if key]
        return _unknown(path, valid)
    if error["type"] in UNKNOWN:
        return _unknown(loc, keys_at(root, loc[:-1]))
    key = ".".join(loc) or "the top level"
    if error["type"] == "value_error":
        return f"{key}: {context.get('error')}"
    if error["type"] == "missing":
        return f"{key}: missing (every key of {'.'.join(loc[:-1]) or 'it'} must be given)"
    message = error["msg"]
    return f"{key}: {message[:1].lower()}{message[1:]}, not {error['input']!r}"


def _unknown(path: list[str], valid: list[str]) -> str:
    name = path[-1] if path else "?"
    close = difflib.get_close_matches(name, valid, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    section = ".".join(path[:-1])
    there = f" of {section}" if section else ""
    return f"{'.'.join(path)}: unknown key {name!r}{hint}; the keys{there} are {', '.join(valid)}"


def keys_at(root: type[BaseModel], path: list[str]) -> list[str]:
    """The keys valid at ``path`` of the model ``root`` (empty when not known)."""
    kind: Any = root
    for part in path:
        kind = _child(kind, part)
        if kind is None:
            return []
    own = getattr(kind, "config_keys", None)
    if callable(own):
        return list(own())
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return list(kind.model_fields)
    if dataclasses.is_dataclass(kind):
        return [item.name for item in dataclasses.fields(kind)]
    return []


def _child(kind: Any, name: str) -> Any:
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        field = kind.model_fields.get(name)
        if field is None:
            extra = getattr(kind, "extra_kind", None)
            return extra() if callable(extra) else None
        return _model_of(field.annotation)
    if dataclasses.is_dataclass(kind):
        return None
    return None


def _model_of(annotation: Any) -> Any:
    """The model or dataclass inside ``X``, ``X | None`` or ``Annotated[X, ...]``."""
    if isinstance(annotation, type) and (
        issubclass(annotation, BaseModel) or dataclasses.is_dataclass(annotation)
    ):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated or origin is typing.Union or origin is types.UnionType:
        for inner in typing.get_args(annotation):
            found = _model_of(inner)
            if found is not None:
                return found
    return None
