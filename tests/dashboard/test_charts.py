"""The server-drawn charts: titled, told apart, with labels that fit a phone-wide drawing."""

import html
import re

import pytest
from flask_babel import force_locale

from marketplace import charts
from marketplace.charts import Series
from marketplace.i18n import money

DAYS = [f"05-{d:02d}" for d in range(1, 31)]
MONTHS = [f"25-{m:02d}" for m in range(1, 13)]
TEXT_RE = re.compile(
    r'<text class="(?P<cls>[^"]+)" x="(?P<x>[-\d.]+)" y="(?P<y>[-\d.]+)"'
    r'(?: text-anchor="(?P<anchor>\w+)")?[^>]*>(?P<text>.*?)</text>'
)


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def texts(svg: str) -> list[charts.Text]:
    return [
        charts.Text(
            float(m["x"]),
            float(m["y"]),
            html.unescape(m["text"]),
            charts.text_width(
                html.unescape(m["text"]),
                charts.TITLE_FONT * charts.BOLD if m["cls"] == "chart-heading" else charts.FONT,
            ),
            m["anchor"] or "start",
        )
        for m in TEXT_RE.finditer(svg)
    ]


def view_box(svg: str) -> tuple[float, float]:
    width, height = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups()
    return float(width), float(height)


def revenue(values, title="Revenue"):
    return charts.line_chart(
        "chart-revenue",
        title,
        DAYS[-len(values) :],
        [Series("revenue", "Revenue", values, tone="green")],
        fmt=money,
        tick_fmt=charts.money_tick,
        minimum_step=100,
        area=True,
        empty="Nothing in this period.",
    )


def visits(redemptions, customers):
    return charts.bar_chart(
        "chart-visits",
        "Redemptions and customers",
        DAYS[: len(redemptions)],
        [
            Series("redemptions", "Redemptions", redemptions),
            Series("customers", "Customers", customers),
        ],
        empty="Nothing in this period.",
    )


def rating(values):
    return charts.line_chart(
        "chart-rating",
        "Average rating by month",
        MONTHS,
        [Series("rating", "Average stars", values, tone="red")],
        ticks=[1, 2, 3, 4, 5],
        tick_fmt=str,
    )


def test_every_chart_has_a_visible_title_and_an_accessible_name(ctx):
    for svg in (revenue([0, 103500]), visits([1, 2], [1, 1]), rating([None] * 11 + [4.5])):
        chart_id = re.search(r'<svg class="chart" id="([\w-]+)"', svg).group(1)
        assert f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"' in svg
        title = re.search(rf'<title id="{chart_id}-title">(.*?)</title>', svg).group(1)
        heading = re.search(r'<text class="chart-heading"[^>]*>(.*?)</text>', svg).group(1)
        assert title and heading == title
        assert 'width="100%"' in svg and view_box(svg)[0] == charts.WIDTH


def test_counts_are_bars_money_and_ratings_lines(ctx):
    assert 'data-kind="bars"' in visits([1, 2], [1, 1])
    assert 'data-kind="line"' in revenue([0, 3900])
    assert 'data-kind="line"' in rating([4.0] * 12)
    assert '<rect class="chart-bar' not in revenue([0, 3900])
    assert '<polygon class="chart-area' in revenue([3900, 3900])  # the revenue line is shaded


