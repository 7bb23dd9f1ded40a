"""The reply policy on its own: real understanding, a retrieval result written by the test, no model."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from bot.answer import ReplyKind
from bot.corpus import load_corpus
from bot.penalty import Limits
from bot.policy import (
    Roles,
    about_penalty_only,
    decide,
    may_join,
    merge_slots,
    with_other_answer,
    with_penalty_answer,
    with_side_answer,
)
from bot.retrieve.hybrid import Hit, Miss, RetrievalResult
from bot.segment import Segmenter
from bot.sessions import Slots
from bot.settings import PROJECT_ROOT
from bot.understand import Understander

ROLES = Roles("penalty", "human-contact", {"borrow-again": re.compile("逾期"), "check-status": re.compile("逾期|欠")},
              {"repaid-still-overdue": re.compile("还了.{0,6}显示")}, threshold=0.8)
LIMITS = Limits()


@pytest.fixture(scope="module")
def understand():
    u = Understander(load_corpus(PROJECT_ROOT / "corpus"), Segmenter(), ["借呗"])
    return u.understand


def found(*ids: str, score: float = 0.95) -> RetrievalResult:
    hits = [Hit(i, score - 0.01 * n, 0.0, 0.0, i) for n, i in enumerate(ids)]
    return RetrievalResult("hybrid", hits, hits[0].score, None)


def missed(scope: str | None = None, *ids: str) -> RetrievalResult:
    hits = [Hit(i, 0.5, 0.0, 0.0, i) for i in ids]
    miss = Miss.OUT_OF_SCOPE if scope else Miss.LOW_CONFIDENCE
    return RetrievalResult("hybrid", hits, 0.5, miss, scope)  # type: ignore[arg-type]


def test_asking_whether_it_is_true_is_about_the_last_answer(understand) -> None:
    d = decide(understand("真的吗"), Slots(), None, ROLES, LIMITS, last_intent="jail-fear")
    assert d.kind is ReplyKind.ANSWER and d.intent == "jail-fear"
    assert decide(understand("你确定吗"), Slots(), None, ROLES, LIMITS, last_intent="human-contact").kind is ReplyKind.HANDOFF
    # after an estimate: the estimate again, with its formula
    known = Slots(principal=Decimal(20000), days=30)
    assert decide(understand("真的吗"), known, None, ROLES, LIMITS, last_intent="penalty").kind is ReplyKind.PENALTY
    # nothing answered before: nothing to confirm
    assert decide(understand("真的吗"), Slots(), None, ROLES, LIMITS).kind is ReplyKind.FALLBACK


def test_crisis_comes_before_everything(understand) -> None:
    d = decide(understand("欠了两万逾期三个月，我不想活了"), Slots(), found("penalty"), ROLES, LIMITS)
    assert d.kind is ReplyKind.CRISIS and not d.estimate


@pytest.mark.parametrize(("text", "kind"), [("你好", ReplyKind.SMALLTALK), ("谢谢", ReplyKind.SMALLTALK),
                                            ("转人工", ReplyKind.HANDOFF), ("你是机器人吗", ReplyKind.SMALLTALK)])
def test_dialogue_acts_need_no_retrieval(understand, text: str, kind: ReplyKind) -> None:
    assert decide(understand(text), Slots(), None, ROLES, LIMITS).kind is kind


def test_reset_clears_the_remembered_values(understand) -> None:
    d = decide(understand("重新算"), Slots(principal=Decimal(5000), days=3), None, ROLES, LIMITS)
    assert d.kind is ReplyKind.SMALLTALK and d.slots.empty


def test_scope_rules(understand) -> None:
    d = decide(understand("花呗逾期一天有影响吗"), Slots(), found("short-overdue"), ROLES, LIMITS)
    assert (d.kind, d.scope) == (ReplyKind.FALLBACK, "other_product")
    d = decide(understand("我没有逾期为什么借呗被关了"), Slots(), found("borrow-again"), ROLES, LIMITS)
    assert (d.kind, d.scope) == (ReplyKind.FALLBACK, "not_overdue")
    d = decide(understand("借呗额度怎么提升"), Slots(), missed("everyday", "borrow-again"), ROLES, LIMITS)
    assert (d.kind, d.scope) == (ReplyKind.FALLBACK, "everyday")
    d = decide(understand("随便问问"), Slots(), missed(None, "penalty"), ROLES, LIMITS)
    assert (d.kind, d.scope) == (ReplyKind.FALLBACK, "unsure")


def test_an_intent_with_cue_words_needs_them(understand) -> None:
    # close to borrow-again, but nothing about being overdue: everyday use
    d = decide(understand("借呗还能再借吗"), Slots(), found("borrow-again"), ROLES, LIMITS)
    assert (d.kind, d.scope) == (ReplyKind.FALLBACK, "everyday")
    d = decide(understand("借呗逾期还清了还能再借吗"), Slots(), found("borrow-again"), ROLES, LIMITS)
    assert (d.kind, d.intent) == (ReplyKind.ANSWER, "borrow-again")


def test_dates_that_show_it_late_stand_for_words_of_being_late(understand) -> None:
    # "16号才还" after a due day of 15 was late, though no word says so; an intent whose cue words are
    # the words of being late answers it, one with other cue words still needs them
    roles = Roles("penalty", "human-contact", {"credit-report": re.compile("逾期"), "borrow-again": re.compile("逾期")},
                  late_cued=frozenset({"credit-report"}), threshold=0.8)
    dated = understand("借呗还款日是15号 我16号才还的 会上征信吗")
    assert dated.late_by_dates and dated.overdue_talk
    assert decide(dated, Slots(), found("credit-report"), roles, LIMITS).intent == "credit-report"
    assert decide(dated, Slots(), found("borrow-again"), roles, LIMITS).kind is not ReplyKind.ANSWER
    early = understand("借呗还款日是15号 我14号就还了 会上征信吗")
    assert not early.late_by_dates
    assert decide(early, Slots(), found("credit-report"), roles, LIMITS).kind is ReplyKind.FALLBACK


def test_a_cued_runner_up_stands_in_only_when_the_message_talks_of_being_overdue(understand) -> None:
    d = decide(understand("借呗逾期了欠多少怎么看"), Slots(), found("borrow-again", "check-status"), ROLES, LIMITS)
    assert d.intent == "borrow-again"  # its cue (逾期) is there
    d = decide(understand("借呗欠多少怎么看"), Slots(), found("borrow-again", "check-status"), ROLES, LIMITS)
    assert d.kind is ReplyKind.FALLBACK


def test_talk_of_being_late_that_no_cue_takes_is_unsure_not_everyday(understand) -> None:
    """A late user whose question no entry's cue words take is not told it is "not an overdue question"."""
    roles = Roles("penalty", "human-contact", {"borrow-again": re.compile("还能借")}, threshold=0.8)
    d = decide(understand("借呗逾期了 微信会被封吗"), Slots(), found("borrow-again"), roles, LIMITS)
    assert (d.kind, d.scope) == (ReplyKind.FALLBACK, "unsure")
    d = decide(understand("借呗分期是怎么算的"), Slots(), found("borrow-again"), roles, LIMITS)
    assert (d.kind, d.scope) == (ReplyKind.FALLBACK, "everyday")


