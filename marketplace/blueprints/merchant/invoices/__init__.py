"""A shop's invoice requests, `/merchant/invoices/...`: its managers mark them issued."""

from flask import Blueprint

bp = Blueprint("invoices", __name__)

from . import routes  # noqa: E402, F401
