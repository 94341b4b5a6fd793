"""Flask-Login wiring: how a session's user id becomes a User."""

from .extensions import login_manager
from .i18n import lazy_gettext as _l
from .models import User
from .security import MAX_ID
from .selection import selected_car_is, user_with_car

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to continue.")
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Look up '<id>:<session_version>'; a changed password invalidates older sessions. The
    user's selected car comes in the same statement."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit() or int(user_id) > MAX_ID:
        return None
    found = user_with_car(int(user_id))
    if found is None:
        return None
    user, selected = found
    if not user.is_active or user.session_version != int(version):
        return None
    selected_car_is(selected)
    return user
