from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.extract import extract
from eval.data import load_penalty_cases

SINGLE_TURN = [c for c in load_penalty_cases() if c.kind == "calc" and len(c.turns) == 1]


def test_the_table_is_large_enough() -> None:
    assert len(load_penalty_cases()) >= 60


@pytest.mark.parametrize("case", SINGLE_TURN, ids=[c.turns[0] for c in SINGLE_TURN])
def test_table_phrasings(case) -> None:
    found = extract(case.turns[0])
    assert found.principal == case.principal
    assert found.days == case.days
    if case.daily_rate is None:
        assert found.daily_rate is None
    else:
        assert found.daily_rate is not None and abs(found.daily_rate - case.daily_rate) < Decimal("1e-12")


@pytest.mark.parametrize(("text", "principal", "days", "rate"), [
    ("欠了两万逾期一个月罚多少", 20000, 30, None),
    ("５０００块，逾期１０天", 5000, 10, None),
    ("1.5万逾期半个月", 15000, 15, None),
    ("借呗3万2逾期一年年化14.6%", 32000, 365, "0.0004"),
    ("逾期一年又三个月，欠2万", 20000, 455, None),
    ("2024年5月10日借了两千五，逾期了7天", 2500, 7, None),
    ("欠了1万，逾期两个星期，日息万分之三", 10000, 14, "0.0003"),
    ("借呗欠款10000.50元逾期3日", Decimal("10000.50"), 3, None),
    ("欠5千块钱逾期1周", 5000, 7, None),
    ("逾期三天了，本金八千", 8000, 3, None),
    ("借呗欠1万逾期3天利息多少", 10000, 3, None),
    ("借呗欠款金额：6000，逾期天数：12", 6000, 12, None),
    ("借呗逾期了40天，本金是1万8", 18000, 40, None),
    ("日息万五，欠1万逾期30天", 10000, 30, "0.0005"),
    ("借呗利率万4，欠5000逾期10天", 5000, 10, "0.0004"),
    ("日利率万三点五 欠2万 逾期20天", 20000, 20, "0.00035"),
    ("欠2万逾期10日，日利率万分之五", 20000, 10, "0.0005"),
    # an amount run into a duration: the digit after 万 starts the duration, not 11000 months
    ("借呗日利率万分之五借一万一个月", 10000, 30, "0.0005"), ("欠了两万三个月了", 20000, 90, None),
    ("欠1万5天了", 10000, 5, None),
    # white space before the days does not swallow the amount
    ("欠三千五 20天", 3500, 20, None),
    # 分12期 / 分6个月 are the loan's instalments: neither hides the amount nor counts as days overdue
    ("借了5万 分12期 逾期了20天", 50000, 20, None), ("借呗借了一万分12个月 逾期10天", 10000, 10, None),
    # a half after the unit: 一年半 is a year and a half (it was read as one year)
    ("欠3w 逾期1年半", 30000, 548, None), ("欠两万 逾期两年半", 20000, 913, None),
    # 俩 for 两, with or without 个; spaces between a number and its unit
    ("借呗逾期俩月了 欠俩万", 20000, 60, None), ("欠款 1 万 逾期 10 天", 10000, 10, None),
    # a daily rate as a bare decimal: a fraction (0.0004) or per cent with the sign left out (0.04)
    ("欠5000逾期10天 日利率0.0004", 5000, 10, "0.0004"), ("欠5000逾期10天 日息0.04", 5000, 10, "0.0004"),
    ("欠5000逾期10天 日利率0.5", 5000, 10, None),
    # a second duration after a space joins only as a smaller unit (1个月 5天), not "一天利息…"
    ("欠5000逾期10天 一天利息两块五", 5000, 10, None), ("欠一万 逾期1个月 5天", 10000, 35, None),
    # a value taken back ("不是一万是两万") is not the one stated
    ("借呗欠的不是一万是两万 逾期10天", 20000, 10, None), ("欠款不是5000而是8000 逾期3天", 8000, 3, None),
    ("欠一万 不是30天 是20天", 10000, 20, None),
    # an amount after a credit score is still an amount (the score itself: below)
    ("芝麻分掉了 欠两万逾期10天", 20000, 10, None), ("芝麻分650欠两万逾期10天", 20000, 10, None),
    # 天天 says "every day", not a number of days ("三万 天天" was read as 30,000 days)
    ("借呗欠了三万 天天被催", 30000, None, None), ("欠了两万天天打电话", 20000, None, None),
])
def test_more_phrasings(text: str, principal, days: int, rate: str | None) -> None:
    found = extract(text)
    assert (found.principal, found.days) == (Decimal(principal), days)
    assert found.daily_rate == (Decimal(rate) if rate else None)