def test_words_that_single_an_intent_out_win_among_the_candidates(understand) -> None:
    d = decide(understand("借呗还了怎么还显示逾期"), Slots(), found("overdue-what-now", "repaid-still-overdue"),
               ROLES, LIMITS)
    assert d.intent == "repaid-still-overdue"


def test_amount_and_days_give_the_estimate_first(understand) -> None:
    d = decide(understand("欠两万逾期一个多月罚多少"), Slots(), found("penalty"), ROLES, LIMITS)
    assert d.kind is ReplyKind.PENALTY and d.estimate_first and d.intent == "penalty"
    assert d.slots.principal == 20000 and d.slots.days == 30 and d.carried == ()


def test_a_question_beyond_the_numbers_is_answered_first(understand) -> None:
    d = decide(understand("欠两万逾期一个月会上征信吗"), Slots(), found("credit-report"), ROLES, LIMITS)
    assert d.kind is ReplyKind.ANSWER and d.intent == "credit-report" and d.estimate and not d.estimate_first


def test_an_amount_alone_asks_for_the_days_and_a_later_turn_completes_it(understand) -> None:
    first = decide(understand("我借呗欠了两万块"), Slots(), missed(None), ROLES, LIMITS)
    assert first.kind is ReplyKind.ASK_VALUE and first.asks_for == "days"
    second = decide(understand("逾期一个多月了"), first.slots, found("consequences"), ROLES, LIMITS)
    assert second.kind is ReplyKind.PENALTY and second.carried == ("principal",)
    assert second.slots.principal == 20000 and second.slots.days == 30


