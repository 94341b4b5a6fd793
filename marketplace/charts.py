"""Small charts drawn on the server as inline SVG: no script, no outside asset.

Each chart is an accessible image (role="img", named by its <title> and a <desc> summing it
up) with its title also drawn at its top, so charts side by side tell themselves apart.
Counts are bars, amounts of money and ratings lines; where two series share a chart, a
legend names them (and the second line is dashed, for readers who do not tell the colours
apart). A chart scales with its container through its viewBox, 360 units wide: a phone's
width, so its 12-unit labels read at about 12 px on a 390 px screen.

Text in SVG does not wrap and cannot be measured on the server, so `text_width` estimates
it (generously) and `layout` sizes the margins from the widest label: the y-axis labels
(money abbreviated per locale by `money_tick`, ¥1,035 or ¥12.5万) always fit on the left,
the last x label on the right. Colours come from classes in app.css (the
Content-Security-Policy forbids inline styles). The numbers themselves are always in a
table next to the chart. Every text and attribute goes through Markup.format, which
escapes it.
"""

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import format_compact_currency, format_currency
from flask import current_app
from flask_babel import format_decimal, get_locale
from markupsafe import Markup

WIDTH = 360
FONT = 12  # the labels' font-size, in viewBox units (.chart-label in app.css)
TITLE_FONT = 14  # .chart-heading
BOLD = 1.1  # bold text is this much wider
EDGE = 2  # nothing is drawn closer to the edge than this
GAP = 6  # between a y label and the plot
TITLE_BAND = 24
LEGEND_ROW = 18
SWATCH = 12
PLOT_HEIGHT = 140
BOTTOM = FONT + 10  # the x labels under the axis
RIGHT_MIN = 8
X_LABEL_GAP = 8  # at least this much space between two x labels
TICKS = 4  # about this many steps up the y axis
TONES = ("blue", "amber", "green", "red")

# Advance widths as a share of the font size, on the wide side of common system fonts
# (DejaVu Sans, the widest of them, draws digits at 0.64 em and capitals at up to 0.8).
_NARROW = set(" .,:;'!|ilIjf()[]")
_WIDE = set("MWmw@%—")


def text_width(text: str, size: float = FONT) -> float:
    """An upper estimate of how wide `text` is drawn at `size`: Chinese characters (and
    other wide ones) take a full em, digits 0.65, letters 0.62 to 1, punctuation less."""
    total = 0.0
    for ch in str(text):
        if ch in _WIDE or unicodedata.east_asian_width(ch) in ("W", "F"):
            total += 1.0
        elif ch in _NARROW:
            total += 0.36
        elif ch.isdigit():
            total += 0.65
        elif ch.isupper():
            total += 0.78
        else:
            total += 0.66
    return total * size


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def nice_ticks(high: float, *, low: float = 0, minimum_step: float = 1) -> list[float]:
    """Round values from `low` up to at least `high`, about TICKS steps of 1, 2, 2.5 or 5
    times a power of ten (and never finer than `minimum_step`)."""
    span = max(high - low, 0)
    raw = max(span / TICKS, minimum_step)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if step < minimum_step:
        step = minimum_step
    count = max(1, math.ceil(span / step - 1e-9))
    return [low + i * step for i in range(count + 1)]


@lru_cache(maxsize=8)
def _whole_pattern(locale: Locale) -> str:
    """The locale's currency pattern without its decimals ("¤#,##0.00" → "¤#,##0")."""
    return re.sub(r"\.0+", "", locale.currency_formats["standard"].pattern)


def money_tick(fen: float) -> str:
    """An axis label for an amount in fen: whole yuan as the locale writes them (¥1,035,
    CN¥1,035), from ¥100,000 on abbreviated the locale's way (¥12.5万, CN¥125K)."""
    currency = current_app.config["MARKETPLACE_CURRENCY"]
    locale = get_locale()
    amount = Decimal(int(round(fen))).scaleb(-2)
    if abs(amount) >= 100_000:
        return format_compact_currency(amount, currency, locale=locale, fraction_digits=2)
    return format_currency(
        amount.to_integral_value(),
        currency,
        format=_whole_pattern(locale),
        locale=locale,
        currency_digits=False,
    )