@pytest.mark.parametrize("text", ["借呗逾期芝麻分掉到500多了", "借呗逾期芝麻分降了50分", "我芝麻信用650 借呗逾期了"])
def test_a_credit_score_is_not_an_amount(text: str) -> None:
    assert extract(text).principal is None


@pytest.mark.parametrize("text", [
    "借呗逾期会上征信吗", "借呗可以停息挂账吗", "我打了13812345678这个电话", "几天前逾期了", "逾期好几个月了",
    "3月份的账单", "你好", "借呗一直没还", "借呗逾期几天已经全部还清了，但是借呗一直显示暂时无法使用",
])
def test_no_amount_and_no_days_means_nothing_is_guessed(text: str) -> None:
    found = extract(text)
    assert found.principal is None and found.days is None


def test_days_alone_and_amount_alone() -> None:
    assert (extract("借呗逾期三天会上征信吗").principal, extract("借呗逾期三天会上征信吗").days) == (None, 3)
    assert (extract("我借呗欠了6000").principal, extract("我借呗欠了6000").days) == (Decimal(6000), None)


def test_rates_in_both_forms() -> None:
    assert extract("日利率万分之四").daily_rate == Decimal("0.0004")
    assert extract("日息0.05%").daily_rate == Decimal("0.0005")
    assert extract("年化18.25%").daily_rate == Decimal("0.0005")
    assert extract("年化18.25%").rate_basis == "annual"
    assert extract("利率万分之三点五").daily_rate == Decimal("0.00035")


def test_negative_values_are_rejected_not_returned() -> None:
    found = extract("欠了-5000逾期-3天")
    assert found.principal is None and found.days is None
    assert set(found.rejected) == {"principal", "days"}
    assert extract("日利率百分之二百").rejected == ("daily_rate",)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=120))
def test_extraction_never_raises_or_returns_impossible_values(text: str) -> None:
    found = extract(text)
    if found.principal is not None:
        assert found.principal.is_finite() and found.principal >= 0
    if found.days is not None:
        assert isinstance(found.days, int) and found.days >= 0
    if found.daily_rate is not None:
        assert 0 <= found.daily_rate < 1


@settings(max_examples=200)
@given(st.integers(1, 9_999_999), st.integers(1, 3650), st.sampled_from(["元", "块", "块钱", ""]),
       st.sampled_from(["欠了{p}{u}，逾期{d}天", "逾期{d}天，欠款{p}{u}", "借呗欠{p}{u}逾期{d}日"]))
def test_generated_phrasings_round_trip(principal: int, days: int, unit: str, template: str) -> None:
    found = extract(template.format(p=principal, u=unit, d=days))
    assert (found.principal, found.days) == (principal, days)


@pytest.mark.parametrize(("text", "principal"), [
    ("借呗逾期几天芝麻分从700掉到600了", None),
    ("芝麻信用分680，借呗逾期了还能借吗", None),
    ("芝麻分700，借呗欠了5000块逾期3天", 5000),  # an amount with its unit still counts
])
def test_credit_scores_are_not_amounts(text: str, principal) -> None:
    found = extract(text)
    assert found.principal == (Decimal(principal) if principal else None)


@pytest.mark.parametrize(("text", "principal"), [
    ("有人说能帮我消除借呗逾期记录 收费两千", None), ("中介要收手续费500帮我协商借呗逾期", None),
    ("我月薪3000，借呗欠了两万逾期了", 20000), ("借呗欠5000逾期10天", 5000),
    ("有人说能帮我把借呗的罚息全免 收500块", None), ("被催收3000块 逾期十天", 3000),
])
def test_a_fee_or_an_income_is_not_the_debt(text: str, principal) -> None:
    assert extract(text).principal == principal


def test_instalments_are_not_time_overdue() -> None:
    found = extract("借呗欠款3000分6个月还")
    assert found.principal == Decimal(3000) and found.days is None


def test_every_day_after_a_duration_leaves_it_alone() -> None:
    assert extract("逾期10天 天天被催").days == 10


@pytest.mark.parametrize("text", ["借呗再过十天到期 欠了五千", "借呗10天后到期 欠5000", "借呗离还款日还有5天 欠了五千",
                                  "借呗还有三天就到期了 欠两万"])
def test_time_left_before_the_due_date_is_not_time_overdue(text: str) -> None:
    found = extract(text)
    assert found.days is None and found.principal in (Decimal(5000), Decimal(20000))