@pytest.mark.parametrize("text", ["借呗明天就到期了 欠五千 只有三千", "借呗后天到期 欠4000 手上只有2000",
                                  "借呗还有三天到期 欠了六千 钱不够", "借呗还款日是明天 欠五千 钱不够",
                                  "借呗今天扣款 欠三千 余额只有两千"])
def test_an_amount_due_today_or_later_is_not_asked_for_days_overdue(understand, text: str) -> None:
    turn = understand(text)
    assert turn.before_due
    d = decide(turn, Slots(), found("postpone"), ROLES, LIMITS)
    assert d.kind is ReplyKind.ANSWER and d.intent == "postpone" and d.asks_for is None
    assert d.slots.principal is not None and d.slots.days is None  # kept for a later estimate


def test_asking_what_being_some_days_late_would_cost_estimates_with_the_amount_held(understand) -> None:
    first = decide(understand("借呗明天就到期了 欠五千 只有三千"), Slots(), found("postpone"), ROLES, LIMITS)
    then = decide(understand("那要是晚十天还呢"), first.slots, found("postpone"), ROLES, LIMITS)
    assert then.kind is ReplyKind.PENALTY and then.estimate_first and then.carried == ("principal",)
    assert then.slots.principal == 5000 and then.slots.days == 10


def test_a_penalty_question_before_the_due_date_still_asks_for_the_days(understand) -> None:
    d = decide(understand("借呗明天到期 欠五千 逾期的话罚多少"), Slots(), found("penalty"), ROLES, LIMITS)
    assert d.kind is ReplyKind.ASK_VALUE and d.asks_for == "days"


@pytest.mark.parametrize("text", ["借呗昨天到期 欠五千", "借呗逾期了 欠五千", "15号到期 今天17号 欠了五千"])
def test_a_due_date_already_past_is_not_before_due(understand, text: str) -> None:
    assert not understand(text).before_due


def test_days_alone_answer_the_question_and_are_remembered_quietly(understand) -> None:
    d = decide(understand("借呗逾期一天有影响吗"), Slots(), found("short-overdue"), ROLES, LIMITS)
    assert d.kind is ReplyKind.ANSWER and d.intent == "short-overdue" and not d.asks_for and d.slots.days == 1
    assert not d.offer_calculator


def test_a_new_value_replaces_the_old_and_the_rest_is_carried(understand) -> None:
    slots = Slots(principal=Decimal(20000), days=30)
    d = decide(understand("我欠了8000"), slots, missed(None), ROLES, LIMITS)
    assert d.kind is ReplyKind.PENALTY and d.slots.principal == 8000 and d.slots.days == 30
    assert d.carried == ("days",)


@pytest.mark.parametrize("text", ["借呗逾期的年利率是不是超过24%", "借呗逾期罚息年化24%合法吗"])
def test_a_rate_inside_a_question_on_rates_is_answered_and_remembered(understand, text: str) -> None:
    d = decide(understand(text), Slots(), found("annual-rate", "penalty"), ROLES, LIMITS)
    assert d.kind is ReplyKind.ANSWER and d.intent == "annual-rate" and d.slots.daily_rate is not None


def test_a_rate_with_a_penalty_question_still_asks_for_the_amount(understand) -> None:
    d = decide(understand("日利率万分之五，逾期罚息怎么算"), Slots(), found("penalty"), ROLES, LIMITS)
    assert d.kind is ReplyKind.ASK_VALUE and d.asks_for == "principal"


@pytest.mark.parametrize("text", ["为什么我的借呗日利率是万分之五", "借呗利息万分之四能不能再降",
                                  "借呗分期12个月能提前还本金吗", "借呗借了3000块能借半年吗"])
