"""One unit of work per request: the response commits once; exceptions, aborts and 5xx
roll back; a domain error shown on a form is undone by a savepoint; routes never commit."""

import ast
import sys
from pathlib import Path

import pytest
from flask import abort
from sqlalchemy import event, insert, select, update

from marketplace.extensions import db
from marketplace.models import AuditEntry
from marketplace.services import audit

BLUEPRINTS = Path(__file__).resolve().parent.parent / "marketplace" / "blueprints"


class Refused(ValueError):
    pass


@pytest.fixture
def routes(app):
    """Throwaway routes that write an audit entry, then end in different ways."""

    def write(action):
        audit.record(None, action)

    @app.get("/_uow/ok")
    def ok():
        write("ok")
        return "done"

    @app.get("/_uow/refused-on-the-form")
    def refused_on_the_form():
        try:
            with db.session.begin_nested():
                write("undone")
                raise Refused
        except Refused:
            write("kept")
        return "the form with its error", 422

    @app.get("/_uow/read")
    def read():
        return str(len(db.session.scalars(select(AuditEntry)).all()))

    @app.get("/_uow/core-writes")
    def core_writes():
        db.session.execute(insert(AuditEntry).values(action="core insert", data={}))
        return "done"

    @app.get("/_uow/core-update")
    def core_update():
        db.session.execute(update(AuditEntry).values(action="core update"))
        return "done"

    @app.get("/_uow/pending")
    def pending():
        db.session.add(AuditEntry(action="added, never flushed", data={}))
        return "done"

    @app.get("/_uow/abort")
    def aborted():
        write("aborted")
        abort(404)

    @app.get("/_uow/crash")
    def crash():
        write("crashed")
        raise RuntimeError("boom")

    @app.get("/_uow/server-error")
    def server_error():
        write("server error")
        return "unavailable", 503

    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app.test_client()


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_what_a_request_keeps_depends_on_how_it_ends(app, routes):
    assert routes.get("/_uow/ok").status_code == 200
    assert routes.get("/_uow/refused-on-the-form").status_code == 422
    assert routes.get("/_uow/abort").status_code == 404
    assert routes.get("/_uow/crash").status_code == 500
    assert routes.get("/_uow/server-error").status_code == 503
    assert actions(app) == ["ok", "kept"]


def test_a_read_is_not_committed_and_every_way_of_writing_is(app, routes):
    commits = []

    def committed(conn):
        commits.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", committed)
    try:
        assert routes.get("/_uow/read").status_code == 200
        assert commits == [], "nothing was written: nothing to commit"
        for path in ("/_uow/core-writes", "/_uow/pending", "/_uow/ok", "/_uow/core-update"):
            before = len(commits)
            assert routes.get(path).status_code == 200
            assert len(commits) == before + 1, path
    finally:
        event.remove(engine, "commit", committed)
    assert actions(app) == ["core update"] * 3


def test_routes_neither_commit_nor_roll_back(app):
    """Only the CLI commands a blueprint defines commit."""
    found = []
    scanned = set(BLUEPRINTS.rglob("*.py"))
    # every view's module is read, those of the nested blueprints' packages included
    views = {
        Path(sys.modules[view.__module__].__file__)
        for endpoint, view in app.view_functions.items()
        if endpoint != "static"
    }
    assert views and views <= scanned, sorted(map(str, views - scanned))
    for path in sorted(scanned):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            is_cli = any("cli" in ast.unparse(d) for d in function.decorator_list)
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr in ("commit", "rollback")
                    and ast.unparse(node.value) == "db.session"
                    and not is_cli
                ):
                    found.append(f"{path.relative_to(BLUEPRINTS)}:{node.lineno}")
    assert found == []
