"""The matcher's results in words, in the visitor's language."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from flask_babel import get_locale

from ...i18n import day_text, gettext, ngettext, translations
from ...labels import ITEM_NAMES, STATUS_NAMES
from ...services.maintenance import Basis, ItemResult, Rule, months_between


def _km(value: int) -> str:
    return f"{value:,}"


def interval(rule: Rule) -> str:
    """'10,000 km or 12 months' (whichever first), plus the first interval where it differs."""
    return _interval(rule, translations())


@lru_cache(maxsize=2048)
def _interval(rule: Rule, _catalog) -> str:
    """interval() in the language whose catalog is `_catalog`: worded once per process."""
    parts = []
    if rule.every_km:
        parts.append(gettext("%(km)s km", km=_km(rule.every_km)))
    if rule.every_months:
        parts.append(ngettext("%(num)d month", "%(num)d months", rule.every_months))
    text = gettext(" or ").join(parts) if parts else gettext("once")
    if rule.first_km or rule.first_months:
        first = []
        if rule.first_km:
            first.append(gettext("%(km)s km", km=_km(rule.first_km)))
        if rule.first_months:
            first.append(ngettext("%(num)d month", "%(num)d months", rule.first_months))
        text = gettext(
            "first at %(first)s, then every %(every)s",
            first=gettext(" or ").join(first),
            every=text,
        )
    return text


def when(km: int | None, on: date | None) -> str:
    """ "45,000 km / 2024年3月1日": what is known of a past service."""
    parts = [gettext("%(km)s km", km=_km(km))] if km is not None else []
    if on is not None:
        parts.append(day_text(on))
    return gettext(" / ").join(parts)


def point(result: ItemResult) -> str:
    """The scheduled point an item without history has passed: "the 90,000 km / 60-month
    service"."""
    return when(result.point_km, result.point_on)


def reason(result: ItemResult, today: date) -> str:
    """Why the item has its status: what it was counted from, and the interval."""
    period = interval(result.rule)
    if result.basis == Basis.UNMEASURABLE:
        return gettext(
            "Interval %(interval)s: give the registration date or age to judge it.", interval=period
        )
    if result.basis == Basis.FROM_NEW:
        return gettext(
            "Counted from new: its first service has not come yet; interval %(interval)s.",
            interval=period,
        )
    if result.basis == Basis.FIRST_SERVICE:
        return gettext(
            "Due — unless it was done at the %(point)s service; interval %(interval)s.",
            point=point(result),
            interval=period,
        )
    if result.basis == Basis.UNKNOWN_HISTORY and result.at_point:
        return gettext(
            "Due now — unless it was done at the %(point)s service (we don't know when it was "
            "last done). Interval %(interval)s.",
            point=point(result),
            interval=period,
        )
    if result.basis == Basis.UNKNOWN_HISTORY:
        return gettext(
            "We don't know when it was last done: it was due at the %(point)s service, and may "
            "be overdue. Interval %(interval)s.",
            point=point(result),
            interval=period,
        )
    pieces = []
    if result.last_km is not None:
        pieces.append(gettext("last done at %(km)s km", km=_km(result.last_km)))
    if result.last_on is not None:
        months = months_between(result.last_on, today)
        pieces.append(ngettext("%(num)d month ago", "%(num)d months ago", months))
    done = gettext(", ").join(pieces) or gettext("done before")
    return gettext(
        "%(done)s; interval %(interval)s.", done=done[:1].upper() + done[1:], interval=period
    )


def source(rule: Rule, language: str | None = None) -> str:
    """Where the interval comes from, in the reader's language."""
    return rule.source_in(language or str(get_locale()))


def next_due(result: ItemResult) -> str:
    parts = []
    if result.next_due_km is not None:
        parts.append(gettext("at %(km)s km", km=_km(result.next_due_km)))
    if result.next_due_on is not None:
        parts.append(gettext("by %(date)s", date=day_text(result.next_due_on)))
    return gettext(" or ").join(parts) or "—"


def remaining(result: ItemResult) -> str:
    """How far off (or past) the due point is, in km and days."""
    parts = []
    if result.km_left is not None:
        if result.km_left < 0:
            parts.append(gettext("%(km)s km over", km=_km(-result.km_left)))
        else:
            parts.append(gettext("%(km)s km left", km=_km(result.km_left)))
    if result.days_left is not None:
        if result.days_left < 0:
            parts.append(ngettext("%(num)d day over", "%(num)d days over", -result.days_left))
        else:
            parts.append(ngettext("%(num)d day left", "%(num)d days left", result.days_left))
    return gettext(", ").join(parts)


@dataclass(frozen=True, slots=True)
class Line:
    """One item of the result as its row says it, worded in one pass (a page has a dozen)."""

    result: ItemResult
    name: str
    status_name: str
    reason: str
    due: str
    source: str
    point: str | None  # without history: the scheduled point passed, "done at" offers it
    done_on: date | None
    done_url: str | None
    offers_url: str | None


def lines(
    results: Iterable[ItemResult],
    *,
    today: date,
    offers_url: Callable[[list[str]], str],
    done_on: Callable[[ItemResult], date | None],
    done_url: Callable[[ItemResult, date | None], str],
) -> list[Line]:
    """The rows of the result page: each item's name, status, reason, when it is next due
    and how far off, the rule's source, and its links."""
    language = str(get_locale())
    worded = []
    for r in results:
        left = remaining(r)
        due = gettext("Next due: %(when)s", when=next_due(r)) + (f" ({left})" if left else "")
        unknown = r.basis == Basis.UNKNOWN_HISTORY
        offers = r.status in ("overdue", "due", "upcoming") or unknown
        on = done_on(r) if unknown else None
        worded.append(
            Line(
                result=r,
                name=str(ITEM_NAMES.get(r.item, r.item)),
                status_name=str(STATUS_NAMES[r.status]),
                reason=reason(r, today),
                due=due,
                source=source(r.rule, language),
                point=point(r) if unknown else None,
                done_on=on,
                done_url=done_url(r, on) if unknown else None,
                offers_url=offers_url([r.item]) if offers else None,
            )
        )
    return worded
