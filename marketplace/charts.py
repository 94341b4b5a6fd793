"""Small charts drawn on the server as inline SVG: no script, no outside asset.

Each chart is an accessible image (role="img" with a <title> and a <desc> naming its
highest point), scales with its container through its viewBox (so it fits a phone), and
carries a <title> per bar or point for a pointer's tooltip. Colours come from classes in
app.css (the Content-Security-Policy forbids inline styles). The numbers themselves are
always in a table next to the chart. Every text and attribute goes through Markup.format,
which escapes it.
"""

from collections.abc import Callable, Sequence

from markupsafe import Markup

WIDTH = 400
HEIGHT = 200
LEFT = 56  # room for the y-axis labels
RIGHT = 8
TOP = 12
BOTTOM = 26  # room for the x-axis labels
MAX_X_LABELS = 7


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _frame(chart_id: str, title: str, description: str, body: list[Markup]) -> Markup:
    head = Markup(
        '<svg class="chart" id="{id}" role="img" aria-labelledby="{id}-title {id}-desc" '
        'viewBox="0 0 {w} {h}" preserveAspectRatio="xMidYMid meet" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
    ).format(id=chart_id, w=WIDTH, h=HEIGHT, title=title, desc=description)
    return head + Markup("").join(body) + Markup("</svg>")


def _axes(top_value: str, labels: Sequence[str], xs: Sequence[float]) -> list[Markup]:
    bottom = HEIGHT - BOTTOM
    parts = [
        Markup('<line class="chart-rule" x1="{}" y1="{}" x2="{}" y2="{}"/>').format(
            LEFT, TOP, WIDTH - RIGHT, TOP
        ),
        Markup('<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}"/>').format(
            LEFT, bottom, WIDTH - RIGHT, bottom
        ),
        Markup('<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>').format(
            LEFT - 4, TOP + 4, top_value
        ),
    ]
    step = max(1, -(-len(labels) // MAX_X_LABELS))
    for i, (label, x) in enumerate(zip(labels, xs, strict=True)):
        if i % step == 0:
            parts.append(
                Markup(
                    '<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>'
                ).format(_num(x), HEIGHT - 8, label)
            )
    return parts


def bar_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[int | float],
    *,
    fmt: Callable[[int | float], str] = str,
    describe: Callable[[str, str], str] | None = None,
    empty: str = "",
) -> Markup:
    """Bars of `values` (not negative) over `labels`. `describe(label, value)` words the
    highest bar for the chart's <desc>; each bar carries "label: value" as its <title>."""
    count = len(values)
    top = max(values, default=0) or 1
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / max(count, 1)
    bar_w = max(slot * 0.7, 1)
    body = []
    xs = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = LEFT + i * slot + (slot - bar_w) / 2
        xs.append(x + bar_w / 2)
        h = plot_h * max(value, 0) / top
        body.append(
            Markup(
                '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}" data-value="{}">'
                "<title>{}: {}</title></rect>"
            ).format(
                _num(x), _num(TOP + plot_h - h), _num(bar_w), _num(h), value, label, fmt(value)
            )
        )
    summary = empty
    if describe and count and max(values) > 0:
        best = max(range(count), key=lambda i: (values[i], -i))
        summary = describe(labels[best], fmt(values[best]))
    return _frame(chart_id, title, summary, _axes(fmt(top), labels, xs) + body)


def line_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    low: float,
    high: float,
    fmt: Callable[[float], str] = _num,
    description: str = "",
) -> Markup:
    """A line through `values` on the fixed scale [low, high]; None leaves a gap."""
    count = len(values)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / max(count, 1)
    xs = [LEFT + slot * (i + 0.5) for i in range(count)]

    def y(value: float) -> float:
        return TOP + plot_h * (high - value) / (high - low)

    body = [
        Markup('<text class="chart-label" x="{}" y="{}" text-anchor="end">{}</text>').format(
            LEFT - 4, HEIGHT - BOTTOM, fmt(low)
        )
    ]
    runs: list[list[str]] = [[]]
    for x, value in zip(xs, values, strict=True):
        if value is None:
            runs.append([])
        else:
            runs[-1].append(f"{_num(x)},{_num(y(value))}")
    for points in runs:
        if len(points) > 1:
            body.append(
                Markup('<polyline class="chart-line" points="{}"/>').format(" ".join(points))
            )
    for label, x, value in zip(labels, xs, values, strict=True):
        if value is not None:
            body.append(
                Markup(
                    '<circle class="chart-point" cx="{}" cy="{}" r="3.5" data-value="{}">'
                    "<title>{}: {}</title></circle>"
                ).format(_num(x), _num(y(value)), fmt(value), label, fmt(value))
            )
    return _frame(chart_id, title, description, _axes(fmt(high), labels, xs) + body)
