from __future__ import annotations

import pytest

from eval.calculator import run_case
from eval.data import load_penalty_cases

CASES = load_penalty_cases()


@pytest.mark.parametrize("case", CASES, ids=[" || ".join(c.turns) for c in CASES])
def test_penalty_table_through_the_chat_pipeline(bot, case) -> None:
    ok, got = run_case(bot.chat, case)
    assert ok, got


def test_two_turns_remember_the_amount(bot) -> None:
    first = bot.chat.reply("我借呗欠了6000")
    assert first.penalty is None and first.asks_for == ["days"] and "逾期天数" in first.answer
    second = bot.chat.reply("逾期20天", first.session_id)
    assert second.session_id == first.session_id
    assert second.penalty is not None and second.penalty.amount == 90.0 and second.penalty.rate_assumed
    assert "仅供参考，以借呗账单和合同为准" in second.answer
    assert [s.id for s in second.sources][0] == "faq-penalty"
    # a later rate updates the estimate
    third = bot.chat.reply("日利率是万分之四", first.session_id)
    assert third.penalty is not None and third.penalty.amount == 72.0 and not third.penalty.rate_assumed


def test_sessions_are_separate(bot) -> None:
    a = bot.chat.reply("我借呗欠了6000")
    b = bot.chat.reply("逾期20天")
    assert b.session_id != a.session_id and b.penalty is None and b.asks_for == ["principal"]


def test_unknown_session_id_starts_a_new_session(bot) -> None:
    answer = bot.chat.reply("借呗逾期会上征信吗", "no-such-session")
    assert answer.session_id and answer.session_id != "no-such-session"


def test_other_question_with_remembered_amount_answers_it_and_joins_the_estimate(bot) -> None:
    s = bot.chat.reply("我欠了一万").session_id
    answer = bot.chat.reply("借呗逾期三天会上征信吗", s)
    assert answer.sources[0].id == "faq-credit-report"
    assert answer.penalty is not None and answer.penalty.amount == 22.5
    assert "faq-penalty" in [x.id for x in answer.sources]


@pytest.mark.parametrize("text", ["借呗借一万一天利息多少", "借呗提前还款5000元利息多少", "借呗借了3万分12期"])
def test_numbers_without_any_talk_of_debt_compute_nothing(bot, text: str) -> None:
    answer = bot.chat.reply(text)
    assert answer.penalty is None and not answer.asks_for


def test_out_of_range_is_refused_and_not_remembered(bot) -> None:
    first = bot.chat.reply("欠了2000万逾期10天")
    assert first.penalty is None and "无法估算" in first.answer and "上限" in first.answer
    second = bot.chat.reply("逾期10天", first.session_id)
    assert second.penalty is None and second.asks_for == ["principal"]


def test_answers_cite_sources_and_carry_disclaimers(bot) -> None:
    answer = bot.chat.reply("借呗逾期打通讯录合法吗")
    assert not answer.fallback and answer.sources[0].id == "art-contacts"
    assert "原文" in answer.sources[0].label and answer.disclaimer
    assert "并不存在" in answer.answer  # the correction of the article's invented regulation
    assert answer.suggestions and all(isinstance(s, str) for s in answer.suggestions)


def test_fallback_says_so_and_suggests_questions(bot) -> None:
    answer = bot.chat.reply("花呗怎么提额")
    assert answer.fallback and not answer.sources
    assert "没有把握" in answer.answer and len(answer.suggestions) == 3


def test_grace_period_is_never_promised(bot) -> None:
    answer = bot.chat.reply("借呗有没有宽限期啊")
    assert answer.sources[0].id == "faq-grace-period"
    assert "不能向你保证" in answer.answer


def test_another_products_debt_is_not_calculated_as_jiebei(bot) -> None:
    answer = bot.chat.reply("花呗逾期一天有影响吗")
    assert answer.fallback and answer.penalty is None and not answer.asks_for


@pytest.mark.parametrize(("first", "reply", "amount"), [
    ("我借呗欠了6000", "20", 90.0), ("我借呗欠了6000", "二十", 90.0), ("借呗逾期20天罚多少", "6000", 90.0),
    ("借呗逾期20天罚多少", "六千", 90.0), ("借呗逾期20天罚多少", "6千。", 90.0),
])
def test_a_bare_number_answers_the_value_the_bot_asked_for(bot, first: str, reply: str, amount: float) -> None:
    asked = bot.chat.reply(first)
    assert asked.asks_for
    answer = bot.chat.reply(reply, asked.session_id)
    assert answer.penalty is not None and answer.penalty.amount == amount


def test_a_bare_number_without_a_question_computes_nothing(bot) -> None:
    answer = bot.chat.reply("20")
    assert answer.penalty is None and not answer.asks_for
