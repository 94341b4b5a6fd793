from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from ...extensions import db
from ...services import accounts
from . import bp
from .forms import PasswordChangeForm


@bp.route("/")
@login_required
def index():
    """The owner's account overview."""
    return render_template("account/index.html")


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change the password; other sessions of this account are signed out."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data, form.new.data)
        except accounts.AccountError:
            db.session.rollback()
            form.current.errors.append(_("The current password is wrong."))
        else:
            db.session.commit()
            login_user(current_user._get_current_object())
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("account.index"))
    return render_template("account/password.html", form=form)
