"""What the shop and listing pages say about a shop's hours: open now or when it opens, the
week's hours in groups of weekdays, the closed days ahead and the next free booking time.

Reads a few rows per page through `services.bookings.Calendar` (the shop page 2 queries:
hours, closed days; the listing page 2 more: the booking rules and the bookings), and
words them in the visitor's language. Public pages are kept by the page cache, so "open
now" and the next free time may be up to PAGE_CACHE_SECONDS old for anonymous visitors."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import format_date, format_time

from .i18n import gettext as _
from .labels import WEEKDAY_NAMES
from .models import ClosedDay, Listing, Shop
from .services import bookings
from .services.bookings import Calendar, OpenState, Slot, local_day

LOOK_AHEAD_DAYS = 14
"""How far ahead the pages look for the next opening, closed days and a free time."""


@dataclass(frozen=True)
class WeekRow:
    """Consecutive weekdays (0 = Monday) with the same hours (None: closed)."""

    weekdays: tuple[int, ...]
    hours: tuple[time, time] | None

    @property
    def label(self) -> str:
        first, last = WEEKDAY_NAMES[self.weekdays[0]], WEEKDAY_NAMES[self.weekdays[-1]]
        if len(self.weekdays) == 7:
            return _("Every day")
        if len(self.weekdays) == 1:
            return str(first)
        if len(self.weekdays) == 2:
            return _("%(first)s and %(last)s", first=first, last=last)
        return _("%(first)s to %(last)s", first=first, last=last)

    @property
    def text(self) -> str:
        if self.hours is None:
            return _("Closed all day")
        return f"{_clock(self.hours[0])}–{_clock(self.hours[1])}"

    @property
    def key(self) -> str:
        """The weekdays as data ("0,1,2,3,4"; "5,6"), for tests and scripts."""
        return ",".join(str(d) for d in self.weekdays)


@dataclass(frozen=True)
class ShopHours:
    """A shop's hours as the pages show them; `week` is empty when the shop has no structured
    hours (the page shows its free-text hours instead)."""

    shop: Shop
    week: list[WeekRow]
    today: date | None = None
    state: OpenState | None = None
    closed_days: list[ClosedDay] = field(default_factory=list)
    next_free: Slot | None = None
    looked_days: int = 0  # how many days ahead the next free time was looked for

    @property
    def structured(self) -> bool:
        return bool(self.week)

    @property
    def state_text(self) -> str:
        """When it closes today or opens next, in words (empty when unknown)."""
        if self.state is None:
            return ""
        if self.state.open_now:
            return _("closes at %(time)s today", time=format_time(self.state.closes_at, "short"))
        if self.state.opens_at is None:
            return ""
        return opens_text(self.state.opens_at, self.today)


def _clock(moment: time) -> str:
    """A clock time of the week ("08:30"; "8:30 AM" in English), as `|clock` shows moments."""
    return format_time(moment, "short", rebase=False)


def opens_text(opens_at: datetime, today: date) -> str:
    """When the shop opens next, in words: today, tomorrow, a weekday, else a date."""
    day = local_day(opens_at)
    clock = format_time(opens_at, "short")
    offset = (day - today).days
    if offset == 0:
        return _("opens at %(time)s today", time=clock)
    if offset == 1:
        return _("opens at %(time)s tomorrow", time=clock)
    when = WEEKDAY_NAMES[day.weekday()] if offset < 7 else format_date(day, "full")
    return _("opens %(day)s at %(time)s", day=when, time=clock)


def group_week(week: dict[int, tuple[time, time]]) -> list[WeekRow]:
    """Monday to Sunday, consecutive weekdays with the same hours together; [] when the shop
    has no opening hours at all."""
    if not week:
        return []
    rows: list[WeekRow] = []
    for weekday in range(7):
        hours = week.get(weekday)
        if rows and rows[-1].hours == hours:
            rows[-1] = WeekRow((*rows[-1].weekdays, weekday), hours)
        else:
            rows.append(WeekRow((weekday,), hours))
    return rows


def weekly(shop: Shop) -> ShopHours:
    """The week's hours only (the admin's and the merchant console's shop pages); 1 query."""
    return ShopHours(shop, group_week(bookings.week_of(shop)))


def for_shop(shop: Shop, now: datetime) -> ShopHours:
    """The public shop page: the week, open now or when next, the closed days ahead."""
    today = local_day(now)
    cal = Calendar(shop, today, today + timedelta(days=LOOK_AHEAD_DAYS))
    if not cal.week:
        return ShopHours(shop, [], today)
    return ShopHours(shop, group_week(cal.week), today, cal.open_state(now), cal.closed_days)


def for_listing(listing: Listing, now: datetime) -> ShopHours:
    """The listing page: as the shop page, and the first free time for the listing's
    category at its shop that a voucher bought now could be booked for."""
    shop = listing.shop
    today = local_day(now)
    cal = Calendar(shop, today, today + timedelta(days=LOOK_AHEAD_DAYS))
    if not cal.week:
        return ShopHours(shop, [], today)
    until = now + timedelta(days=listing.validity_days)
    limit = min(today + timedelta(days=cal.rules.days_ahead), local_day(until))
    minutes = cal.rules.minutes_for(str(listing.category))
    next_free = cal.first_free(minutes, now, until=until, last=limit)
    if next_free is None and limit > cal.last:
        # fully booked for two weeks but bookable further ahead: the service looks it up
        next_free = bookings.choices(shop, str(listing.category), now, until=until).next_free
    return ShopHours(
        shop,
        group_week(cal.week),
        today,
        cal.open_state(now),
        cal.closed_days,
        next_free,
        looked_days=(limit - today).days,
    )
