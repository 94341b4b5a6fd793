from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ...forms import strip
from ...i18n import lazy_gettext as _l
from ...services.accounts import PASSWORD_MAX, PASSWORD_MIN


def email_field():
    return EmailField(
        _l("Email"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter your email address.")),
            Length(max=254, message=_l("An email address can have at most 254 characters.")),
            Email(_l("This is not a valid email address.")),
        ],
    )


def new_password_field(label):
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Please enter a password.")),
            Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=_l(
                    "A password needs %(min)d to %(max)d characters.",
                    min=PASSWORD_MIN,
                    max=PASSWORD_MAX,
                ),
            ),
        ],
    )


class RegisterForm(FlaskForm):
    email = email_field()
    display_name = StringField(
        _l("Display name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter a display name.")),
            Length(max=60, message=_l("A display name can have at most 60 characters.")),
        ],
    )
    password = new_password_field(_l("Password"))
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[EqualTo("password", message=_l("The two passwords do not match."))],
    )
    next = HiddenField()


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Please enter your password.")),
            Length(max=PASSWORD_MAX, message=_l("Email or password is wrong.")),
        ],
    )
    remember = BooleanField(_l("Keep me signed in"))
    next = HiddenField()
