"""The notification centre and its emails: notify, read, choose channels, unsubscribe.

A notification is stored with what it says as values (`data`) and worded in the reader's
language when shown (`marketplace.notification_text`). Its optional `dedupe_key` is unique,
so a job that runs twice notifies once. Emails go through SMTP when `MAIL_SERVER` is set and
otherwise into the outbox folder (`MAIL_OUTBOX_DIR`); each carries a one-click unsubscribe
link for its kind that works once.
"""

import hashlib
import secrets
import smtplib
from datetime import datetime
from email.header import Header
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import (
    Notification,
    NotificationKind,
    NotificationPreference,
    UnsubscribeToken,
    User,
)
from .errors import DomainError, error_codes


class Channels:
    def __init__(self, in_app: bool = True, email: bool = True) -> None:
        self.in_app = in_app
        self.email = email


def preferences(user: User) -> dict[str, Channels]:
    """The user's channels for every kind (both on unless they chose otherwise)."""
    return preferences_for([user.id])[user.id]


def preferences_for(user_ids) -> dict[int, dict[str, Channels]]:
    """`preferences` of many users in one query (the reminder job works in batches)."""
    chosen: dict[int, dict[str, Channels]] = {uid: {} for uid in user_ids}
    for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id.in_(list(user_ids)))
    ):
        chosen[p.user_id][p.kind] = Channels(p.in_app, p.email)
    return {
        uid: {kind: mine.get(kind, Channels()) for kind in NotificationKind.ALL}
        for uid, mine in chosen.items()
    }


def _preference(user: User, kind: str) -> NotificationPreference | None:
    return db.session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.user_id == user.id, NotificationPreference.kind == kind
        )
    )


def set_preference(user: User, kind: str, *, in_app: bool, email: bool) -> None:
    if kind not in NotificationKind.ALL:
        raise ValueError(kind)
    row = _preference(user, kind)
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    NotificationPreference(user_id=user.id, kind=kind, in_app=in_app, email=email)
                )
            return
        except IntegrityError:  # the same form, saved at the same moment, made the row first
            row = _preference(user, kind)
    row.in_app, row.email = in_app, email
    db.session.flush()


def build(
    user: User,
    kind: str,
    *,
    data: dict,
    link: str = "",
    dedupe_key: str | None = None,
    now: datetime,
    channels: Channels,
) -> Notification | None:
    """The notification to add for the chosen channels (None when all are off); no I/O."""
    if kind not in NotificationKind.ALL:
        raise ValueError(kind)
    if not (channels.in_app or channels.email):
        return None
    return Notification(
        user_id=user.id,
        kind=kind,
        data=data,
        link=link,
        dedupe_key=dedupe_key,
        created_at=now,
        read_at=None if channels.in_app else now,
        email_pending=channels.email and user.is_active,
    )


def known_keys(keys: list[str]) -> set[str]:
    """Which of these dedupe keys were used already (one query per 900 keys)."""
    found: set[str] = set()
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        found.update(
            db.session.scalars(
                select(Notification.dedupe_key).where(Notification.dedupe_key.in_(chunk))
            )
        )
    return found


def notify(
    user: User,
    kind: str,
    *,
    data: dict,
    link: str = "",
    dedupe_key: str | None = None,
    now: datetime,
    channels: Channels | None = None,
) -> Notification | None:
    """Tell `user` something. None when they opted out of this kind on every channel, or
    when a notification with the same `dedupe_key` exists already."""
    notification = build(
        user,
        kind,
        data=data,
        link=link,
        dedupe_key=dedupe_key,
        now=now,
        channels=channels or preferences(user)[kind],
    )
    if notification is None or (dedupe_key is not None and known_keys([dedupe_key])):
        return None
    try:
        with db.session.begin_nested():
            db.session.add(notification)
    except IntegrityError:  # the same reminder made at the same moment by another run
        return None
    return notification


def unread_count(user: User) -> int:
    return db.session.scalar(unread_count_query(user.id))


def unread_count_query(user_id):
    """The count of a user's unread notifications (`user_id`: an id or a bound parameter)."""
    return select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )


def for_user(user: User, limit: int = 100) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_read(user: User, now: datetime, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications read, or all of them; returns how many."""
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    return db.session.execute(
        query.values(read_at=now).execution_options(synchronize_session=False)
    ).rowcount


# --- email -----------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UnsubscribeError(DomainError):
    """An unsubscribe link that does not work (any more)."""

    Code = error_codes("UnsubscribeCode", "invalid used")


def unsubscribe(token: str, now: datetime) -> UnsubscribeToken:
    """Turn off email for the token's kind; a token works once, a forged one never."""
    if not token or len(token) > 100:
        raise UnsubscribeError("invalid")
    row = db.session.scalar(
        select(UnsubscribeToken).where(UnsubscribeToken.token_hash == _hash(token))
    )
    if row is None:
        raise UnsubscribeError("invalid")
    used = db.session.execute(
        update(UnsubscribeToken)
        .where(UnsubscribeToken.id == row.id, UnsubscribeToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:
        raise UnsubscribeError("used")
    user = db.session.get(User, row.user_id)
    current = preferences(user)[row.kind]
    set_preference(user, row.kind, in_app=current.in_app, email=False)
    return row


def _deliver(message: MIMEText) -> None:
    config = current_app.config
    if config["MAIL_SERVER"]:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
        return
    outbox = Path(config["MAIL_OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    name = message["Message-ID"].strip("<>").replace("@", "_")
    (outbox / f"{name}.eml").write_bytes(message.as_bytes())


def _message(to: str, text, link: str, unsubscribe_url: str, now: datetime, msg_id: str):
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    message = MIMEText(text.email_body(link, unsubscribe_url), "plain", "utf-8")
    message["Subject"] = Header(text.title, "utf-8")
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(now)
    message["Message-ID"] = msg_id
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message


def send_pending_emails(now: datetime, url_for_external, batch: int = 200) -> int:
    """Email every notification waiting for it, each in its reader's language.

    `url_for_external(endpoint, **values)` builds absolute links. Sent emails are recorded
    per batch: a crash in the middle of one may send its emails again on the next run (at
    least once), never lose them."""
    from ..notification_text import describe

    default_locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    sent = 0
    last_id = 0
    while True:
        rows = db.session.execute(
            select(Notification, User.email, User.locale)
            .join(User, User.id == Notification.user_id)
            .where(Notification.email_pending.is_(True), Notification.id > last_id)
            .order_by(Notification.id)
            .limit(batch)
        ).all()
        if not rows:
            return sent
        last_id = rows[-1][0].id
        by_locale: dict[str, list] = {}
        for notification, address, locale in rows:
            by_locale.setdefault(locale or default_locale, []).append((notification, address))
        tokens, done = [], []
        for locale, group in by_locale.items():
            with force_locale(locale):
                for notification, address in group:
                    token = secrets.token_urlsafe(24)
                    tokens.append(
                        {
                            "token_hash": _hash(token),
                            "user_id": notification.user_id,
                            "kind": notification.kind,
                            "created_at": now,
                        }
                    )
                    message = _message(
                        address,
                        describe(notification),
                        url_for_external(
                            "account.notification_go", notification_id=notification.id
                        ),
                        url_for_external("account.unsubscribe", token=token),
                        now,
                        make_msgid(f"n{notification.id}", "chefu.local"),
                    )
                    _deliver(message)
                    done.append(notification.id)
        db.session.execute(insert(UnsubscribeToken), tokens)
        db.session.execute(
            update(Notification)
            .where(Notification.id.in_(done))
            .values(email_pending=False, emailed_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        db.session.expunge_all()
        sent += len(done)
