"""The reminder rules at their boundaries: odometer estimate, thresholds, inspection dates."""

from datetime import date

import pytest

from marketplace.services import reminders


def test_the_estimate_averages_the_readings():
    readings = [(date(2025, 12, 5), 10000), (date(2026, 6, 3), 17000), (date(2026, 11, 30), 24000)]
    estimate = reminders.estimate_odometer(readings, date(2026, 12, 5))
    # 14,000 km over 360 days = 38.9 km a day; 5 days since the last reading
    assert estimate.basis == "average" and estimate.readings == 3
    assert estimate.km_per_day == 38.9
    assert estimate.km == 24000 + round(14000 / 360 * 5)


def test_one_reading_uses_40_km_a_day():
    estimate = reminders.estimate_odometer([(date(2026, 11, 1), 5000)], date(2026, 11, 30))
    assert (estimate.basis, estimate.km_per_day, estimate.km) == ("default", 40.0, 5000 + 29 * 40)
    same_day = [(date(2026, 11, 1), 5000), (date(2026, 11, 1), 5100)]
    assert reminders.estimate_odometer(same_day, date(2026, 11, 2)).basis == "default"
    assert reminders.estimate_odometer([], date(2026, 11, 2)) is None


def test_an_odometer_read_today_is_not_extrapolated():
    estimate = reminders.estimate_odometer(
        [(date(2026, 1, 1), 0), (date(2026, 11, 30), 9000)], date(2026, 11, 30)
    )
    assert estimate.km == 9000


@pytest.mark.parametrize(
    ("days_left", "threshold"),
    [(61, None), (60, 60), (31, 60), (30, 30), (8, 30), (7, 7), (2, 7), (1, 1), (0, 1), (-1, None)],
)
def test_insurance_thresholds(days_left, threshold):
    assert reminders._threshold(days_left, reminders.INSURANCE_DAYS) == threshold


def test_inspection_dates_for_a_private_car():
    dues = reminders.inspection_due_dates(date(2020, 3, 15), date(2037, 1, 1))
    assert dues[:7] == [date(y, 3, 15) for y in (2026, 2030, 2031, 2032, 2033, 2034, 2035)]
    assert dues[7:10] == [date(2035, 9, 15), date(2036, 3, 15), date(2036, 9, 15)]
    assert reminders.next_inspection(date(2020, 3, 15), date(2026, 3, 15)) == date(2026, 3, 15)
    assert reminders.next_inspection(date(2020, 3, 15), date(2026, 3, 16)) == date(2030, 3, 15)
    assert reminders.next_inspection(date(2024, 2, 29), date(2026, 1, 1)) == date(2030, 2, 28)