def count_tick(value: float) -> str:
    """An axis label for a count: 1,250."""
    return format_decimal(int(value))


@dataclass(frozen=True)
class Series:
    """One line or set of bars: `key` names it in the markup (data-series), `name` in the
    legend; `tone` picks its colour (by default, by its place in the chart)."""

    key: str
    name: str
    values: Sequence[float | None]
    tone: str = ""


@dataclass(frozen=True)
class Text:
    """A label as placed: its anchor point and the estimated width it takes."""

    x: float
    y: float
    text: str
    width: float
    anchor: str = "middle"  # or "start", "end"

    @property
    def extent(self) -> tuple[float, float]:
        """From where to where it reaches along x."""
        if self.anchor == "start":
            return self.x, self.x + self.width
        if self.anchor == "end":
            return self.x - self.width, self.x
        return self.x - self.width / 2, self.x + self.width / 2


@dataclass(frozen=True)
class Layout:
    """Where everything of a chart goes, in viewBox units."""

    width: float
    height: float
    left: float  # the plot's box
    right: float
    top: float
    bottom: float
    slot: float  # the room of one period along x
    title: Text
    legend: tuple[tuple[float, float, int, Text], ...]  # swatch x, y, series index, text
    y_labels: tuple[Text, ...]
    x_labels: tuple[tuple[int, Text], ...]  # period index, text
    low: float
    high: float

    def x(self, index: int) -> float:
        """The middle of period `index`."""
        return self.left + self.slot * (index + 0.5)

    def y(self, value: float) -> float:
        return self.bottom - (self.bottom - self.top) * (value - self.low) / (self.high - self.low)

    @property
    def texts(self) -> list[Text]:
        return [
            self.title,
            *(t for *_, t in self.legend),
            *self.y_labels,
            *(t for _, t in self.x_labels),
        ]


def _fit(text: str, size: float, room: float) -> str:
    """`text`, cut short with an ellipsis if it would not fit in `room`."""
    if text_width(text, size) <= room:
        return text
    while text and text_width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


def layout(
    title: str,
    x_labels: Sequence[str],
    ticks: Sequence[float],
    tick_fmt: Callable[[float], str],
    names: Sequence[str] = (),
) -> Layout:
    """Place the title, the legend (when more than one series is named), the y labels of
    `ticks` and the x labels: the left margin is as wide as the widest y label, the right
    one holds half the last x label, and only as many x labels are shown as fit side by
    side (always the latest period's)."""
    shown_title = _fit(title, TITLE_FONT * BOLD, WIDTH - 2 * EDGE)
    heading = Text(
        EDGE, TITLE_FONT + 2, shown_title, text_width(shown_title, TITLE_FONT * BOLD), "start"
    )

    legend = []
    top = TITLE_BAND
    if len(names) > 1:
        x, row = EDGE, 0
        for i, name in enumerate(names):
            name = _fit(name, FONT, WIDTH - 2 * EDGE - SWATCH - 4)
            item = SWATCH + 4 + text_width(name, FONT)
            if x > EDGE and x + item > WIDTH - EDGE:
                x, row = EDGE, row + 1
            y = TITLE_BAND + row * LEGEND_ROW
            legend.append(
                (x, y, i, Text(x + SWATCH + 4, y + FONT - 2, name, text_width(name, FONT), "start"))
            )
            x += item + 14
        top += (row + 1) * LEGEND_ROW
    top += FONT // 2  # the top tick's label sits half above its line

    tick_texts = [tick_fmt(t) for t in ticks]
    left = math.ceil(EDGE + max((text_width(t) for t in tick_texts), default=0) + GAP)
    count = max(len(x_labels), 1)
    widths = [text_width(label) for label in x_labels] or [0]
    widest = max(widths)
    right = RIGHT_MIN
    for _ in range(3):  # the slot depends on the margin, the margin on the slot
        slot = (WIDTH - left - right) / count
        right = max(RIGHT_MIN, math.ceil(widths[-1] / 2 - slot / 2 + EDGE))
    slot = (WIDTH - left - right) / count
    step = max(1, math.ceil((widest + X_LABEL_GAP) / slot))
    bottom = top + PLOT_HEIGHT
    low, high = ticks[0], ticks[-1]
    if high <= low:
        high = low + 1

    def y_of(value: float) -> float:
        return bottom - PLOT_HEIGHT * (value - low) / (high - low)

    y_labels = tuple(
        Text(left - GAP, y_of(t) + FONT * 0.35, s, text_width(s), "end")
        for t, s in zip(ticks, tick_texts, strict=True)
    )
    x_shown = []
    for i, label in enumerate(x_labels):
        if (len(x_labels) - 1 - i) % step:
            continue
        centre = left + slot * (i + 0.5)
        if centre - widths[i] / 2 < EDGE:  # the first one would stick out on the left
            continue
        x_shown.append((i, Text(centre, bottom + FONT + 4, label, widths[i])))
    return Layout(
        width=WIDTH,
        height=bottom + BOTTOM,
        left=left,
        right=WIDTH - right,
        top=top,
        bottom=bottom,
        slot=slot,
        title=heading,
        legend=tuple(legend),
        y_labels=y_labels,
        x_labels=tuple(x_shown),
        low=low,
        high=high,
    )


