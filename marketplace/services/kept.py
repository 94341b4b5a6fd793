"""Values a worker process reuses for a few seconds instead of reading them on every page.

Some reads are the same for every request and change rarely: the cities with something on
sale, the maintenance rules, the number of matches of a browse filter. A `Kept` holds such
values per key (the engine is always part of it) for `ttl` seconds. A change this process
flushes to one of its `models` drops everything it holds at once, and again when that change
is committed or rolled back (what was read in between is not kept); a change made by another
process (another worker, the CLI) shows within `ttl`.
"""

import threading
import time
from collections.abc import Callable, Hashable

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db

ALL: list["Kept"] = []  # every Kept of the app


class Kept:
    def __init__(self, name: str, ttl: float, models: tuple[type, ...], max_keys: int = 64):
        self.name, self.ttl, self.models, self.max_keys = name, ttl, models, max_keys
        self.generation = 0
        self._values: dict[Hashable, tuple[float, int, object]] = {}
        self._lock = threading.Lock()
        ALL.append(self)

    def get(self, key: Hashable, read: Callable[[], object]):
        """The value kept for `key` on this database, or what `read()` returns (then kept)."""
        key = (db.session.get_bind(), key)
        now = time.monotonic()
        found = self._values.get(key)
        if found is not None and now - found[0] < self.ttl and found[1] == self.generation:
            return found[2]
        generation = self.generation
        value = read()
        with self._lock:
            if len(self._values) >= self.max_keys:
                self._values.clear()
            self._values[key] = (now, generation, value)
        return value

    def changed(self) -> None:
        self.generation += 1


@event.listens_for(Session, "after_flush")
def _flushed(session, flush_context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    for kept in ALL:
        if any(isinstance(o, kept.models) for o in changed):
            kept.changed()
            session.info.setdefault("kept_changed", set()).add(kept.name)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _settled(session) -> None:
    names = session.info.pop("kept_changed", ())
    for kept in ALL:
        if kept.name in names:
            kept.changed()
