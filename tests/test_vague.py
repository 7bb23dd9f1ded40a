from __future__ import annotations

from decimal import Decimal

import pytest

from bot.extract import extract
from bot.normalize import normalize
from bot.vague import find_vague


@pytest.mark.parametrize(("text", "quantity", "kind", "low", "high"), [
    ("一个多月", "days", "more", 30, None),
    ("二十多天", "days", "more", 20, None),
    ("20多天", "days", "more", 20, None),
    ("十几天", "days", "range", 11, 19),
    ("二十几天", "days", "range", 21, 29),
    ("三四天", "days", "range", 3, 4),
    ("一两个月", "days", "range", 30, 60),
    ("5到7天", "days", "range", 5, 7),
    ("快两个月", "days", "almost", 60, 60),
    ("大半年", "days", "more", Decimal("182.5"), None),
    ("半个多月", "days", "more", 15, None),
    ("一年多", "days", "more", 365, None),
    ("一万多", "money", "more", 10000, None),
    ("两千多块", "money", "more", 2000, None),
    ("3000多", "money", "more", 3000, None),
    ("两三千", "money", "range", 2000, 3000),
    ("七八万", "money", "range", 70000, 80000),
    ("2-3万", "money", "range", 20000, 30000),
    ("小两万", "money", "almost", 20000, 20000),
    ("十来天", "days", "more", 10, None),
    ("一个来月", "days", "more", 30, None),
    ("两千来块", "money", "more", 2000, None),
])
def test_vague_quantities(text: str, quantity: str, kind: str, low, high) -> None:
    _, found = find_vague(normalize(text))
    assert len(found) == 1, found
    v = found[0]
    assert (v.quantity, v.kind, v.low, v.high) == (quantity, kind, Decimal(low), None if high is None else Decimal(high))


@pytest.mark.parametrize("text", ["多少钱", "逾期多久", "二十多岁", "十一二天", "好几天", "几千块", "3月份", "多次逾期",
                                  "借呗来分期逾期", "三个人来我家",
                                  # 一天多少 asks what a day costs; it is not "a bit more than a day"
                                  "那一天多少", "一年多少利息", "一天多久"])
def test_not_vague_or_not_a_quantity(text: str) -> None:
    _, found = find_vague(normalize(text))
    assert not found


@pytest.mark.parametrize(("text", "principal", "days"), [
    ("欠两万逾期一个多月罚多少", 20000, 30),
    ("逾期十几天了，欠一万多", 10000, 11),
    ("借了两三千逾期三四天", 2000, 3),
    ("快两个月了欠5000", 5000, 60),
    ("逾期大半年了欠3万", 30000, 183),
    ("我欠借呗两万多逾期二十多天", 20000, 20),
])
def test_extraction_reads_the_lower_bound_and_keeps_what_was_said(text: str, principal: int, days: int) -> None:
    found = extract(text)
    assert (found.principal, found.days) == (Decimal(principal), days)
    assert found.principal_approx is not None or found.days_approx is not None