def test_numbers_inside_an_everyday_question_fall_back_without_asking_for_the_debt(understand, text: str) -> None:
    d = decide(understand(text), Slots(), missed("everyday", "annual-rate"), ROLES, LIMITS)
    assert (d.kind, d.scope) == (ReplyKind.FALLBACK, "everyday") and d.asks_for is None


def test_a_penalty_question_uses_remembered_values(understand) -> None:
    d = decide(understand("那罚息一共多少钱"), Slots(principal=Decimal(5000), days=10), found("penalty"), ROLES, LIMITS)
    assert d.kind is ReplyKind.PENALTY and set(d.carried) == {"principal", "days"}


def test_out_of_range_values_are_refused_and_not_remembered(understand) -> None:
    d = decide(understand("欠了2000万逾期10天"), Slots(), found("penalty"), ROLES, LIMITS)
    assert d.kind is ReplyKind.REFUSE_VALUE and d.problems and d.slots.empty


def test_numbers_without_talk_of_a_debt_are_not_an_overdue_amount(understand) -> None:
    d = decide(understand("借呗借一万一天利息多少"), Slots(), missed("everyday"), ROLES, LIMITS)
    assert d.kind is ReplyKind.FALLBACK and not d.estimate and d.slots.empty


def test_the_calculator_is_offered_only_with_the_penalty_answer(understand) -> None:
    assert decide(understand("借呗逾期罚息怎么算"), Slots(), found("penalty"), ROLES, LIMITS).offer_calculator
    assert not decide(understand("借呗逾期会上征信吗"), Slots(), found("credit-report"), ROLES, LIMITS).offer_calculator


def test_merge_slots_reports_carried_values(understand) -> None:
    merged, carried = merge_slots(Slots(principal=Decimal(1), daily_rate=Decimal("0.0004")), understand("逾期3天"))
    assert merged.days == 3 and merged.principal == 1 and carried == ("principal", "daily_rate")


def test_shown_as_overdue_is_never_i_am_not_overdue(understand) -> None:
    hits = [Hit("repaid-still-overdue", 0.95, 0.0, 0.0, "repaid-still-overdue")]
    close_to_not_overdue = RetrievalResult("hybrid", hits, 0.95, Miss.OUT_OF_SCOPE, "not_overdue")
    d = decide(understand("我都是按时还款，为什么收到短信说我逾期了"), Slots(), close_to_not_overdue, ROLES, LIMITS)
    assert (d.kind, d.intent) == (ReplyKind.ANSWER, "repaid-still-overdue")
    d = decide(understand("我一直按时还款，为什么额度降了"), Slots(), close_to_not_overdue, ROLES, LIMITS)
    assert (d.kind, d.scope) == (ReplyKind.FALLBACK, "not_overdue")


def test_asking_the_penalty_with_one_value_known_asks_for_the_other(understand) -> None:
    d = decide(understand("那要罚多少"), Slots(days=3), found("penalty"), ROLES, LIMITS)
    assert d.kind is ReplyKind.ASK_VALUE and d.asks_for == "principal" and d.slots.days == 3
    d = decide(understand("会罚多少"), Slots(principal=Decimal(8000)), found("penalty"), ROLES, LIMITS)
    assert d.kind is ReplyKind.ASK_VALUE and d.asks_for == "days"


def test_another_question_beside_the_penalty_is_joined_to_the_penalty_reply(understand) -> None:
    ask = decide(understand("借呗逾期一天罚息多少"), Slots(), found("penalty"), ROLES, LIMITS)
    assert ask.kind is ReplyKind.ASK_VALUE
    side = decide(understand("借呗逾期了，会上征信吗"), Slots(), found("credit-report"), ROLES, LIMITS)
    joined = with_side_answer(ask, side, ROLES)
    assert (joined.kind, joined.intent, joined.also, joined.asks_for) == (
        ReplyKind.ASK_VALUE, "penalty", "credit-report", "principal")
    # nothing to join: the other question falls back, or is the penalty again, or one is already joined
    unsure = decide(understand("借呗逾期了，高吗"), Slots(), missed(None, "credit-report"), ROLES, LIMITS)
    assert with_side_answer(ask, unsure, ROLES) == ask
    again = decide(understand("借呗逾期了，罚息怎么算"), Slots(), found("penalty"), ROLES, LIMITS)
    assert with_side_answer(ask, again, ROLES) == ask
    assert with_side_answer(joined, side, ROLES) == joined
    # a reply that already answers another intent is left as it is
    other = decide(understand("借呗逾期会上征信吗"), Slots(), found("credit-report"), ROLES, LIMITS)
    assert not about_penalty_only(other, ROLES) and with_side_answer(other, side, ROLES) == other


