"""A shop's dashboard and lost customers (managers, the chain's admin, platform admins)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .... import charts
from ....error_messages import message as error_message
from ....extensions import db
from ....i18n import lazy_gettext as _l
from ....i18n import money
from ....models import Shop
from ....models.types import utcnow
from ....security import page_arg
from ....services import dashboard as service
from ....services import shops as shop_service
from ....services.dashboard import DashboardError, Grain
from ....timeutil import local_today, local_zone
from . import bp
from .forms import LostWindowForm, WinBackForm

GRAIN_NAMES = {
    Grain.DAY: _l("By day (30 days)"),
    Grain.WEEK: _l("By week (12 weeks)"),
    Grain.MONTH: _l("By month (12 months)"),
}
GRAIN_HEADINGS = {Grain.DAY: _l("Day"), Grain.WEEK: _l("Week from"), Grain.MONTH: _l("Month")}


@bp.before_request
@login_required
def require_login():
    """Dashboards are for signed-in managers and admins; everyone else gets a 404."""


def _shop(shop_id: int) -> Shop:
    """The shop, when the user manages it (or is an admin); otherwise 404."""
    return shop_service.find_shop(
        current_user, shop_id, shop_service.Need.MANAGE_OR_ADMIN
    ) or abort(404)


def grain_arg() -> Grain:
    try:
        return Grain(request.args.get("by", Grain.DAY))
    except ValueError:
        return Grain.DAY


def bucket_labels(grain: Grain, spans) -> tuple[list[str], list[str]]:
    """Short labels for the chart's axis, and full ones for the table."""
    if grain is Grain.MONTH:
        short = [format_date(b.start_day, "yyyy-MM") for b in spans]
        return short, short
    short = [format_date(b.start_day, "MM-dd") for b in spans]
    return short, [format_date(b.start_day, "yyyy-MM-dd") for b in spans]


def percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value, "#,##0.0%")


def stars(value: float | None) -> str:
    return "—" if value is None else format_decimal(value, "0.0")


def _highest(series, labels: list[str], fmt) -> str:
    """The chart's <desc>: each series' highest period, or that there was nothing."""
    said = []
    for s in series:
        values = [v or 0 for v in s.values]
        if not values or max(values) <= 0:
            continue
        best = max(range(len(values)), key=lambda i: (values[i], -i))
        value, label = fmt(values[best]), labels[best]
        if len(series) == 1:
            said.append(_("Highest: %(value)s (%(label)s).", value=value, label=label))
        else:
            said.append(
                _(
                    "%(series)s, highest: %(value)s (%(label)s).",
                    series=s.name,
                    value=value,
                    label=label,
                )
            )
    return " ".join(said) or _("Nothing in this period.")


def _bars(chart_id: str, title: str, short: list[str], series) -> object:
    """Counts as bars, side by side when there are two."""
    return charts.bar_chart(
        chart_id,
        title,
        short,
        series,
        fmt=format_decimal,
        description=_highest(series, short, format_decimal),
        empty=_("Nothing in this period."),
    )


def _money_lines(chart_id: str, title: str, short: list[str], series, *, area=False) -> object:
    """Amounts of money as lines, on an axis of whole (or abbreviated) yuan."""
    return charts.line_chart(
        chart_id,
        title,
        short,
        series,
        fmt=money,
        tick_fmt=charts.money_tick,
        minimum_step=100,
        area=area,
        description=_highest(series, short, money),
        empty=_("Nothing in this period."),
    )


def _column(series, attribute: str) -> list:
    return [getattr(figures, attribute) for figures in series]


def _shop_charts(data: service.ShopDashboard, short: list[str]) -> dict:
    month_labels = [format_date(p.bucket.start_day, "yy-MM") for p in data.ratings]
    return {
        "visits": _bars(
            "chart-visits",
            _("Redemptions and customers"),
            short,
            [
                charts.Series("redemptions", _("Redemptions"), _column(data.series, "redemptions")),
                charts.Series("customers", _("Customers"), _column(data.series, "customers")),
            ],
        ),
        "revenue": _money_lines(
            "chart-revenue",
            _("Revenue"),
            short,
            [
                charts.Series(
                    "revenue", _("Revenue"), _column(data.series, "revenue_fen"), tone="green"
                )
            ],
            area=True,
        ),
        "rating": charts.line_chart(
            "chart-rating",
            _("Average rating by month"),
            month_labels,
            [
                charts.Series(
                    "rating", _("Average stars"), [p.average for p in data.ratings], tone="red"
                )
            ],
            ticks=[1, 2, 3, 4, 5],
            fmt=stars,
            tick_fmt=format_decimal,
            description=_(
                "%(count)s published reviews in 12 months, average %(average)s stars.",
                count=data.rating_reviews,
                average=stars(data.rating_average),
            )
            if data.rating_reviews
            else _("No published reviews in the last 12 months."),
            empty=_("No published reviews in the last 12 months."),
        ),
    }


