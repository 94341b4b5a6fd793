"""The maintenance rules parser, rule selection and the matcher (pure: no app needed)."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.services.maintenance import (
    CSV_COLUMNS,
    EV_EXCLUDED,
    FUEL_TYPES,
    ITEMS,
    RANK,
    RULES_CSV,
    TRANSMISSIONS,
    URGENCY,
    ItemResult,
    Rule,
    RulesFileError,
    ServiceRecord,
    add_months,
    bundled_rules,
    match_maintenance,
    months_between,
    parse_rules_csv,
    select_rules,
)

TODAY = date(2025, 6, 15)
HEADER = ",".join(CSV_COLUMNS)


def make_rule(**fields) -> Rule:
    fields.setdefault("key", "R1")
    fields.setdefault("item", "engine_oil")
    fields.setdefault("source", "test rule")
    return Rule(**fields)


def match_one(rule: Rule, **kwargs) -> ItemResult:
    kwargs.setdefault("today", TODAY)
    kwargs.setdefault("odometer_km", 0)
    [result] = match_maintenance([rule], **kwargs)
    return result


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join((header, *rows)) + "\n"


def row(key: str = "A1", item: str = "engine_oil", **fields: str) -> str:
    """One CSV line in the import format; unnamed columns empty, `source` set unless given."""
    fields = {"key": key, "item": item, "source": "src"} | fields
    return ",".join(f'"{fields.get(name, "")}"' for name in CSV_COLUMNS)


# --- statuses at and around the boundaries --------------------------------------------------

OIL_KM = make_rule(every_km=10_000)


@pytest.mark.parametrize(
    ("odometer", "status"),
    [
        (47_499, "ok"),
        (47_500, "upcoming"),  # 25% of the interval left
        (48_999, "upcoming"),
        (49_000, "due"),  # 10% left
        (50_000, "due"),  # exactly at the due point
        (50_001, "overdue"),
    ],
)
def test_km_boundaries_with_history(odometer, status):
    result = match_one(
        OIL_KM, odometer_km=odometer, history=[ServiceRecord("engine_oil", 40_000, None)]
    )
    assert result.status == status
    assert result.next_due_km == 50_000
    assert result.km_left == 50_000 - odometer
    assert result.last_km == 40_000
    assert not result.assumed


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2025, 3, 14), "ok"),
        (date(2025, 3, 15), "upcoming"),  # 3 months before
        (date(2025, 5, 14), "upcoming"),
        (date(2025, 5, 15), "due"),  # 1 month before
        (date(2025, 6, 15), "due"),  # the due day itself
        (date(2025, 6, 16), "overdue"),
    ],
)
def test_month_boundaries_with_history(today, status):
    rule = make_rule(item="brake_fluid", every_months=12)
    result = match_one(
        rule, today=today, history=[ServiceRecord("brake_fluid", None, date(2024, 6, 15))]
    )
    assert result.status == status
    assert result.next_due_on == date(2025, 6, 15)
    assert result.days_left == (date(2025, 6, 15) - today).days


def test_whichever_comes_first():
    rule = make_rule(every_km=10_000, every_months=12)
    record = [ServiceRecord("engine_oil", 40_000, date(2024, 6, 14))]
    by_date = match_one(rule, odometer_km=41_000, history=record)
    assert by_date.status == "overdue"
    assert by_date.km_left == 9_000 and by_date.days_left == -1
    by_km = match_one(rule, odometer_km=50_500, today=date(2024, 7, 1), history=record)
    assert by_km.status == "overdue"


@pytest.mark.parametrize(
    ("odometer", "status", "basis", "next_km", "point_km"),
    [
        (0, "ok", "from_new", 10_000, None),
        (8_999, "upcoming", "from_new", 10_000, None),
        (9_000, "due", "from_new", 10_000, None),
        (10_000, "due", "first_service", 10_000, 10_000),  # reached: due, not done
        (11_000, "due", "first_service", 10_000, 10_000),  # the due window after the point
        (11_001, "unknown", "unknown_history", None, 10_000),
        (19_999, "unknown", "unknown_history", None, 10_000),
        (95_000, "unknown", "unknown_history", None, 90_000),
    ],
)
def test_without_history_nothing_is_assumed_done(odometer, status, basis, next_km, point_km):
    result = match_one(OIL_KM, odometer_km=odometer)
    assert (result.status, result.basis, result.next_due_km) == (status, basis, next_km)
    assert result.point_km == point_km and result.assumed and result.last_km is None


@pytest.mark.parametrize(
    ("odometer", "status", "next_km"),
    [
        (3_750, "upcoming", 5_000),  # 25% of the 5,000 km first interval
        (4_499, "upcoming", 5_000),
        (4_500, "due", 5_000),  # 10% of the first interval, not of the later one
        (5_000, "due", 5_000),
        (6_000, "due", 5_000),  # within 10% of the repeat interval after the point
        (6_001, "unknown", None),
    ],
)
def test_first_interval(odometer, status, next_km):
    rule = make_rule(every_km=10_000, first_km=5_000)
    result = match_one(rule, odometer_km=odometer)
    assert (result.status, result.next_due_km) == (status, next_km)


def test_first_interval_is_not_used_after_a_recorded_service():
    rule = make_rule(every_km=10_000, first_km=5_000)
    result = match_one(rule, odometer_km=4_000, history=[ServiceRecord("engine_oil", 1_000, None)])
    assert result.next_due_km == 11_000
    assert result.status == "ok"


def test_months_from_registration_date():
    rule = make_rule(item="cabin_filter", every_months=12)
    registered = date(2023, 6, 15)
    first = match_one(rule, registered_on=registered, today=date(2024, 5, 20))
    assert (first.status, first.basis, first.next_due_on) == ("due", "from_new", date(2024, 6, 15))
    reached = match_one(rule, registered_on=registered, today=date(2024, 6, 15))
    assert (reached.status, reached.basis) == ("due", "first_service")
    later = match_one(rule, registered_on=registered, today=date(2025, 5, 15))
    assert (later.status, later.basis, later.point_on) == (
        "unknown",
        "unknown_history",
        date(2024, 6, 15),
    )
    dated = match_one(
        rule,
        registered_on=registered,
        today=date(2025, 5, 15),
        history=[ServiceRecord("cabin_filter", None, date(2024, 6, 1))],
    )
    assert (dated.status, dated.basis, dated.next_due_on) == ("due", "history", date(2025, 6, 1))


def test_months_from_age_and_first_months():
    rule = make_rule(item="brake_fluid", every_months=24, first_months=36)
    result = match_one(rule, age_months=35)
    assert result.status == "due"
    assert result.next_due_on == add_months(TODAY, 1)
    assert result.last_on is None
    reached = match_one(rule, age_months=36)
    assert (reached.status, reached.point_on) == ("due", TODAY)
    five_years = match_one(rule, age_months=60)
    assert (five_years.status, five_years.basis) == ("unknown", "unknown_history")
    assert five_years.point_on == TODAY  # 36 + 24 months: the 60-month point is today


def test_registration_date_wins_over_age_months():
    rule = make_rule(item="cabin_filter", every_months=12)
    result = match_one(rule, registered_on=date(2024, 7, 1), age_months=100)
    assert result.next_due_on == date(2025, 7, 1)


def test_unknown_when_no_dimension_can_be_measured():
    months_only = make_rule(item="battery_check", every_months=12)
    result = match_one(months_only, odometer_km=30_000)
    assert result.status == "unknown"
    assert result.next_due_on is None and result.next_due_km is None
    dated_only = match_one(
        OIL_KM, odometer_km=5_000, history=[ServiceRecord("engine_oil", None, TODAY)]
    )
    assert dated_only.status == "unknown"


def test_km_alone_when_age_is_unknown():
    rule = make_rule(every_km=10_000, every_months=12)
    result = match_one(rule, odometer_km=9_500)
    assert result.status == "due"
    assert result.next_due_on is None and result.days_left is None


def test_first_only_rule_is_due_at_its_point_and_unknown_after():
    rule = make_rule(item="coolant", first_km=210_000, first_months=120)
    assert match_one(rule, odometer_km=180_000, age_months=100).status == "upcoming"
    assert match_one(rule, odometer_km=210_000, age_months=110).status == "due"
    assert match_one(rule, odometer_km=240_000, age_months=130).status == "unknown"
    done = [ServiceRecord("coolant", 210_000, None)]
    assert match_one(rule, odometer_km=240_000, age_months=130, history=done).status == "unknown"


def test_latest_record_per_dimension():
    rule = make_rule(every_km=10_000, every_months=12)
    history = [
        ServiceRecord("engine_oil", 40_000, date(2024, 1, 1)),
        ServiceRecord("engine_oil", 30_000, date(2024, 6, 1)),
        ServiceRecord("air_filter", 49_000, date(2025, 6, 1)),
    ]
    result = match_one(rule, odometer_km=45_000, history=history)
    assert (result.last_km, result.last_on) == (40_000, date(2024, 6, 1))
    assert (result.next_due_km, result.next_due_on) == (50_000, date(2025, 6, 1))


def test_results_in_items_order_and_one_rule_per_item():
    rules = [make_rule(key="b", item="battery_check", every_months=12), OIL_KM]
    results = match_maintenance(rules, odometer_km=1, today=TODAY)
    assert [r.item for r in results] == ["engine_oil", "battery_check"]
    with pytest.raises(ValueError, match="more than one rule"):
        match_maintenance([OIL_KM, make_rule(key="R2", every_km=5_000)], odometer_km=1, today=TODAY)


def test_bad_inputs_raise():
    with pytest.raises(ValueError):
        match_one(OIL_KM, odometer_km=-1)
    with pytest.raises(ValueError):
        match_one(OIL_KM, registered_on=TODAY + timedelta(days=1))


def test_month_arithmetic():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert months_between(date(2024, 1, 31), date(2024, 2, 29)) == 1
    assert months_between(date(2024, 1, 15), date(2024, 2, 14)) == 0
    assert months_between(date(2025, 1, 1), date(2024, 1, 1)) == 0


# --- choosing rules --------------------------------------------------------------------------

SCOPED = [
    make_rule(key="generic", every_km=10_000, fuel_types={"petrol"}),
    make_rule(key="brand", every_km=15_000, fuel_types={"petrol"}, brand="起亚"),
    make_rule(key="series", every_km=5_000, brand="起亚", series="凯尊"),
    make_rule(key="other-brand-series", every_km=1_000, brand="现代", series="凯尊"),
]


@pytest.mark.parametrize(
    ("brand", "series", "key"),
    [
        ("起亚", "凯尊", "series"),
        ("起亚", "起亚K3", "brand"),
        ("丰田", "凯尊", "generic"),
        (None, None, "generic"),
    ],
)
def test_series_beats_brand_beats_generic(brand, series, key):
    chosen = select_rules(SCOPED, fuel_type="petrol", transmission="at", brand=brand, series=series)
    assert chosen["engine_oil"].key == key


def test_fuel_and_transmission_must_match():
    rules = [
        make_rule(key="atf", item="transmission_fluid", every_km=60_000, transmissions={"at"}),
        make_rule(key="cvt", item="transmission_fluid", every_km=40_000, transmissions={"cvt"}),
        make_rule(key="diesel-oil", every_km=7_500, fuel_types={"diesel"}),
        make_rule(key="any-cabin", item="cabin_filter", every_months=12),
    ]
    chosen = select_rules(rules, fuel_type="petrol", transmission="cvt")
    assert {i: r.key for i, r in chosen.items()} == {
        "cabin_filter": "any-cabin",
        "transmission_fluid": "cvt",
    }
    unknown = select_rules(rules, fuel_type=None, transmission=None)
    assert list(unknown) == ["cabin_filter"]


def test_more_specific_lists_then_shorter_interval_break_ties():
    rules = [
        make_rule(key="any", item="transmission_fluid", every_km=30_000),
        make_rule(key="at", item="transmission_fluid", every_km=80_000, transmissions={"at"}),
        make_rule(key="broad", every_km=5_000, fuel_types={"petrol", "diesel"}),
        make_rule(key="narrow", every_km=7_500, fuel_types={"diesel"}),
        make_rule(key="long", item="coolant", every_km=100_000),
        make_rule(key="short", item="coolant", every_km=40_000),
    ]
    chosen = select_rules(rules, fuel_type="diesel", transmission="at")
    assert [chosen[i].key for i in ("transmission_fluid", "engine_oil", "coolant")] == [
        "at",
        "narrow",
        "short",
    ]


def test_severe_prefers_severe_and_falls_back_to_normal():
    rules = [
        make_rule(key="oil", every_km=10_000),
        make_rule(key="oil-severe", every_km=5_000, condition="severe"),
        make_rule(key="oil-series", every_km=15_000, brand="起亚", series="凯尊"),
        make_rule(key="cabin", item="cabin_filter", every_months=12),
        make_rule(key="caliper", item="brake_caliper_service", every_km=20_000, condition="severe"),
    ]
    severe = select_rules(
        rules,
        fuel_type="petrol",
        transmission="at",
        brand="起亚",
        series="凯尊",
        condition="severe",
    )
    assert {i: r.key for i, r in severe.items()} == {
        "engine_oil": "oil-severe",  # a severe rule beats a more specific normal one
        "cabin_filter": "cabin",
        "brake_caliper_service": "caliper",
    }
    normal = select_rules(rules, fuel_type="petrol", transmission="at", brand="起亚", series="凯尊")
    assert {i: r.key for i, r in normal.items()} == {
        "engine_oil": "oil-series",
        "cabin_filter": "cabin",
    }


def test_bev_never_gets_engine_items_even_from_a_wrong_rule():
    wrong = [
        make_rule(key="oil-for-bev", every_km=10_000, fuel_types={"bev"}),
        make_rule(key="plugs", item="spark_plugs", every_km=40_000, brand="特斯拉"),
        make_rule(key="belt", item="timing_belt", every_km=100_000),
        make_rule(key="cabin", item="cabin_filter", every_months=12, fuel_types={"bev"}),
    ]
    chosen = select_rules(wrong, fuel_type="bev", transmission="single_speed", brand="特斯拉")
    assert list(chosen) == ["cabin_filter"]


def test_select_rejects_unknown_codes():
    with pytest.raises(ValueError):
        select_rules([], fuel_type="gasoline", transmission="at")
    with pytest.raises(ValueError):
        select_rules([], fuel_type="petrol", transmission="auto")
    with pytest.raises(ValueError):
        select_rules([], fuel_type="petrol", transmission="at", condition="harsh")


# --- the CSV import format ---------------------------------------------------------------------


def problems_of(text: str) -> list[str]:
    with pytest.raises(RulesFileError) as caught:
        parse_rules_csv(text)
    return caught.value.problems


def test_parses_a_valid_file():
    text = "\ufeff" + csv_text(
        row(
            item=" Engine_Oil",
            every_km="10000",
            every_months="12",
            first_km="5000",
            fuel_types=" petrol | hev ",
            brand="起亚",
            series="凯尊",
            source="manual p.3",
            source_url="https://example.com/m",
        ),
        "",
        row(
            "A2",
            "cabin_filter",
            every_months="12",
            condition="severe",
            transmissions="at|cvt",
            source="generic default",
            note="yearly",
        ),
    )
    first, second = parse_rules_csv(text)
    assert first == Rule(
        key="A1",
        item="engine_oil",
        every_km=10_000,
        every_months=12,
        first_km=5_000,
        fuel_types=frozenset({"petrol", "hev"}),
        brand="起亚",
        series="凯尊",
        source="manual p.3",
        source_url="https://example.com/m",
    )
    assert (second.condition, second.transmissions, second.note) == (
        "severe",
        {"at", "cvt"},
        "yearly",
    )


def test_missing_column_is_named():
    header = HEADER.replace(",every_km", "")
    assert problems_of(csv_text(",".join(row().split(",")[:-1]), header=header)) == [
        "row 1, every_km: missing column"
    ]


@pytest.mark.parametrize("value", ["-5000", "0", "10,000", "1.5", "ten"])
def test_bad_interval_names_row_and_field(value):
    text = csv_text(row(every_km="10000"), row("A2", every_km=value, every_months="12"))
    [problem] = problems_of(text)
    assert problem.startswith("row 3, every_km: must be a positive whole number")


def test_all_problems_are_collected_and_nothing_returned():
    text = csv_text(
        row("A1", "wiper_blades", every_km="10000"),
        row("", every_km="10000"),
        row("A3"),
        row("A1", every_km="10000", condition="sometimes", fuel_types="lpg", transmissions="auto"),
        row("A5", every_km="10000", series="凯尊"),
        row("A6", every_km="10000", source=" "),
        row("A7", every_km="10000", fuel_types="bev"),
        row("A8", every_km="10000", source_url="ftp://x"),
        "A9,engine_oil,10000",
    )
    problems = problems_of(text)
    expected = [
        "row 2, item: unknown item",
        "row 3, key: must not be blank",
        "row 4, every_km: a rule needs",
        "row 5, condition:",
        "row 5, fuel_types: unknown lpg",
        "row 5, transmissions: unknown auto",
        "row 5, key: duplicate of row 2",
        "row 6, series: a series-scoped rule needs its brand",
        "row 7, source: must not be blank",
        "row 8, fuel_types: a bev has no engine_oil",
        "row 9, source_url:",
        "row 10, columns: expected 17 values, got 3",
    ]
    assert len(problems) == len(expected)
    for want in expected:
        assert any(p.startswith(want) for p in problems), (want, problems)


def test_empty_and_header_only_files_are_rejected():
    assert problems_of("") == ["row 1, header: the file is empty"]
    assert problems_of(csv_text()) == ["row 2, key: the file has no rules"]
    assert problems_of(csv_text(row(every_km="1") + ",x", header=HEADER + ",extra")) == [
        "row 1, extra: unknown column"
    ]


def test_rule_validates_itself():
    with pytest.raises(ValueError, match="item"):
        make_rule(item="wiper_blades", every_km=1)
    with pytest.raises(ValueError, match="every_km"):
        make_rule(every_km=0)
    with pytest.raises(ValueError, match="source"):
        make_rule(every_km=1, source=" ")


# --- the bundled rules -------------------------------------------------------------------------


def test_bundled_rules_parse_cleanly():
    rules = parse_rules_csv(RULES_CSV.read_text(encoding="utf-8"))
    assert rules == list(bundled_rules())
    generic = [r for r in rules if r.key.startswith("G-")]
    oem = [r for r in rules if not r.key.startswith("G-")]
    assert len(oem) == 71 and len(generic) == 47
    assert all(r.source_url and r.source_url.startswith(("https://", "http://")) for r in oem)
    assert all(r.brand and r.source for r in oem)
    assert all(
        r.brand is None and r.series is None and r.source.startswith("generic default")
        for r in generic
    )


@pytest.mark.parametrize("fuel", [*FUEL_TYPES, None])
def test_bundled_defaults_cover_every_fuel_type(fuel):
    items = set(select_rules(bundled_rules(), fuel_type=fuel, transmission=None))
    common = {"cabin_filter", "brake_fluid", "tire_rotation", "brake_inspection", "battery_check"}
    engine = {"engine_oil", "oil_filter", "air_filter", "coolant", "fuel_filter"}
    if fuel is None:
        assert items == common
    elif fuel == "bev":
        assert items == common | {"coolant"}
    elif fuel == "diesel":
        assert items == common | engine
    else:
        assert items == common | engine | {"spark_plugs"}


def test_bundled_sample_petrol_at_48000_km_30_months():
    rules = select_rules(bundled_rules(), fuel_type="petrol", transmission="at")
    results = {
        r.item: r for r in match_maintenance(rules, odometer_km=48_000, age_months=30, today=TODAY)
    }
    # nothing known of a 48,000 km / 30-month car's oil changes: unknown, not "upcoming"
    assert (results["engine_oil"].status, results["engine_oil"].point_km) == ("unknown", 40_000)
    assert results["transmission_fluid"].next_due_km == 60_000  # not reached yet: from new
    assert results["transmission_fluid"].basis == "from_new"
    assert (results["spark_plugs"].status, results["spark_plugs"].point_km) == ("unknown", 40_000)
    assert "timing_belt" not in results
    answered = match_maintenance(
        rules,
        odometer_km=48_000,
        age_months=30,
        today=TODAY,
        history=[ServiceRecord("engine_oil", 40_500, None)],
    )
    oil = next(r for r in answered if r.item == "engine_oil")
    assert (oil.status, oil.next_due_km) == ("upcoming", 50_500)


def test_bundled_tesla_uses_the_oem_rules():
    rules = select_rules(
        bundled_rules(),
        fuel_type="bev",
        transmission="single_speed",
        brand="特斯拉",
        series="Model Y",
    )
    assert rules["cabin_filter"].key == "T07"
    assert rules["hepa_filter"].key == "T07-HEPA"
    assert not EV_EXCLUDED & set(rules)


# --- properties --------------------------------------------------------------------------------

positive = st.one_of(st.none(), st.integers(min_value=1, max_value=200_000))
months = st.one_of(st.none(), st.integers(min_value=1, max_value=240))


@st.composite
def rules_one_per_item(draw) -> list[Rule]:
    chosen = draw(st.lists(st.sampled_from(ITEMS), min_size=1, unique=True))
    rules = []
    for item in chosen:
        fields = {
            "every_km": draw(positive),
            "every_months": draw(months),
            "first_km": draw(positive),
            "first_months": draw(months),
        }
        if all(v is None for v in fields.values()):
            fields["every_km"] = draw(st.integers(min_value=1, max_value=200_000))
        rules.append(make_rule(key=item, item=item, **fields))
    return rules


dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
kms = st.integers(min_value=0, max_value=1_000_000)


@st.composite
def full_history(draw, rules: list[Rule]) -> list[ServiceRecord]:
    """A record for every item, each with a km, a date or both."""
    record_km = st.integers(min_value=0, max_value=500_000)
    return [
        draw(
            st.one_of(
                st.builds(ServiceRecord, st.just(rule.item), record_km, dates),
                st.builds(ServiceRecord, st.just(rule.item), record_km, st.none()),
                st.builds(ServiceRecord, st.just(rule.item), st.none(), dates),
            )
        )
        for rule in rules
    ]


def assert_not_less_due(before: list[ItemResult], after: list[ItemResult]) -> None:
    """Order overdue > due > upcoming > ok; `unknown` depends only on what is known, not on
    how far the car has gone, so an item is unknown before exactly when it is unknown after."""
    for a, b in zip(before, after, strict=True):
        assert a.item == b.item
        assert (a.status == "unknown") == (b.status == "unknown")
        if a.status != "unknown":
            assert URGENCY[b.status] >= URGENCY[a.status], (a, b)


@settings(max_examples=300)
@given(data=st.data(), km_a=kms, km_b=kms, today=dates)
def test_more_km_never_makes_an_item_less_due(data, km_a, km_b, today):
    rules = data.draw(rules_one_per_item())
    history = data.draw(full_history(rules))
    low, high = sorted((km_a, km_b))
    kwargs = {
        "today": today,
        "history": history,
        "age_months": data.draw(st.none() | st.integers(0, 300)),
    }
    assert_not_less_due(
        match_maintenance(rules, odometer_km=low, **kwargs),
        match_maintenance(rules, odometer_km=high, **kwargs),
    )


@settings(max_examples=300)
@given(data=st.data(), day_a=dates, day_b=dates, km=kms)
def test_more_months_never_makes_an_item_less_due(data, day_a, day_b, km):
    rules = data.draw(rules_one_per_item())
    history = data.draw(full_history(rules))
    early, late = sorted((day_a, day_b))
    registered = data.draw(st.none() | st.dates(max_value=early, min_value=date(1990, 1, 1)))
    kwargs = {"odometer_km": km, "history": history, "registered_on": registered}
    assert_not_less_due(
        match_maintenance(rules, today=early, **kwargs),
        match_maintenance(rules, today=late, **kwargs),
    )


def assert_ranked_not_less_due(before: list[ItemResult], after: list[ItemResult]) -> None:
    """Without history: ok < upcoming < due < unknown (it may have been due long ago) <
    overdue; an item that cannot be measured at all stays so."""
    for a, b in zip(before, after, strict=True):
        assert a.item == b.item
        assert (a.basis == "unmeasurable") == (b.basis == "unmeasurable"), (a, b)
        assert RANK[b.status] >= RANK[a.status], (a, b)


@settings(max_examples=300)
@given(data=st.data(), km_a=kms, km_b=kms, today=dates, age=st.none() | st.integers(0, 300))
def test_without_history_more_km_never_makes_an_item_less_due(data, km_a, km_b, today, age):
    rules = data.draw(rules_one_per_item())
    low, high = sorted((km_a, km_b))
    assert_ranked_not_less_due(
        match_maintenance(rules, odometer_km=low, age_months=age, today=today),
        match_maintenance(rules, odometer_km=high, age_months=age, today=today),
    )


@settings(max_examples=300)
@given(data=st.data(), day_a=dates, day_b=dates, km=kms)
def test_without_history_more_months_never_makes_an_item_less_due(data, day_a, day_b, km):
    rules = data.draw(rules_one_per_item())
    early, late = sorted((day_a, day_b))
    registered = data.draw(st.dates(max_value=early, min_value=date(1990, 1, 1)))
    assert_ranked_not_less_due(
        match_maintenance(rules, odometer_km=km, registered_on=registered, today=early),
        match_maintenance(rules, odometer_km=km, registered_on=registered, today=late),
    )


@settings(max_examples=200)
@given(data=st.data(), km=kms, today=dates, age=st.none() | st.integers(0, 300))
def test_without_history_nothing_is_overdue_and_nothing_is_silently_done(data, km, today, age):
    rules = data.draw(rules_one_per_item())
    results = match_maintenance(rules, odometer_km=km, age_months=age, today=today)
    for r in results:
        assert r.assumed and r.status != "overdue" and r.last_km is None and r.last_on is None
        if r.status == "ok":
            assert r.basis == "from_new", r  # "ok" only while no scheduled point is reached


@settings(max_examples=300)
@given(data=st.data(), km=kms, today=dates, age=st.none() | st.integers(0, 300))
def test_a_reached_scheduled_point_is_due_not_done(data, km, today, age):
    """At exactly a due point — the first one without history, the next one after a
    recorded service — an item is due or worse, never ok or upcoming."""
    rules = data.draw(rules_one_per_item())
    for rule in rules:
        first = rule.first_km if rule.first_km is not None else rule.every_km
        if first is not None:
            [fresh] = match_maintenance([rule], odometer_km=first, age_months=age, today=today)
            assert RANK[fresh.status] >= RANK["due"], fresh
        if rule.every_km is not None:
            done = [ServiceRecord(rule.item, km, None)]
            [after] = match_maintenance(
                [rule], odometer_km=km + rule.every_km, age_months=age, today=today, history=done
            )
            assert RANK[after.status] >= RANK["due"], after


@settings(max_examples=200)
@given(
    fuel=st.sampled_from(FUEL_TYPES),
    transmission=st.none() | st.sampled_from(TRANSMISSIONS),
    brand=st.sampled_from([None, *sorted({r.brand for r in bundled_rules() if r.brand})]),
    km=kms,
    age=st.integers(0, 300),
    history=st.booleans(),
)
def test_severe_is_never_less_due_than_normal(fuel, transmission, brand, km, age, history):
    kwargs = dict(fuel_type=fuel, transmission=transmission, brand=brand)
    normal = select_rules(bundled_rules(), condition="normal", **kwargs)
    severe = select_rules(bundled_rules(), condition="severe", **kwargs)
    assert set(normal) == set(severe)
    records = [ServiceRecord(item, km // 2, None) for item in normal] if history else []
    a = match_maintenance(normal, odometer_km=km, age_months=age, today=TODAY, history=records)
    b = match_maintenance(severe, odometer_km=km, age_months=age, today=TODAY, history=records)
    for n, s in zip(a, b, strict=True):
        if n.status != "unknown" and s.status != "unknown":
            assert URGENCY[s.status] >= URGENCY[n.status], (n, s)


@settings(max_examples=100)
@given(
    fuel=st.sampled_from(["phev", "erev"]),
    km=st.integers(0, 3_000),
    months=st.integers(12, 200),
    history=st.booleans(),
)
def test_plug_ins_get_time_based_oil_service_even_at_low_km(fuel, km, months, history):
    """A PHEV or EREV driven on electricity still needs its oil changed by time."""
    chosen = select_rules(bundled_rules(), fuel_type=fuel, transmission=None)
    assert chosen["engine_oil"].every_months
    records = [ServiceRecord("engine_oil", 0, add_months(TODAY, -months))] if history else []
    [oil] = [
        r
        for r in match_maintenance(
            chosen, odometer_km=km, age_months=months, today=TODAY, history=records
        )
        if r.item == "engine_oil"
    ]
    assert RANK[oil.status] >= RANK["due"], oil


@given(
    extra=st.lists(
        st.builds(
            make_rule,
            key=st.text(min_size=1, max_size=5).filter(str.strip),
            item=st.sampled_from(ITEMS),
            every_km=st.integers(1, 100_000),
            fuel_types=st.frozensets(st.sampled_from(FUEL_TYPES)),
        ),
        max_size=10,
    ),
    transmission=st.none() | st.sampled_from(TRANSMISSIONS),
    brand=st.sampled_from([None, "特斯拉", "起亚"]),
    condition=st.sampled_from(["normal", "severe"]),
)
def test_a_bev_never_gets_engine_oil(extra, transmission, brand, condition):
    rules = [*bundled_rules(), *extra]
    chosen = select_rules(
        rules, fuel_type="bev", transmission=transmission, brand=brand, condition=condition
    )
    assert "engine_oil" not in chosen
    assert not EV_EXCLUDED & set(chosen)


BRAND_SERIES = sorted({(r.brand, r.series) for r in bundled_rules()}, key=str)


@given(
    fuel=st.none() | st.sampled_from(FUEL_TYPES),
    transmission=st.none() | st.sampled_from(TRANSMISSIONS),
    scope=st.sampled_from(BRAND_SERIES),
    condition=st.sampled_from(["normal", "severe"]),
    km=kms,
    age=st.none() | st.integers(0, 300),
)
def test_every_result_carries_a_sourced_rule(fuel, transmission, scope, condition, km, age):
    brand, series = scope
    chosen = select_rules(
        bundled_rules(),
        fuel_type=fuel,
        transmission=transmission,
        brand=brand,
        series=series,
        condition=condition,
    )
    results = match_maintenance(chosen, odometer_km=km, age_months=age, today=TODAY)
    assert [r.item for r in results] == list(chosen)
    assert all(r.rule.source.strip() and r.status in URGENCY.keys() | {"unknown"} for r in results)


def test_a_rules_file_without_the_market_and_chinese_columns_still_loads():
    """Files written before the market / source_zh / note_zh columns: those are blank."""
    old_header = [c for c in CSV_COLUMNS if c not in ("market", "source_zh", "note_zh")]
    text = ",".join(old_header) + "\nX1,engine_oil,10000,12,,,normal,,,,,a manual,,\n"
    (rule,) = parse_rules_csv(text)
    assert (rule.market, rule.source_zh, rule.source_in("zh_CN")) == ("", "", "a manual")
    bad = ",".join(CSV_COLUMNS) + "\nX1,engine_oil,10000,12,,,normal,,,,,a manual,,,mars,,\n"
    assert any("market" in p for p in problems_of(bad))


def test_without_history_a_later_point_just_reached_is_flagged():
    """At 20,000 km (a later point, nothing known) the item is unknown, and the page can
    say "due now unless done at the 20,000 km service"; between points it cannot."""
    at = match_one(OIL_KM, odometer_km=20_000)
    assert (at.status, at.point_km, at.at_point) == ("unknown", 20_000, True)
    between = match_one(OIL_KM, odometer_km=25_000)
    assert (between.status, between.point_km, between.at_point) == ("unknown", 20_000, False)
