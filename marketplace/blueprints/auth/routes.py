from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ...console_nav import landing_for
from ...error_messages import message
from ...extensions import db, limiter
from ...security import landing_url
from ...services import accounts, audit
from . import bp
from .forms import LoginForm, RegisterForm


def _auth_limit() -> str:
    return current_app.config["AUTH_RATE_LIMIT"]


def _after_sign_in(user, remember: bool, next_url: str | None):
    """Back to the page that asked for sign-in (a safe `next`), else the person's own first
    page: /admin/ for admins, the redeem desk for shop staff, home for owners."""
    login_user(user, remember=remember)
    return redirect(landing_url(next_url) or landing_for(user))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def register():
    """Create an owner account and sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm(next=request.args.get("next"))
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                user = accounts.register(
                    form.email.data, form.password.data, form.display_name.data
                )
        except accounts.AccountError as error:
            form.email.errors.append(message(error))
        else:
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.display_name), "success")
            return _after_sign_in(user, False, form.next.data)
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(landing_url(request.args.get("next")) or landing_for(current_user))
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            audit.record(user, "user.signed_in", user)
            flash(_("Signed in."), "success")
            return _after_sign_in(user, form.remember.data, form.next.data)
        form.password.errors.append(_("Email or password is wrong."))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out (a POST with CSRF, so no page can sign a user out)."""
    logout_user()
    flash(_("Signed out."), "info")
    return redirect(url_for("main.index"))