@pytest.mark.parametrize(("text", "days"), [("借呗逾期10天 到期了没还", 10), ("逾期30天到期的那笔还不上", 30)])
def test_days_said_as_overdue_stay_overdue_before_a_due_word(text: str, days: int) -> None:
    assert extract(text).days == days


@pytest.mark.parametrize(("text", "added"), [("那要是再拖十天呢", True), ("又过了五天呢", True), ("多逾期三天呢", True),
                                             ("逾期十天", False), ("一年又三个月", False)])
def test_more_days_on_top_are_marked(text: str, added: bool) -> None:
    assert extract(text).days_added is added


@pytest.mark.parametrize(("text", "days"), [("借呗15号到期 今天17号了 欠3000", 2), ("借呗还款日是每月5号 今天都20号了", 15),
                                            ("借呗十号还款 现在是十二号", 2), ("今天17号 借呗15号到期 逾期三天了", 3)])
def test_days_overdue_are_counted_from_the_due_day_and_today(text: str, days: int) -> None:
    assert extract(text).days == days


@pytest.mark.parametrize(("text", "days"), [("还款日是15号 我16号早上八点还的", 1), ("借呗10号到期 我12号才还 欠了三千", 2),
                                            ("借呗每月5号还款 9号还上了", 4)])
def test_days_overdue_are_counted_from_the_due_day_and_the_day_it_was_repaid(text: str, days: int) -> None:
    assert extract(text).days == days


@pytest.mark.parametrize("text", ["借呗15号还款 我14号还的", "借呗15号到期 16号再还行吗", "借呗15号到期 17号还可以吗"])
def test_a_repayment_day_that_is_not_late_or_only_planned_gives_no_days(text: str) -> None:
    assert extract(text).days is None


@pytest.mark.parametrize(("text", "days"), [("借呗欠5000 11月15号到期 今天11月20号", 5), ("借呗11月15号到期 今天20号", 5),
                                            ("借呗3月份5号到期 今天是3月8号", 3)])
def test_days_are_counted_when_the_dates_name_the_same_month(text: str, days: int) -> None:
    assert extract(text).days == days


@pytest.mark.parametrize(("text", "principal"), [("借呗10月15号到期 欠5000 今天还罚多少", Decimal(5000)),
                                                 ("借呗3月份借的5000", Decimal(5000)), ("欠了10月的账单3000", Decimal(3000)),
                                                 ("借呗10月15号到期", None), ("借呗12月到期", None),
                                                 ("欠5000 月底还", Decimal(5000))])
def test_a_calendar_month_is_not_money(text: str, principal: Decimal | None) -> None:
    assert extract(text).principal == principal


@pytest.mark.parametrize("text", ["借呗15号到期 能17号还吗", "借呗25号到期 今天3号了", "借呗20号到期 今天是15号",
                                  "借呗10月15号到期 今天11月20号"])
def test_dates_that_do_not_say_how_late_give_no_days(text: str) -> None:
    # a later date asked for, not today; a due day in the previous month (its length unknown); not yet due
    assert extract(text).days is None


@pytest.mark.parametrize(("text", "principal"), [("我借了2万 分12期 有一期1800没还 逾期了10天", 1800),
                                                 ("借呗借了一万 这期800块没还 逾期5天", 800), ("我借了3万 逾期20天", 30000),
                                                 # one instalment's amount due, named beside the sum borrowed
                                                 ("借呗借了两万 分12期 这期应该还1800 我逾期了10天", 1800),
                                                 ("借了5万 每期还4500 这期晚了3天", 4500),
                                                 ("借了2万 这期要还1850块 逾期一周了", 1850)])
def test_the_amount_said_unpaid_is_the_overdue_principal(text: str, principal: int) -> None:
    assert extract(text).principal == Decimal(principal)


@pytest.mark.parametrize("text", ["欠了几千块", "欠了好几千", "借呗欠了几百块 逾期3天", "欠了几十万"])
def test_some_thousands_is_no_amount(text: str) -> None:
    assert extract(text).principal is None


@pytest.mark.parametrize(("text", "days"), [("借呗欠了两万块 昨天到期 今天还要罚多少", 1), ("借呗前天到期的 欠5000", 2),
                                            ("昨天到期 逾期了3天", 3), ("借呗还款日是昨天 今天早上才还", 1),
                                            ("还款日是前天 欠5000 罚多少", 2)])
def test_a_due_day_named_relative_to_today_gives_the_days(text: str, days: int) -> None:
    assert extract(text).days == days
