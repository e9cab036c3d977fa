"""Who may sign in, what each may see and do, and the checks behind the sign-in form.

Users come from a YAML or JSON file (or a mapping, in tests)::

    users:
      an:
        name: "Nguyễn Văn An"        # shown on the pages and stored with a decision
        role: inspector              # inspector | viewer | admin
        provinces: ["82"]            # an admin may leave this out: every province
        password_hash: "scrypt:..."  # werkzeug.security.generate_password_hash

Passwords are never stored, only their werkzeug hashes. Every POST form carries a token tied
to the session (``csrf_token``), checked in constant time.

Inside Airflow (``airflow_auth.py``) Airflow says who is signed in: the same file maps Airflow
user names to a role and provinces, ``password_hash`` is not needed there (and is ignored), and
``adopt`` mirrors that user into the session so the form tokens work as they do outside.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from werkzeug.security import check_password_hash, generate_password_hash

Role = Literal["inspector", "viewer", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
SESSION_USER = "user"
SESSION_CSRF = "csrf"
# checked against when the user name is unknown, so a wrong name takes as long as a wrong password
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


USERS_ENV = "RECONCILE_WEB_USERS"  # the users file, for serve and inside Airflow alike


class UsersError(ValueError):
    """The users file (or mapping) is not usable: which user, and what is wrong."""


@dataclass(frozen=True)
class User:
    username: str
    name: str
    role: Role
    provinces: frozenset[str]
    password_hash: str

    @property
    def all_provinces(self) -> bool:
        return self.role == "admin"

    @property
    def can_decide(self) -> bool:
        return self.role in ("inspector", "admin")

    @property
    def sees_personal_data(self) -> bool:
        return self.role == "admin"

    def may_see(self, province: str) -> bool:
        return self.all_provinces or province in self.provinces


def _user(username: str, body: Any, passwords: bool = True) -> User:
    if not isinstance(body, Mapping):
        raise UsersError(f"user {username!r}: expected a mapping of name, role, provinces, hash")
    role = body.get("role")
    if role not in ROLES:
        raise UsersError(f"user {username!r}: role {role!r} is not one of {', '.join(ROLES)}")
    password_hash = body.get("password_hash") if passwords else ""
    if passwords and (not isinstance(password_hash, str) or "$" not in password_hash):
        raise UsersError(
            f"user {username!r}: password_hash missing or not a werkzeug hash "
            "(make one with werkzeug.security.generate_password_hash)"
        )
    provinces = body.get("provinces") or []
    if isinstance(provinces, str | int):
        provinces = [provinces]
    if not isinstance(provinces, list):
        raise UsersError(f"user {username!r}: provinces must be a list of province codes")
    codes = frozenset(str(code).zfill(2) for code in provinces)
    if role != "admin" and not codes:
        raise UsersError(f"user {username!r}: a {role} needs at least one province")
    name = body.get("name") or username
    return User(str(username), str(name), role, codes, str(password_hash))


def load_users(
    source: Path | str | Mapping[str, Any], *, passwords: bool = True
) -> dict[str, User]:
    """Users by user name, from a YAML/JSON file or a mapping; a clear error when invalid.

    ``passwords=False`` when another system signs users in (Airflow): no hash is needed, and
    any hash given is ignored (no one can sign in with the form then).
    """
    if isinstance(source, Mapping):
        raw: Any = source
    else:
        path = Path(source)
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    if isinstance(raw, Mapping) and "users" in raw:
        raw = raw["users"]
    if not isinstance(raw, Mapping) or not raw:
        raise UsersError("users: expected a non-empty mapping of user name -> user")
    return {str(username): _user(str(username), body, passwords) for username, body in raw.items()}


def authenticate(users: Mapping[str, User], username: str, password: str) -> User | None:
    """The user when the password matches their hash, else None (same work either way)."""
    user = users.get(username)
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def csrf_token(session: dict[str, Any]) -> str:
    """The session's form token, made on first use."""
    token = session.get(SESSION_CSRF)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_CSRF] = token
    return token


def csrf_ok(session: dict[str, Any], submitted: object) -> bool:
    expected = session.get(SESSION_CSRF)
    if not isinstance(expected, str) or not expected or not isinstance(submitted, str):
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())


def sign_in(session: dict[str, Any], user: User) -> None:
    """A fresh session for ``user``: nothing from before sign-in survives (fixation)."""
    session.clear()
    session[SESSION_USER] = user.username
    session[SESSION_CSRF] = secrets.token_urlsafe(32)


def signed_in(session: dict[str, Any], users: Mapping[str, User]) -> User | None:
    username = session.get(SESSION_USER)
    return users.get(username) if isinstance(username, str) else None


def adopt(session: dict[str, Any], user: User) -> None:
    """Mirror a user signed in elsewhere (by Airflow) into the session: a fresh session, with a
    fresh form token, whenever the user differs from the session's."""
    if session.get(SESSION_USER) != user.username:
        sign_in(session, user)


class SignInThrottle:
    """Failed sign-ins remembered per user name: after ``limit`` within ``window`` seconds,
    that name is refused until the oldest of them is ``window`` seconds old. Per name rather
    than per address, so that guessing one user's password from many machines is slowed as
    much as from one; in memory, per process (``serve`` runs one). No kept library for this is
    installed, and it is a few lines."""

    def __init__(self, limit: int = 5, window: float = 900.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, name: str, now: float) -> list[float]:
        kept = [t for t in self._failures.get(name.lower(), []) if now - t < self.window]
        self._failures[name.lower()] = kept
        return kept

    def wait(self, name: str, now: float) -> float:
        """Seconds before ``name`` may try again (0: now)."""
        with self._lock:
            recent = self._recent(name, now)
            return max(0.0, recent[0] + self.window - now) if len(recent) >= self.limit else 0.0

    def failed(self, name: str, now: float) -> None:
        with self._lock:
            self._recent(name, now).append(now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name.lower(), None)
