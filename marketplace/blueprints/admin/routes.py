from flask import render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import AuditEntry, Role, User
from ...security import role_required
from . import bp

PAGE_SIZE = 50


@bp.before_request
@role_required(Role.ADMIN)
def require_admin():
    """Every admin page is a 404 to anyone but an admin."""


@bp.route("/")
def index():
    """The operator's overview."""
    counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    return render_template("admin/index.html", counts=counts, roles=list(Role))


@bp.route("/audit")
def audit_log():
    """The audit log, newest first."""
    page = request.args.get("page", 1, type=int)
    page = max(page, 1)
    entries = db.session.scalars(
        select(AuditEntry)
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.id.desc())
        .limit(PAGE_SIZE + 1)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "admin/audit.html",
        entries=entries[:PAGE_SIZE],
        page=page,
        has_next=len(entries) > PAGE_SIZE,
    )
