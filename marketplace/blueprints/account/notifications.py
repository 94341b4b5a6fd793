"""The notification centre, reminder settings and one-click unsubscribe."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...console_nav import header_facts
from ...error_messages import message
from ...extensions import csrf, db
from ...models import Notification, NotificationKind
from ...models.types import utcnow
from ...notification_text import KIND_NAMES, describe
from ...security import parse_id, safe_next_url
from ...services import notifications, reminders
from ...services.notifications import UnsubscribeError
from . import bp
from .forms import PreferencesForm


@bp.app_context_processor
def unread_notifications():
    """The header's unread count, for signed-in users only."""
    if not current_user.is_authenticated:
        return {}
    return {"unread_count": header_facts(current_user)[0]}


@bp.route("/notifications")
@login_required
def notification_list():
    """Reminders and messages, newest first, each with its reason and a link to act."""
    items = notifications.for_user(current_user)
    return render_template("account/notifications.html", items=[(n, describe(n)) for n in items])


@bp.route("/notifications/<int:notification_id>/go")
@login_required
def notification_go(notification_id: int):
    """Follow a notification's link, marking it read."""
    found = db.session.get(Notification, notification_id)
    if found is None or found.user_id != current_user.id:
        abort(404)
    notifications.mark_read(current_user, utcnow(), found.id)
    link = reminders.link_of(found)
    return redirect(safe_next_url(link) or url_for("account.notification_list"))


@bp.route("/notifications/read", methods=["POST"])
@login_required
def notifications_read():
    """Mark one notification (`id`) or all of them read."""
    raw = request.form.get("id", "")
    notification_id = parse_id(raw) if raw else None
    if raw and notification_id is None:
        abort(400)
    count = notifications.mark_read(current_user, utcnow(), notification_id)
    if not raw:
        flash(_("%(count)s notifications marked read.", count=count), "success")
    return redirect(url_for("account.notification_list"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def notification_settings():
    """Which reminders the owner wants, in the app and by email."""
    current = notifications.preferences(current_user)
    form = PreferencesForm()
    if form.validate_on_submit():
        for kind in NotificationKind.ALL:
            notifications.set_preference(
                current_user,
                kind,
                in_app=f"{kind}:in_app" in form.chosen.data,
                email=f"{kind}:email" in form.chosen.data,
            )
        flash(_("Your reminder settings are saved."), "success")
        return redirect(url_for("account.notification_settings"))
    if request.method == "GET":
        form.chosen.data = [
            f"{kind}:{channel}"
            for kind, channels in current.items()
            for channel in ("in_app", "email")
            if getattr(channels, channel)
        ]
    return render_template(
        "account/notification_settings.html",
        form=form,
        kinds=NotificationKind.ALL,
        kind_names=KIND_NAMES,
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """One-click unsubscribe from an email (RFC 8058): the token is the credential, it works
    once. GET shows a button (mail scanners open links), POST unsubscribes."""
    if request.method == "GET":
        return render_template("account/unsubscribe.html", token=token, done=None)
    try:
        with db.session.begin_nested():
            row = notifications.unsubscribe(token, utcnow())
    except UnsubscribeError as error:
        return render_template("account/unsubscribe.html", token=None, error=message(error)), 400
    return render_template(
        "account/unsubscribe.html", token=None, done=KIND_NAMES.get(row.kind, row.kind)
    )
