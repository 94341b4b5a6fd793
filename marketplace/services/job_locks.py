"""Leases that keep a scheduled job to one run at a time, across processes and hosts.

A lease is a row per job taken by a conditional update (free, or its lease ran out), so it
works the same on SQLite and PostgreSQL, and a run that died frees the job when its lease
ends. These are CLI batch jobs: each change is committed at once so other runs see it.
"""

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import JobLock


def holder_name() -> str:
    """Who holds a lease: host, process and a random part (two runs in one process differ)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(name: str, holder: str, now: datetime, lease: timedelta) -> bool:
    """Take the job's lease for `lease`, unless another run holds it."""
    if db.session.get(JobLock, name) is None:
        try:
            with db.session.begin_nested():
                db.session.add(JobLock(name=name))
        except IntegrityError:
            pass  # another run made the row first
    taken = db.session.execute(
        update(JobLock)
        .where(
            JobLock.name == name,
            or_(JobLock.locked_until.is_(None), JobLock.locked_until <= now),
        )
        .values(holder=holder, locked_until=now + lease)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return taken == 1


def renew(name: str, holder: str, now: datetime, lease: timedelta) -> bool:
    """Extend a lease this run holds; False if it was lost (ran out and was taken)."""
    kept = db.session.execute(
        update(JobLock)
        .where(JobLock.name == name, JobLock.holder == holder)
        .values(locked_until=now + lease)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return kept == 1


def release(name: str, holder: str) -> None:
    db.session.execute(
        update(JobLock)
        .where(JobLock.name == name, JobLock.holder == holder)
        .values(holder=None, locked_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def holder_of(name: str) -> JobLock | None:
    return db.session.get(JobLock, name)