@bp.route("/shops/<int:shop_id>/dashboard", methods=["GET", "POST"])
def shop(shop_id: int):
    """Redemptions, revenue, customers and rating over time; the lost-customer window."""
    shop = _shop(shop_id)
    grain = grain_arg()
    editable = shop_service.can_manage(current_user, shop)
    form = LostWindowForm(formdata=None, months=shop.lost_after_months)
    status = 200
    if request.method == "POST":
        if not editable:
            abort(404)
        form = LostWindowForm()
        if form.validate_on_submit():
            try:
                with db.session.begin_nested():
                    service.set_lost_window(current_user, shop, form.months.data)
            except DashboardError as error:
                form.months.errors.append(error_message(error))
            else:
                flash(
                    _(
                        "Saved: customers count as lost after %(months)s months without a visit.",
                        months=shop.lost_after_months,
                    ),
                    "success",
                )
                return redirect(url_for("merchant.dashboard.shop", shop_id=shop.id, by=grain.value))
        status = 422
        db.session.refresh(shop)
    data = service.shop_dashboard(shop, grain, local_today(), local_zone())
    short, full = bucket_labels(grain, data.spans)
    return render_template(
        "merchant/dashboard/shop.html",
        shop=shop,
        data=data,
        grain=grain,
        grains=GRAIN_NAMES,
        heading=GRAIN_HEADINGS[grain],
        labels=full,
        charts=_shop_charts(data, short),
        form=form,
        editable=editable,
        percent=percent,
        stars=stars,
    ), status


@bp.route("/shops/<int:shop_id>/lost-customers")
def lost(shop_id: int):
    """Customers who have not been back for the shop's window, to win them back."""
    shop = _shop(shop_id)
    page = page_arg(request.args)
    now = utcnow()
    cutoff = service.lost_cutoff(shop, local_today(), local_zone())
    customers = service.lost_customers(shop, cutoff, now=now, page=page)
    base = service.customer_base(shop, cutoff)
    return render_template(
        "merchant/dashboard/lost.html",
        shop=shop,
        customers=customers,
        base=base,
        cutoff=cutoff,
        page=page,
        has_next=page * service.LOST_PAGE_SIZE < base.lost,
        editable=shop_service.can_manage(current_user, shop),
    )


@bp.route("/shops/<int:shop_id>/lost-customers/<int:owner_id>/message", methods=["GET", "POST"])
def message(shop_id: int, owner_id: int):
    """Write to one lost customer; the platform delivers it, their contact stays hidden."""
    shop = _shop(shop_id)
    if not shop_service.can_manage(current_user, shop):
        abort(404)
    now = utcnow()
    cutoff = service.lost_cutoff(shop, local_today(), local_zone())
    found = service.lost_customers(shop, cutoff, now=now, owner_id=owner_id)
    if not found:
        abort(404)
    customer = found[0]
    form = WinBackForm()
    if request.method == "GET":
        form.message.data = _(
            "It has been a while since your last visit to %(shop)s. We would be glad to see "
            "you and your car again.",
            shop=shop.display_name,
        )
    status = 200
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                service.send_winback(
                    current_user,
                    shop,
                    owner_id,
                    form.message.data,
                    link=url_for("shops.page", slug=shop.slug),
                    now=now,
                    today=local_today(),
                    zone=local_zone(),
                )
        except DashboardError as error:
            if error.code == "not_lost":
                abort(404)
            form.message.errors.append(error_message(error))
            status = 422
        else:
            flash(
                _(
                    "Sent. %(customer)s will find your message in their notifications.",
                    customer=customer.masked_name,
                ),
                "success",
            )
            return redirect(url_for("merchant.dashboard.lost", shop_id=shop.id))
    elif request.method == "POST":
        status = 422
    return render_template(
        "merchant/dashboard/message.html", shop=shop, customer=customer, form=form
    ), status


def platform_context() -> dict:
    """What the admin's platform dashboard shows (rendered by the admin blueprint)."""
    grain = grain_arg()
    data = service.platform_dashboard(grain, local_today(), local_zone())
    short, full = bucket_labels(grain, data.spans)

    return {
        "data": data,
        "grain": grain,
        "grains": GRAIN_NAMES,
        "heading": GRAIN_HEADINGS[grain],
        "labels": full,
        "charts": {
            "money": _money_lines(
                "chart-money",
                _("GMV and refunds"),
                short,
                [
                    charts.Series("gmv", _("GMV"), _column(data.series, "gmv_fen"), tone="green"),
                    charts.Series(
                        "refunds", _("Refunds"), _column(data.series, "refunds_fen"), tone="red"
                    ),
                ],
            ),
            "activity": _bars(
                "chart-activity",
                _("Paid orders and redemptions"),
                short,
                [
                    charts.Series("orders", _("Paid orders"), _column(data.series, "orders")),
                    charts.Series(
                        "redemptions",
                        _("Redemptions"),
                        _column(data.series, "redemptions"),
                        tone="amber",
                    ),
                ],
            ),
        },
    }