def _text(cls: str, t: Text, **attrs) -> Markup:
    anchor = Markup(' text-anchor="{}"').format(t.anchor) if t.anchor != "start" else ""
    extra = Markup("").join(Markup(' {}="{}"').format(k, v) for k, v in attrs.items())
    return Markup('<text class="{}" x="{}" y="{}"{}{}>{}</text>').format(
        cls, _num(t.x), _num(t.y), anchor, extra, t.text
    )


def _tone(series: Series, index: int) -> str:
    return series.tone or TONES[index % len(TONES)]


def _frame(
    chart_id: str, kind: str, title: str, description: str, box: Layout, body: list[Markup]
) -> Markup:
    head = Markup(
        '<svg class="chart" id="{id}" data-kind="{kind}" role="img" '
        'aria-labelledby="{id}-title {id}-desc" width="100%" '
        'viewBox="0 0 {w} {h}" preserveAspectRatio="xMidYMid meet" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
    ).format(
        id=chart_id,
        kind=kind,
        w=_num(box.width),
        h=_num(box.height),
        title=title,
        desc=description,
    )
    return (
        head
        + _text("chart-heading", box.title, **{"aria-hidden": "true"})
        + Markup("").join(body)
        + Markup("</svg>")
    )


def _legend(box: Layout, series: Sequence[Series], kind: str) -> list[Markup]:
    parts = []
    for x, y, i, text in box.legend:
        tone = _tone(series[i], i)
        if kind == "bars":
            parts.append(
                Markup(
                    '<rect class="chart-swatch chart-tone-{}" x="{}" y="{}" width="{}" '
                    'height="{}"/>'
                ).format(tone, _num(x), _num(y + 1), SWATCH, SWATCH - 2)
            )
        else:
            dashed = " chart-dashed" if i else ""
            parts.append(
                Markup(
                    '<line class="chart-line chart-tone-{}{}" x1="{}" y1="{}" x2="{}" y2="{}"/>'
                ).format(tone, dashed, _num(x), _num(y + 6), _num(x + SWATCH), _num(y + 6))
            )
        parts.append(_text("chart-legend", text, **{"data-series": series[i].key}))
    return parts


def _axes(box: Layout, ticks: Sequence[float]) -> list[Markup]:
    parts = []
    for t, label in zip(ticks, box.y_labels, strict=True):
        cls = "chart-axis" if t == box.low else "chart-rule"
        parts.append(
            Markup('<line class="{}" x1="{}" y1="{}" x2="{}" y2="{}"/>').format(
                cls, box.left, _num(box.y(t)), _num(box.right), _num(box.y(t))
            )
        )
        parts.append(_text("chart-label", label))
    parts.extend(_text("chart-label", t) for _, t in box.x_labels)
    return parts


def _nothing(box: Layout, empty: str) -> list[Markup]:
    if not empty:
        return []
    t = Text((box.left + box.right) / 2, (box.top + box.bottom) / 2, empty, text_width(empty))
    return [_text("chart-empty", t)]


