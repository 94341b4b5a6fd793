"""Account rules: registration, sign-in, password changes, admin creation."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Role, User
from . import audit
from .errors import DomainError, error_codes

PASSWORD_MIN = 8
PASSWORD_MAX = 128


class AccountError(DomainError):
    """A request about an account that can't be carried out."""

    Code = error_codes("AccountCode", "email_taken wrong_password")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def register(email: str, password: str, display_name: str, role: Role = Role.OWNER) -> User:
    """Create an account; raises AccountError when the email is taken (in any case)."""
    email = normalize_email(email)
    if find_user_by_email(email) is not None:
        raise AccountError("email_taken")
    user = User(email=email, display_name=display_name.strip(), role=role)
    user.set_password(password)
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as exc:
        raise AccountError("email_taken") from exc
    audit.record(user, "user.registered", user, role=role.value)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None."""
    user = find_user_by_email(email)
    if user is None or not user.is_active or not user.check_password(password):
        return None
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Replace the password after checking the current one."""
    if not user.check_password(current):
        raise AccountError("wrong_password")
    user.set_password(new)
    audit.record(user, "user.password_changed", user)


def create_admin(email: str, password: str, display_name: str) -> User:
    """Create an admin, or promote the existing account with this email."""
    user = find_user_by_email(email)
    if user is None:
        user = register(email, password, display_name, role=Role.ADMIN)
    else:
        user.role = Role.ADMIN
        user.set_password(password)
    audit.record(None, "user.made_admin", user)
    return user
