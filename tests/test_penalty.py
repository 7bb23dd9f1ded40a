from __future__ import annotations

from decimal import Decimal

import pytest

from bot.penalty import Limits, calculate, money, out_of_range, percent

D = Decimal
DEFAULT = D("0.0005")


@pytest.mark.parametrize(("principal", "rate", "days", "amount"), [
    # the worked cases of the domain fact sheet
    ("10000", "0.0005", 30, "225.00"), ("10000", "0.0005", 1, "7.50"), ("5000", "0.0004", 10, "30.00"),
    ("1000", "0.0005", 10, "7.50"), ("10000", "0.00015", 1, "2.25"), ("10000", "0.0006", 365, "3285.00"),
])
def test_worked_cases(principal: str, rate: str, days: int, amount: str) -> None:
    est = calculate(D(principal), days, D(rate), DEFAULT)
    assert est.amount == D(amount)
    assert not est.rate_assumed


def test_rounding_is_half_up_to_the_fen() -> None:
    # 20 × 0.05% × 1.5 × 3 = 0.045: half-up gives 0.05 where banker's rounding would give 0.04
    assert calculate(D(20), 3, None, DEFAULT).amount == D("0.05")
    # 1 × 0.05% × 1.5 × 7 = 0.00525 → 0.01 ; 3 × 0.05% × 1.5 × 2 = 0.0045 → 0.00
    assert calculate(D(1), 7, None, DEFAULT).amount == D("0.01")
    assert calculate(D(3), 2, None, DEFAULT).amount == D("0.00")


def test_default_rate_is_assumed_and_said() -> None:
    est = calculate(D(6000), 20, None, DEFAULT)
    assert est.amount == D("90.00") and est.rate_assumed
    assert est.formula == "6,000.00元 × 0.05% × 1.5 × 20天 = 90.00元"


def test_annualised_rate() -> None:
    high = calculate(D(10000), 365, D("0.0006"), DEFAULT)
    assert high.annualized_rate == D("0.3285")
    low = calculate(D(10000), 10, D("0.0004"), DEFAULT)
    assert low.annualized_rate == D("0.219")


def test_json_shape_uses_numbers_and_fractions() -> None:
    data = calculate(D(10000), 30, None, DEFAULT).as_json()
    assert data == {"principal": 10000.0, "days": 30, "daily_rate": 0.0005, "rate_assumed": True, "amount": 225.0,
                    "per_day": 7.5, "annualized_rate": 0.27375,
                    "formula": "10,000.00元 × 0.05% × 1.5 × 30天 = 225.00元"}


def test_what_each_further_day_adds_is_one_day_of_the_formula_half_up() -> None:
    assert calculate(D(20000), 30, None, DEFAULT).per_day == D("15.00")
    # 333 × 0.05% × 1.5 = 0.24975 → 0.25 (half-up to the fen)
    assert calculate(D(333), 10, None, DEFAULT).per_day == D("0.25")
    assert calculate(D(10000), 10, D("0.0004"), DEFAULT).per_day == D("6.00")


@pytest.mark.parametrize(("principal", "days", "rate", "fragment"), [
    (D(0), 10, None, "大于0"), (D(-1), 10, None, "大于0"), (D("10000000.01"), 10, None, "上限"),
    (D(100), 0, None, "至少1天"), (D(100), 3651, None, "上限"), (D(100), 10, D("0.02"), "日利率"),
])
def test_out_of_range_inputs_are_refused_with_a_reason(principal, days, rate, fragment) -> None:
    problems = out_of_range(principal, days, rate, Limits())
    assert problems and any(fragment in p for p in problems)


def test_bounds_are_inclusive() -> None:
    assert out_of_range(D(10_000_000), 3650, D("0.01"), Limits()) == []


def test_formatting_helpers() -> None:
    assert money(D("1234567.005")) == "1,234,567.01"
    assert percent(D("0.0005")) == "0.05%"
    assert percent(D("0.18") / 365) == "≈0.0493%"