def test_two_series_share_a_chart_with_a_legend_one_has_none(ctx):
    two = visits([3, 2], [2, 1])
    assert re.findall(r'class="chart-legend"[^>]*data-series="(\w+)"', two) == [
        "redemptions",
        "customers",
    ]
    assert two.count('class="chart-swatch chart-tone-blue"') == 1
    assert two.count('class="chart-swatch chart-tone-amber"') == 1
    assert re.findall(r'data-series="customers" data-value="(\d+)"', two) == ["2", "1"]
    assert "chart-legend" not in revenue([0, 3900])
    money_lines = charts.line_chart(
        "chart-money",
        "GMV and refunds",
        DAYS[:3],
        [Series("gmv", "GMV", [100, 200, 300]), Series("refunds", "Refunds", [0, 100, 0])],
        fmt=str,
    )
    assert money_lines.count('class="chart-legend"') == 2
    assert "chart-dashed" in money_lines  # the second line is told apart without colour


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("top_fen", [0, 99, 103500, 999_999_00, 12_345_678_900])
def test_the_widest_y_label_fits_in_the_left_margin(ctx, locale, top_fen):
    with force_locale(locale):
        ticks = charts.nice_ticks(top_fen, minimum_step=100)
        box = charts.layout("Revenue", DAYS, ticks, charts.money_tick)
        widest = max(charts.text_width(charts.money_tick(t)) for t in ticks)
        assert box.left - charts.GAP - charts.EDGE >= widest
        assert all(label.extent[0] >= 0 for label in box.y_labels)
        assert ticks[-1] >= top_fen


def test_money_on_the_axis_is_whole_or_abbreviated_yuan(ctx):
    with force_locale("zh_CN"):
        assert charts.money_tick(103500) == "¥1,035"
        assert charts.money_tick(125_000_00) == "¥12.5万"
        assert revenue([0, 103500]).count(">¥1,500</text>") == 1  # the top of the axis
    with force_locale("en"):
        assert charts.money_tick(103500) == "CN¥1,035"
        assert charts.money_tick(125_000_00) == "CN¥125K"


def test_nice_ticks():
    assert charts.nice_ticks(103500, minimum_step=100) == [0, 50000, 100000, 150000]
    assert charts.nice_ticks(3) == [0, 1, 2, 3]
    assert charts.nice_ticks(0) == [0, 1]
    assert charts.nice_ticks(7) == [0, 2, 4, 6, 8]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize(
    "draw",
    [
        lambda: revenue([0] * 28 + [3900, 1_234_567_00]),
        lambda: revenue([50000] * 12),
        lambda: revenue([0] * 30),
        lambda: visits([i % 5 for i in range(30)], [i % 3 for i in range(30)]),
        lambda: visits([1200, 15000], [900, 14000]),
        lambda: rating([None, 4.5, 4.0, None, 3.0, 5.0, 4.2, 4.8, None, None, 2.0, 3.0]),
        lambda: revenue([100, 200], title="营业额（按天，最近三十天，已扣除撤销的核销与退款）" * 2),
    ],
)
def test_no_label_is_clipped(ctx, locale, draw):
    """Every text, as wide as estimated, lies inside the drawing: none starts left of 0 or
    ends beyond the width, and x labels do not run into each other."""
    with force_locale(locale):
        svg = draw()
    width, height = view_box(svg)
    placed = texts(svg)
    assert placed
    for t in placed:
        start, end = t.extent
        assert start >= 0 and end <= width, (t.text, start, end)
        assert 0 < t.y <= height, t.text
    x_labels = [t for t in placed if t.anchor == "middle" and re.fullmatch(r"\d\d-\d\d", t.text)]
    for a, b in zip(x_labels, x_labels[1:], strict=False):
        assert a.extent[1] <= b.extent[0], (a.text, b.text)
    assert x_labels[-1].text in (DAYS[-1], MONTHS[-1], DAYS[1])  # the latest is labelled


def test_a_title_too_long_is_cut_short_on_the_drawing_not_in_its_name(ctx):
    long = "营业额" * 40
    svg = revenue([100, 200], title=long)
    assert f">{long}</title>" in svg
    heading = re.search(r'<text class="chart-heading"[^>]*>(.*?)</text>', svg).group(1)
    assert heading.endswith("…") and len(heading) < len(long)


def test_an_empty_chart_says_so(ctx):
    assert "Nothing in this period." in re.search(
        r'<text class="chart-empty".*?</text>', revenue([0] * 30)
    ).group(0)
    assert "chart-empty" not in revenue([0, 100])


def test_texts_are_escaped(ctx):
    svg = charts.bar_chart("c", "<b>x</b>", ["<i>"], [Series("s", "<s>", [1])])
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "<i>" not in svg
