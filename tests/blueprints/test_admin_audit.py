"""The audit log in the reader's language: named actions, details as named fields, no JSON."""

import ast
import itertools
import re
from pathlib import Path

from marketplace.extensions import db
from marketplace.labels import AUDIT_ACTION_NAMES
from marketplace.models import Shop, User
from marketplace.services import audit

PACKAGE = Path(__file__).resolve().parents[2] / "marketplace"


class Unreadable(AssertionError):
    """An audit.record(...) whose action this scan cannot work out from the source."""


def _is_record(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "record"
        and isinstance(func.value, ast.Name)
        and func.value.id == "audit"
    )


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == name), None)


class Module:
    """One source file: its functions, which function each node is in, and its calls."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.functions = {}
        self.enclosing = {}
        for node in ast.walk(self.tree):  # outer functions first, so inner ones win
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions[node.name] = node
                for inner in ast.walk(node):
                    self.enclosing[inner] = node
        self.calls = [n for n in ast.walk(self.tree) if isinstance(n, ast.Call)]

    def resolve(self, node: ast.expr | None, depth: int = 0) -> set[str]:
        """Every string `node` can be: constants, either branch of a conditional, f-strings
        of resolvable parts, and a function's parameter as its callers in the file pass it."""
        where = f"{self.path.relative_to(PACKAGE.parent)}:{getattr(node, 'lineno', '?')}"
        if node is None or depth > 5:
            raise Unreadable(where)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return self.resolve(node.body, depth) | self.resolve(node.orelse, depth)
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    parts.append(sorted(self.resolve(value.value, depth)))
                else:
                    parts.append([value.value])
            return {"".join(p) for p in itertools.product(*parts)}
        if isinstance(node, ast.Name):
            function = self.enclosing.get(node)
            params = [a.arg for a in function.args.args] if function else []
            if node.id not in params:
                raise Unreadable(where)
            position = params.index(node.id)
            found = set()
            for call in self.calls:
                if isinstance(call.func, ast.Name) and call.func.id == function.name:
                    found |= self.resolve(_argument(call, position, node.id), depth + 1)
            if not found:
                raise Unreadable(where)
            return found
        raise Unreadable(where)


def recorded_actions() -> set[str]:
    """The actions the code passes to audit.record(actor, action, …), read from the source."""
    actions = set()
    for path in PACKAGE.rglob("*.py"):
        module = Module(path)
        for call in module.calls:
            if _is_record(call):
                actions |= module.resolve(_argument(call, 1, "action"))
    return actions


def test_every_recorded_action_has_a_name():
    actions = recorded_actions()
    # the scan follows parameters and f-strings: the shop decisions, the review decisions
    assert {"shop.approved", "shop.reinstated", "review.hidden", "review.approved"} <= actions
    assert {"review.replied", "review.reply_edited", "user.signed_in"} <= actions
    missing = sorted(actions - set(AUDIT_ACTION_NAMES))
    assert not missing, f"audit actions without a name in labels.AUDIT_ACTION_NAMES: {missing}"


def english_admin(app):
    admin = app.test_client()
    admin.login("admin@example.com")
    admin.post("/language", data={"lang": "en"})
    return admin


def entries(page: str) -> dict[str, str]:
    """The newest entry's markup of each action, by its code."""
    found = {}
    for m in re.finditer(r'<li class="audit-entry"[^>]*data-action="([^"]+)".*?</li>', page, re.S):
        found.setdefault(m.group(1), m.group(0))  # the newest of each
    return found


def field(entry: str, key: str) -> tuple[str, str]:
    m = re.search(rf'<div data-field="{key}"><dt>(.*?)</dt><dd>(.*?)</dd></div>', entry, re.S)
    assert m, key
    return re.sub(r"<[^>]+>", "", m.group(1)), re.sub(r"<[^>]+>", "", m.group(2))


def test_the_log_reads_as_words_in_the_readers_language(app, shops):
    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.email == "admin@example.com"))
        shop = db.session.get(Shop, shops["a"])
        audit.record(
            admin,
            "review.hidden",
            shop,
            status_from="published",
            status_to="hidden",
            reason="评论含有广告链接",
            report_id=7,
        )
        audit.record(admin, "voucher.refund", shop, reason="重复购买", amount_fen=103500)
        audit.record(
            admin, "shop.opening_hours", shop, week={"0": "09:00-18:00", "5": "10:00-16:00"}
        )
        audit.record(admin, "listing.status", shop, status="paused", shop_id=shop.id)
        audit.record(
            admin,
            "someone.new_thing",
            None,
            mystery_key=True,
            on_day="2025-05-12",
            items=["甲", "乙"],
            nothing=None,
        )
        db.session.commit()
    page = english_admin(app).get("/admin/audit").get_data(as_text=True)
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "\\u" not in main and "{&#34;" not in main and '{"' not in main  # no JSON
    shown = entries(main)

    hidden = shown["review.hidden"]
    assert "Review hidden by a moderator" in hidden
    assert "<code" not in hidden
    assert field(hidden, "reason") == ("Reason", "评论含有广告链接")  # characters, not escapes
    assert field(hidden, "status_from") == ("Status before", "Published")
    assert field(hidden, "status_to") == ("Status after", "Hidden by a moderator")
    assert field(hidden, "report_id") == ("Report", "#7")
    assert f'href="/admin/shops/{shops["a"]}"' in hidden  # the shop it is about

    refund = shown["voucher.refund"]
    assert "Voucher refunded by an admin" in refund
    assert field(refund, "amount_fen") == ("Amount", "CN¥1,035.00")

    hours = shown["shop.opening_hours"]
    assert field(hours, "week")[1] == "Monday 09:00–18:00; Saturday 10:00–16:00"
    assert field(shown["listing.status"], "status") == ("Status", "Paused")

    new = shown["someone.new_thing"]  # an action without a name shows its code
    assert '<code class="audit-action">someone.new_thing</code>' in new
    assert field(new, "mystery_key") == ("mystery_key", "Yes")  # unknown keys by their key
    assert field(new, "on_day") == ("on_day", "May 12, 2025")
    assert field(new, "items") == ("items", "甲, 乙")
    assert field(new, "nothing") == ("nothing", "—")

    # the admin's own sign-in, recorded by the app itself
    assert "Signed in" in shown["user.signed_in"]


def test_the_log_in_chinese_has_no_escapes(app, shops):
    with app.app_context():
        shop = db.session.get(Shop, shops["a"])
        audit.record(None, "shop.applied", shop, chain="途虎养车工场店")
        db.session.commit()
    admin = app.test_client()
    admin.login("admin@example.com")
    page = admin.get("/admin/audit").get_data(as_text=True)
    entry = entries(page)["shop.applied"]
    assert "途虎养车工场店" in entry and "\\u" not in entry
    assert "系统" in entry or "system" in entry  # no actor
