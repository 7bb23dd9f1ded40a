from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.numerals import NUMBER_RE, parse_number


@pytest.mark.parametrize(("text", "value"), [
    ("5000", "5000"), ("10,000", "10000"), ("1,234,567.89", "1234567.89"), ("1.5万", "15000"), ("5k", "5000"),
    ("5w", "50000"), ("1w5", "15000"), ("五千", "5000"), ("三万二", "32000"), ("两千五", "2500"),
    ("一万二千五百", "12500"), ("1万5", "15000"), ("1万5千", "15000"), ("十", "10"), ("十五", "15"), ("二十", "20"),
    ("一百零五", "105"), ("一千零五十", "1050"), ("十二万五", "125000"), ("二十万零三千", "203000"), ("100万", "1000000"),
    ("叁仟", "3000"), ("拾", "10"), ("一点五", "1.5"), ("三点二五", "3.25"), ("两", "2"), ("〇", "0"),
])
def test_parse(text: str, value: str) -> None:
    assert parse_number(text) == Decimal(value)


@pytest.mark.parametrize("text", ["两三", "一零", "12三", "千百", "", "abc", "万"])
def test_ambiguous_or_malformed_numbers_give_none(text: str) -> None:
    assert parse_number(text) is None


def test_number_regex_finds_whole_expressions() -> None:
    assert [m.group(0) for m in NUMBER_RE.finditer("欠了1.5万，逾期三十天，还有10,000")] == ["1.5万", "三十", "10,000"]


@given(st.text(max_size=60))
def test_parse_never_raises_and_is_never_negative(text: str) -> None:
    value = parse_number(text)
    assert value is None or (value.is_finite() and value >= 0)


@given(st.integers(min_value=0, max_value=10**12))
def test_arabic_digits_round_trip(n: int) -> None:
    assert parse_number(str(n)) == n
    assert parse_number(f"{n:,}") == n