def test_when_the_other_question_wins_the_penalty_answer_is_joined_to_it(understand) -> None:
    won = decide(understand("借呗逾期罚息多少？多久会上征信？"), Slots(), found("credit-report"), ROLES, LIMITS)
    side = decide(understand("借呗逾期了，多久会上征信"), Slots(), found("credit-report"), ROLES, LIMITS)
    joined = with_penalty_answer(won, side, ROLES)
    assert (joined.kind, joined.intent, joined.also, joined.awaits) == (
        ReplyKind.ANSWER, "credit-report", "penalty", "values")
    # the reply answers something else than the other question: it may be the penalty question's own
    # entry ("罚息能减免吗？怎么申请"), so nothing is joined
    apart = decide(understand("借呗逾期了，怎么申请"), Slots(), found("cannot-repay"), ROLES, LIMITS)
    assert with_penalty_answer(won, apart, ROLES) == won


def test_only_a_reply_with_an_intent_may_have_another_answer_joined(understand) -> None:
    assert may_join(decide(understand("借呗逾期一天罚息多少"), Slots(), found("penalty"), ROLES, LIMITS))
    assert may_join(decide(understand("借呗逾期会上征信吗"), Slots(), found("credit-report"), ROLES, LIMITS))
    assert not may_join(decide(understand("借呗额度怎么提升，利息多少"), Slots(), missed("everyday"), ROLES, LIMITS))
    assert not may_join(decide(understand("欠了两万还不起，罚息多少，不想活了"), Slots(), found("penalty"), ROLES, LIMITS))


def test_a_second_plainly_named_question_is_joined_to_the_answer(understand) -> None:
    main = decide(understand("借呗逾期了会上征信吗？会连累家人吗？"), Slots(), found("family-liability"), ROLES, LIMITS)
    other = decide(understand("借呗逾期了，会上征信吗"), Slots(), found("credit-report"), ROLES, LIMITS)
    assert with_other_answer(main, other, confirmed=True).also == "credit-report"
    # not when the part is vague on its own, names the same entry, or finds nothing
    assert with_other_answer(main, other, confirmed=False) == main
    same = decide(understand("借呗逾期了，会连累家人吗"), Slots(), found("family-liability"), ROLES, LIMITS)
    assert with_other_answer(main, same, confirmed=True) == main
    none = decide(understand("借呗逾期了，好害怕吗"), Slots(), missed(None, "credit-report"), ROLES, LIMITS)
    assert with_other_answer(main, none, confirmed=True) == main


def test_a_what_if_on_the_numbers_is_estimated_again(understand) -> None:
    """"如果是一万呢" after an estimate: the amount replaces the old one and the estimate comes first,
    whatever entry retrieval liked best; with no debt held, the bare numbers are not a debt."""
    held = Slots(principal=Decimal(5000), days=10)
    d = decide(understand("如果是一万呢"), held, found("consequences", "penalty"), ROLES, LIMITS)
    assert d.kind is ReplyKind.PENALTY and d.estimate_first and d.slots.principal == 10000 and d.slots.days == 10
    assert decide(understand("如果是一万呢"), Slots(), missed(None, "consequences"), ROLES, LIMITS).kind is ReplyKind.FALLBACK


def test_a_question_naming_the_penalty_goes_to_its_own_entry_once_the_debt_is_held(understand) -> None:
    held = Slots(principal=Decimal(5000), days=10)
    d = decide(understand("能减免罚息吗"), held, found("waive-penalty", "penalty"), ROLES, LIMITS)
    assert d.kind is ReplyKind.ANSWER and d.intent == "waive-penalty" and not d.estimate
    d = decide(understand("罚息多不多"), held, found("annual-rate", "penalty"), ROLES, LIMITS)
    assert d.kind is ReplyKind.PENALTY and d.estimate