def bar_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    fmt: Callable[[float], str] = str,
    tick_fmt: Callable[[float], str] = count_tick,
    minimum_step: float = 1,
    description: str = "",
    empty: str = "",
) -> Markup:
    """Bars (side by side when there are several series) of counts or amounts, none
    negative, over the periods `labels`; each bar carries "period · series: value" as its
    <title>, and its value (unformatted) as data-value."""
    top = max((v or 0 for s in series for v in s.values), default=0)
    ticks = nice_ticks(top, minimum_step=minimum_step)
    box = layout(title, labels, ticks, tick_fmt, [s.name for s in series])
    group = box.slot * 0.76
    bar_w = max(group / max(len(series), 1), 1)
    body = _axes(box, ticks) + _legend(box, series, "bars")
    for j, s in enumerate(series):
        tone = _tone(s, j)
        for i, (label, value) in enumerate(zip(labels, s.values, strict=True)):
            value = value or 0
            x = box.left + box.slot * i + (box.slot - group) / 2 + j * bar_w
            h = box.bottom - box.y(max(value, 0))
            named = f"{label} · {s.name}" if len(series) > 1 else label
            body.append(
                Markup(
                    '<rect class="chart-bar chart-tone-{}" x="{}" y="{}" width="{}" height="{}" '
                    'data-series="{}" data-value="{}"><title>{}: {}</title></rect>'
                ).format(
                    tone,
                    _num(x),
                    _num(box.bottom - h),
                    _num(bar_w),
                    _num(h),
                    s.key,
                    value,
                    named,
                    fmt(value),
                )
            )
    if top <= 0:
        body += _nothing(box, empty)
    return _frame(chart_id, "bars", title, description or empty, box, body)


def line_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    fmt: Callable[[float], str] = _num,
    tick_fmt: Callable[[float], str] | None = None,
    ticks: Sequence[float] | None = None,
    minimum_step: float = 1,
    area: bool = False,
    description: str = "",
    empty: str = "",
) -> Markup:
    """Lines through the series' values (None leaves a gap), on the scale of `ticks` (by
    default round steps from 0 up to the highest value); with `area`, the first series is
    shaded down to the axis. Each point carries "period · series: value" as its <title>."""
    top = max((v for s in series for v in s.values if v is not None), default=None)
    if ticks is None:
        ticks = nice_ticks(top or 0, minimum_step=minimum_step)
    box = layout(title, labels, ticks, tick_fmt or fmt, [s.name for s in series])
    body = _axes(box, ticks) + _legend(box, series, "line")
    for j, s in enumerate(series):
        tone = _tone(s, j)
        runs: list[list[tuple[float, float]]] = [[]]
        for i, value in enumerate(s.values):
            if value is None:
                runs.append([])
            else:
                runs[-1].append((box.x(i), box.y(value)))
        for points in runs:
            if area and j == 0 and len(points) > 1:
                outline = [(points[0][0], box.bottom), *points, (points[-1][0], box.bottom)]
                body.append(
                    Markup('<polygon class="chart-area chart-tone-{}" points="{}"/>').format(
                        tone, " ".join(f"{_num(x)},{_num(y)}" for x, y in outline)
                    )
                )
            if len(points) > 1:
                body.append(
                    Markup('<polyline class="chart-line chart-tone-{}{}" points="{}"/>').format(
                        tone,
                        " chart-dashed" if j else "",
                        " ".join(f"{_num(x)},{_num(y)}" for x, y in points),
                    )
                )
        radius = 3.5 if box.slot >= 12 else 2.5
        for i, (label, value) in enumerate(zip(labels, s.values, strict=True)):
            if value is None:
                continue
            named = f"{label} · {s.name}" if len(series) > 1 else label
            body.append(
                Markup(
                    '<circle class="chart-point chart-tone-{}" cx="{}" cy="{}" r="{}" '
                    'data-series="{}" data-value="{}"><title>{}: {}</title></circle>'
                ).format(
                    tone,
                    _num(box.x(i)),
                    _num(box.y(value)),
                    radius,
                    s.key,
                    value,
                    named,
                    fmt(value),
                )
            )
    if not top:
        body += _nothing(box, empty)
    return _frame(chart_id, "line", title, description or empty, box, body)
