"""A lock kept in the warehouse, so that two runs never write the same published files at once.

The warehouse is the one thing every worker of a deployment shares (an output folder may be
on a network share where file locks do not hold), so a lock is a row of ``lock``: inserting it
takes it, the primary key refuses a second holder, deleting it gives it back. A holder that died
without giving it back (its worker killed) leaves the row; after ``stale_after`` it is taken
over, with a warning.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from reconcile.errors import Locked
from reconcile.warehouse import schema as t

log = logging.getLogger(__name__)

DEFAULT_STALE_AFTER = timedelta(minutes=60)


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@contextmanager
def held(
    engine: Engine,
    name: str,
    holder: str | None = None,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
) -> Iterator[None]:
    """Hold the lock ``name`` for the block; ``Locked`` (retryable) if another holder has it."""
    holder = holder or this_process()
    _take(engine, name, holder, stale_after)
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(delete(t.lock).where(t.lock.c.name == name, t.lock.c.holder == holder))


def _take(engine: Engine, name: str, holder: str, stale_after: timedelta) -> None:
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            conn.execute(insert(t.lock).values(name=name, holder=holder, acquired_at=now))
        return
    except IntegrityError:
        pass
    with engine.begin() as conn:
        current = conn.execute(select(t.lock).where(t.lock.c.name == name)).first()
        if current is None:  # given back in between: try once more
            conn.execute(insert(t.lock).values(name=name, holder=holder, acquired_at=now))
            return
        since = current.acquired_at
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        if now - since < stale_after:
            raise Locked(
                f"{name} is being written by {current.holder} since {since:%Y-%m-%d %H:%M} UTC; "
                f"this run waits for it (a retry), or, if that run died, the lock is taken over "
                f"{int(stale_after.total_seconds() // 60)} minutes after it was taken"
            )
        taken = conn.execute(
            update(t.lock)
            .where(t.lock.c.name == name, t.lock.c.acquired_at == current.acquired_at)
            .values(holder=holder, acquired_at=now)
        ).rowcount
        if not taken:
            raise Locked(f"{name} was taken over by another run at the same moment; retry")
        log.warning(
            "lock %s held by %s since %s looked abandoned: taken over", name, current.holder, since
        )
