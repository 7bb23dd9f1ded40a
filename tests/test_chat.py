from __future__ import annotations

import pytest

from bot.answer import ReplyKind
from eval.calculator import run_case
from eval.data import load_penalty_cases

CASES = load_penalty_cases()


@pytest.mark.parametrize("case", CASES, ids=[" || ".join(c.turns) for c in CASES])
def test_penalty_table_through_the_chat_pipeline(bot, case) -> None:
    ok, got = run_case(bot.chat, case)
    assert ok, got


def test_two_turns_remember_the_amount(bot) -> None:
    first = bot.chat.reply("我借呗欠了6000")
    assert first.kind is ReplyKind.ASK_VALUE and first.penalty is None and first.asks_for == ["days"]
    assert "逾期了多少天" in first.lead
    second = bot.chat.reply("逾期20天", first.session_id)
    assert second.session_id == first.session_id
    assert second.penalty is not None and second.penalty.amount == 90.0 and second.penalty.rate_assumed
    assert second.kind is ReplyKind.PENALTY and "90.00元" in second.lead and "沿用你刚才说的欠款6,000元" in second.lead
    assert "仅供参考，以借呗账单和合同为准" in second.answer
    assert second.sources[0].id == "penalty"
    # a later rate updates the estimate
    third = bot.chat.reply("日利率是万分之四", first.session_id)
    assert third.penalty is not None and third.penalty.amount == 72.0 and not third.penalty.rate_assumed


def test_values_given_after_the_penalty_answer_invites_them_are_taken(bot) -> None:
    first = bot.chat.reply("借呗逾期罚息怎么算")
    assert first.kind is ReplyKind.ANSWER and first.sources[0].id == "penalty" and not first.asks_for
    second = bot.chat.reply("我借了8000", first.session_id)  # no word of a debt: only the invitation makes it one
    assert second.kind is ReplyKind.ASK_VALUE and second.asks_for == ["days"], second
    third = bot.chat.reply("20天", first.session_id)
    assert third.kind is ReplyKind.PENALTY and third.penalty is not None and third.penalty.amount == 120.0
    # without the invitation the same amount is everyday talk, not a debt
    assert bot.chat.reply("我借了8000").kind is not ReplyKind.ASK_VALUE
    # a bare number after the invitation could be either value: the bot asks for the amount in words
    again = bot.chat.reply("借呗逾期罚息怎么算")
    unclear = bot.chat.reply("20", again.session_id)
    assert unclear.kind is ReplyKind.ASK_VALUE and unclear.asks_for == ["principal"] and "欠款" in unclear.lead
    assert unclear.penalty is None


def test_the_figure_comes_first_and_nothing_is_said_twice(bot) -> None:
    a = bot.chat.reply("欠了两万逾期一个月罚多少")
    assert a.lead.startswith("按你说的欠款20,000元、逾期30天，罚息约450.00元")
    assert a.answer.count("450.00元") == 2  # the lead and the one-line calculation
    assert "24%" not in a.answer and len(a.answer) < 320
    assert a.penalty is not None and a.kind is ReplyKind.PENALTY and a.disclaimer


def test_the_24_percent_note_only_for_a_rate_the_user_gave(bot) -> None:
    assumed = bot.chat.reply("借呗欠1万逾期365天")
    assert "24%" not in assumed.answer
    stated = bot.chat.reply("借呗欠1万逾期365天，日利率0.06%")
    assert "24%" in stated.answer and "调减" in stated.answer and "12378" in stated.answer
    low = bot.chat.reply("借呗欠1万逾期365天，日利率0.02%")
    assert "24%" not in low.answer


def test_sessions_are_separate(bot) -> None:
    a = bot.chat.reply("我借呗欠了6000")
    b = bot.chat.reply("逾期20天罚多少")
    assert b.session_id != a.session_id and b.penalty is None and b.asks_for == ["principal"]


def test_unknown_session_id_starts_a_new_session(bot) -> None:
    answer = bot.chat.reply("借呗逾期会上征信吗", "no-such-session")
    assert answer.session_id and answer.session_id != "no-such-session"


def test_other_question_with_remembered_amount_answers_it_and_joins_the_estimate(bot) -> None:
    s = bot.chat.reply("我欠了一万").session_id
    answer = bot.chat.reply("借呗逾期三天会上征信吗", s)
    assert answer.kind is ReplyKind.ANSWER and answer.sources[0].id in {"credit-report", "short-overdue"}
    assert answer.lead.startswith(("有可能", "有影响"))
    assert answer.penalty is not None and answer.penalty.amount == 22.5 and "另外" in answer.answer


@pytest.mark.parametrize("text", ["借呗借一万一天利息多少", "借呗提前还款5000元利息多少", "借呗借了3万分12期",
                                  # a normal loan's price in its own words (本金, 利率, 年化) is not an overdue debt
                                  "借呗本金一万 借三个月利息多少", "借呗借了三万，年化18%，一年要还多少利息",
                                  "借呗5000本金，利率万分之三，用60天要多少利息", "借呗借款一万元，年利率是多少"])
def test_numbers_without_any_talk_of_debt_compute_nothing(bot, text: str) -> None:
    answer = bot.chat.reply(text)
    assert answer.penalty is None and not answer.asks_for


def test_out_of_range_is_refused_and_not_remembered(bot) -> None:
    first = bot.chat.reply("欠了2000万逾期10天")
    assert first.kind is ReplyKind.REFUSE_VALUE and "无法估算" in first.lead and "上限" in first.lead
    second = bot.chat.reply("逾期10天罚多少", first.session_id)
    assert second.penalty is None and second.asks_for == ["principal"]


def test_knowledge_answers_cite_the_intent_and_its_evidence(bot) -> None:
    a = bot.chat.reply("借呗逾期打通讯录合法吗")
    assert a.kind is ReplyKind.ANSWER and a.sources[0].kind == "intent" and a.sources[0].id == "contacts"
    assert "依据" in a.sources[0].label and "个人信息保护法" in a.sources[0].label
    assert any(s.kind == "article" and s.id == "art-contacts" for s in a.sources)
    assert a.lead and a.answer.startswith(a.lead) and len(a.lead) <= 80


def test_fallbacks_point_to_a_human(bot) -> None:
    a = bot.chat.reply("借呗额度怎么提升")
    assert a.kind is ReplyKind.FALLBACK and a.fallback and a.confidence == 0.0
    assert "95188" in a.answer and {c.number for c in a.contacts} >= {"95188", "12378"}


def test_a_repayment_day_after_the_due_day_is_answered_as_late(bot) -> None:
    # no word of being late, but 20号 after a due day of 15 is five days late: answered, not "everyday
    # use"; its confidence is the retrieval's own score of the entry answered, even though the message
    # was close to an everyday topic
    a = bot.chat.reply("借呗每月15号还款 我20号还清了 会上征信吗")
    assert a.kind is ReplyKind.ANSWER and a.sources[0].id == "credit-report", (a.kind, a.sources)
    assert a.confidence > 0.5


def test_a_bare_number_answering_the_days_claims_no_retrieval_score(bot) -> None:
    first = bot.chat.reply("我借呗欠了6000")
    second = bot.chat.reply("20", first.session_id)
    assert second.kind is ReplyKind.PENALTY and second.sources[0].id == "penalty" and second.sources[0].score is None


@pytest.mark.parametrize(("follow_up", "intent"), [("会不会被起诉啊", "lawsuit"), ("会坐牢吗", "jail-fear"),
                                                   ("家里人会知道吗", "contacts"), ("会上征信吗", "credit-report")])
def test_a_short_follow_up_is_read_in_the_conversation(bot, follow_up: str, intent: str) -> None:
    s = bot.chat.reply("借呗逾期三天了我好害怕").session_id
    answer = bot.chat.reply(follow_up, s)
    assert answer.kind is ReplyKind.ANSWER and answer.sources[0].id == intent, (answer.kind, answer.sources)


@pytest.mark.parametrize("ask", ["真的吗", "你确定吗", "真的吗 我好怕", "真的不会吗"])
def test_asking_whether_it_is_true_restates_the_last_answer(bot, ask: str) -> None:
    first = bot.chat.reply("借呗逾期会坐牢吗")
    again = bot.chat.reply(ask, first.session_id)
    assert again.kind is ReplyKind.ANSWER and again.sources[0].id == "jail-fear"
    assert again.lead.startswith("是的") and first.lead in again.lead and "95188" in again.answer
    assert again.disclaimer == first.disclaimer
    assert bot.chat.reply(ask).kind is ReplyKind.FALLBACK  # a new conversation: nothing to confirm


@pytest.mark.parametrize("ask", ["为什么", "那为什么呢", "凭什么"])
def test_asking_why_gives_the_last_answers_explanation(bot, ask: str) -> None:
    """A bare "为什么" after "不能自己推迟" got the repaid-but-still-shown-overdue answer (read as
    "借呗逾期了，为什么"); it now gets that answer's explanation under its lead, and falls back with
    nothing answered before it."""
    first = bot.chat.reply("借呗能晚几天还吗")
    again = bot.chat.reply(ask, first.session_id)
    assert again.kind is ReplyKind.ANSWER and again.sources[0].id == first.sources[0].id
    assert first.lead in again.lead and first.answer.split("\n\n")[1] in again.answer and "95188" in again.answer
    assert bot.chat.reply(ask).kind is ReplyKind.FALLBACK


@pytest.mark.parametrize("ask", ["然后呢", "还有呢", "有用吗"])
def test_asking_for_more_gives_the_last_answers_details(bot, ask: str) -> None:
    """"有用吗" after "还不上怎么办" got the partial-repayment answer and "然后呢" after the 征信 answer
    the consequences (each read as "借呗逾期了，…"); they now get the last answer's details under its
    lead, and fall back with nothing answered before them."""
    first = bot.chat.reply("借呗还不上怎么办")
    again = bot.chat.reply(ask, first.session_id)
    assert again.kind is ReplyKind.ANSWER and again.sources[0].id == first.sources[0].id == "cannot-repay"
    assert first.lead in again.lead and first.answer.split("\n\n")[1] in again.answer and "95188" in again.answer
    assert bot.chat.reply(ask).kind is ReplyKind.FALLBACK


def test_fear_without_a_question_is_met_calmly(bot) -> None:
    answer = bot.chat.reply("我好怕")
    assert answer.kind is ReplyKind.SMALLTALK and "别慌" in answer.lead and "95188" in answer.answer
    assert answer.suggestions


@pytest.mark.parametrize("ask", ["打哪个电话", "找谁"])
def test_which_number_to_call_is_a_request_for_a_person(bot, ask: str) -> None:
    # "找谁" after the repaid-still-overdue answer once got the can't-repay answer
    s = bot.chat.reply("还清了怎么还显示逾期").session_id
    answer = bot.chat.reply(ask, s)
    assert answer.kind is ReplyKind.HANDOFF and "95188" in answer.answer


@pytest.mark.parametrize(("first", "follow_up", "intent"), [
    # "严重吗" after "逾期一天" is not the long-overdue consequences; "怎么办" is what to do now
    ("借呗逾期一天", "严重吗", "short-overdue"), ("借呗逾期一天", "怎么办", "overdue-what-now"),
    ("借呗逾期一天", "会上征信吗", "credit-report"), ("借呗逾期一天", "还能借吗", "borrow-again"),
    # "能消掉吗" after "会上征信吗" asks about the record (it got "repaid, still shown overdue"); when the
    # record's own context answers nothing ("那怎么办"), the message is read as talk of being overdue
    ("借呗逾期会上征信吗", "能消掉吗", "record-duration"), ("借呗逾期会上征信吗", "那怎么办", "overdue-what-now"),
    # "要去吗" after "借呗逾期被起诉了" asks whether to go to court (it got how-to-repay)
    ("借呗逾期被起诉了", "要去吗", "lawsuit"), ("借呗逾期被起诉了", "不去会怎样", "lawsuit"),
    ("借呗逾期被起诉了", "会坐牢吗", "jail-fear"), ("借呗逾期被起诉了", "会影响孩子吗", "family-liability"),
    # "要多久" after "逾期记录能消除吗" asks how long the record stays (it got the borrow-again answer)
    ("借呗逾期记录能消除吗", "要多久", "record-duration"), ("借呗逾期记录能消除吗", "会影响房贷吗", "credit-report"),
    ("借呗逾期记录能消除吗", "还能借吗", "borrow-again"), ("借呗逾期记录能消除吗", "记录不对怎么办", "record-dispute"),
    # "还是不行怎么办" after the repayment would not go in got the borrow-again answer; the how-to-repay
    # answer (which ends with customer service) is given again
    ("余额宝转不进去 借呗逾期的钱还不了", "还是不行怎么办", "how-to-repay"),
    ("余额宝转不进去 借呗逾期的钱还不了", "会上征信吗", "credit-report"),
    ("余额宝转不进去 借呗逾期的钱还不了", "罚息怎么算", "penalty"),
    # a short shortfall after the due-soon answer is about the money due (差两千 got the agent-scam
    # answer, 还差一点 the one-day-late one); how long or how much after the 芝麻分 answer is the score's
    ("借呗今天到期 我钱不够", "差两千", "postpone"), ("借呗今天到期 我钱不够", "还差一点", "postpone"),
    ("借呗今天到期 我钱不够", "会被起诉吗", "lawsuit"),
    # customer service said no to the delay the postpone answer suggests asking for (it got that answer
    # again): what to do next is cannot-repay's
    ("借呗今天到期 我钱不够", "客服不同意怎么办", "cannot-repay"),
    ("借呗逾期芝麻分会降吗", "多久能恢复", "zhima-score"), ("借呗逾期芝麻分会降吗", "会掉多少", "zhima-score"),
    ("借呗逾期芝麻分会降吗", "会影响房贷吗", "credit-report"), ("借呗逾期芝麻分会降吗", "会上征信吗", "credit-report"),
    # naming 借呗 keeps a short question a follow-up unless it is an everyday one (below): these fell back
    ("借呗逾期一天", "借呗还能用吗", "borrow-again"), ("借呗逾期了怎么办", "借呗怎么还", "how-to-repay"),
    ("借呗还清了怎么还显示逾期", "借呗多久更新", "repaid-still-overdue"),
    ("借呗提示当前存在逾期", "借呗怎么查", "check-status"),
    # "那我老婆呢" after the family answer asks about the spouse (it got the contacts answer); calls
    # and home visits keep their own answers
    ("借呗逾期了会连累家人吗", "那我老婆呢", "family-liability"),
    ("借呗逾期了会连累家人吗", "会打电话给他们吗", "contacts"), ("借呗逾期了会连累家人吗", "会上门吗", "home-visit"),
    # how long it has been, after an answer with a situation of its own, is the time since that situation
    # (都两天了 got the one-day-late answer, 都半个月了 the consequences); after the short-overdue answer
    # the days are still days overdue
    ("借呗还清了怎么还显示逾期", "都两天了", "repaid-still-overdue"),
    ("借呗逾期还清了还能借吗", "都半个月了", "borrow-again"),
    ("借呗逾期一天有影响吗", "已经三天了", "short-overdue"),
    # "这合法吗" after the answer about calls to family is about the collectors (it got the 24% answer)
    ("借呗逾期了会不会打电话给我爸妈", "这合法吗", "contacts"),
    # another product named as part of the last answer's situation (fell back as another product's)
    ("借呗显示当前存在逾期 请结清后再申请", "信用卡也都还了", "existing-overdue-notice"),
    ("借呗逾期芝麻分会降吗", "花呗额度会降吗", "jiebei-affects-other"),
    # "现在还来得及吗" after the due-date answer is asked on the due date (got "repay the overdue part now")
    ("借呗几点前还款不算逾期", "那我现在还来得及吗", "due-time"),
    # "会提醒还款吗" after the reminders answer is about those messages (got repaid-still-overdue)
    ("借呗逾期了会发短信吗", "借呗会提醒还款吗", "reminders"),
])
def test_a_follow_up_is_read_in_the_last_answers_situation(bot, first: str, follow_up: str, intent: str) -> None:
    """A short follow-up is read in the situation of the answer before it (that entry's own
    ``follow_up_context``, else an overdue 借呗); other questions keep their own answers."""
    s = bot.chat.reply(first).session_id
    assert bot.chat.reply(follow_up, s).sources[0].id == intent


@pytest.mark.parametrize("ask", ["借呗几号还款", "借呗能借多少", "借呗怎么改还款日", "借呗怎么开通"])
def test_an_everyday_question_naming_jiebei_after_an_overdue_answer_falls_back(bot, ask: str) -> None:
    s = bot.chat.reply("借呗逾期了怎么办").session_id
    assert bot.chat.reply(ask, s).kind is ReplyKind.FALLBACK


def test_distress_beside_the_debt_is_answered_before_the_figure(bot) -> None:
    """"…每天都有电话 我快崩溃了" with the amount and the days got the estimate alone, figure first;
    the collection answer now comes first and the estimate is joined after it. The debt stated alone
    is still estimated first."""
    answer = bot.chat.reply("我借呗欠了五万多 已经三个月没还了 每天都有电话 我快崩溃了")
    assert answer.sources[0].id == "collection" and answer.penalty is not None
    assert answer.answer.index("催收") < answer.answer.index("罚息约")
    assert bot.chat.reply("借呗欠5000逾期10天").kind is ReplyKind.PENALTY


def test_part_now_and_the_rest_later_is_answered_not_taken_for_everyday_use(bot) -> None:
    """"先还一半 剩下的下周还吗" fell back as everyday use; it asks to pay the rest late. Paying part of the
    loan early ("提前还一部分") stays everyday use."""
    answer = bot.chat.reply("借呗可以先还一半 剩下的下周还吗")
    assert answer.kind is ReplyKind.ANSWER
    assert {answer.sources[0].id} | {s.id for s in answer.sources} >= {"postpone"}
    assert bot.chat.reply("借呗提前还一部分可以吗").kind is ReplyKind.FALLBACK


def test_a_job_or_civil_service_check_is_not_promised_either_way(bot) -> None:
    """Nothing in the facts says whether employers look at the credit report: the answer says so."""
    answer = bot.chat.reply("借呗逾期会不会影响我找工作")
    assert answer.sources[0].id == "credit-report" and "具体单位" in answer.answer


def test_the_repaid_but_still_shown_answer_says_how_long_to_wait_first(bot) -> None:
    """"要等多久" and "还是不行怎么办" after it get its lead again, which only said to check the record."""
    s = bot.chat.reply("借呗还清了怎么还显示逾期").session_id
    for ask in ("要等多久", "还是不行怎么办"):
        lead = bot.chat.reply(ask, s).lead
        assert "一两天" in lead and "客服" in lead


@pytest.mark.parametrize(("ask", "intent"), [("能减免罚息吗", "waive-penalty"), ("罚息合法吗", "annual-rate")])
def test_a_question_naming_the_penalty_after_an_estimate_gets_its_own_answer(bot, ask: str, intent: str) -> None:
    """With the values held, any message naming 罚息 once got the estimate again; asking the amount still does."""
    s = bot.chat.reply("欠借呗三万 逾期快一年了").session_id
    assert bot.chat.reply(ask, s).sources[0].id == intent
    again = bot.chat.reply("罚息多不多", s)
    assert again.kind is ReplyKind.PENALTY and "8,212.50" in again.lead
    # 30,000 × 0.05% × 1.5: what waiting one more day costs, which also answers "还会一直涨吗"
    assert "每多一天约多22.50元" in again.lead


def test_asking_about_the_police_after_a_home_visit_answer_is_about_collectors(bot) -> None:
    """It got the jail-fear answer (whose 报警 is about scam calls), not what collectors may not do."""
    s = bot.chat.reply("催收说今天不还就上门").session_id
    assert bot.chat.reply("我可以报警吗", s).sources[0].id == "collection"


def test_the_previous_question_asked_of_another_product(bot) -> None:
    """"那信用卡呢" after "花呗逾期会影响借呗吗" asks the same of 信用卡 (it was told it is about another
    product); a run of them keeps the first question; after a question naming no other product it
    stays another product's question."""
    s = bot.chat.reply("花呗逾期会影响借呗吗").session_id
    assert bot.chat.reply("那信用卡呢", s).sources[0].id == "other-affects-jiebei"
    assert bot.chat.reply("网商贷呢", s).sources[0].id == "other-affects-jiebei"
    s = bot.chat.reply("借呗逾期会影响花呗吗").session_id
    assert bot.chat.reply("那网商贷呢", s).sources[0].id == "jiebei-affects-other"
    s = bot.chat.reply("借呗逾期会上征信吗").session_id
    assert bot.chat.reply("那花呗呢", s).kind is ReplyKind.FALLBACK
    assert bot.chat.reply("花呗呢").kind is ReplyKind.FALLBACK
    # the question was read with the statement before it ("花呗逾期了", then "借呗还能用吗"): both are asked again
    s = bot.chat.reply("花呗逾期了").session_id
    assert bot.chat.reply("借呗还能用吗", s).sources[0].id == "other-affects-jiebei"
    assert bot.chat.reply("那信用卡呢", s).sources[0].id == "other-affects-jiebei"


@pytest.mark.parametrize(("question", "intent"), [("那花呗还能用吗", "jiebei-affects-other"), ("花呗会被关吗", "jiebei-affects-other"),
                                                  ("信用卡还能办吗", "credit-report"), ("花呗逾期了怎么办", None),
                                                  ("花呗要怎么还钱", None), ("那网商贷呢", None)])
def test_another_product_asked_about_after_an_overdue_jiebei_answer(bot, question: str, intent: str | None) -> None:
    """"那花呗还能用吗" after "借呗逾期一天" asks what the overdue 借呗 does to 花呗 (it fell back as another
    product's question); the other product's own lateness, its everyday use and "那网商贷呢" (the last
    question asked of it) still fall back, and so does the question with no conversation before it."""
    s = bot.chat.reply("借呗逾期一天").session_id
    reply = bot.chat.reply(question, s)
    assert (reply.sources[0].id if reply.kind is ReplyKind.ANSWER else None) == intent
    assert bot.chat.reply(question).kind is ReplyKind.FALLBACK


def test_a_follow_up_that_only_sounds_like_a_not_overdue_question_is_read_in_context(bot) -> None:
    """"那房贷呢" after "借呗逾期了" is whether the overdue touches a mortgage: it got "if you are not
    overdue, I cannot say" (its nearest out-of-scope questions are not-overdue ones). Saying one is not
    overdue there still gets that reply."""
    s = bot.chat.reply("借呗逾期了").session_id
    assert bot.chat.reply("那房贷呢", s).sources[0].id == "credit-report"
    s = bot.chat.reply("借呗逾期了").session_id
    assert bot.chat.reply("我一直按时还的", s).kind is ReplyKind.FALLBACK


def test_a_question_about_jiebei_right_after_another_products_overdue_is_read_with_it(bot) -> None:
    """"借呗还能用吗" after "花呗逾期了" (another product's, which falls back) is whether 花呗's overdue
    touches 借呗; an everyday question after it ("借呗怎么提额") and the same question without it still
    fall back."""
    s = bot.chat.reply("花呗逾期了").session_id
    assert bot.chat.reply("借呗还能用吗", s).sources[0].id == "other-affects-jiebei"
    s = bot.chat.reply("花呗逾期了").session_id
    assert bot.chat.reply("借呗怎么提额", s).kind is ReplyKind.FALLBACK
    assert bot.chat.reply("借呗还能用吗").kind is ReplyKind.FALLBACK


@pytest.mark.parametrize(("first", "then", "intent"), [
    ("借呗还款日是15号", "我想18号还", "postpone"), ("借呗还款日是15号", "晚上十点还可以吗", "due-time"),
    ("我没有逾期", "借呗为什么不能用", None), ("借呗怎么开通", "额度怎么提", None)])
def test_a_question_right_after_an_unanswered_statement_is_read_with_it(bot, first: str, then: str,
                                                                        intent: str | None) -> None:
    """The situation told in one message and the question asked in the next: "我想18号还" after
    "借呗还款日是15号" fell back. Everyday questions stay everyday questions together."""
    s = bot.chat.reply(first).session_id
    answer = bot.chat.reply(then, s)
    if intent is None:
        assert answer.kind is ReplyKind.FALLBACK
    else:
        assert answer.sources[0].id == intent


def test_saying_one_has_repaid_is_met_with_what_to_check_and_what_to_ask_next(bot) -> None:
    """"借呗的钱我已经还清了" fell back as everyday use; it gets what to check and the questions that
    come after repaying, and the question that follows is read with it."""
    said = bot.chat.reply("借呗的钱我已经还清了")
    assert said.kind is ReplyKind.SMALLTALK and not said.fallback and "借还记录" in said.lead
    after = [bot.corpus.get(i).questions[0] for i in ("repaid-still-overdue", "borrow-again", "record-duration")]
    assert said.suggestions[:3] == after
    asked = bot.chat.reply("为啥还显示逾期", said.session_id)
    assert asked.sources[0].id == "repaid-still-overdue"


def test_the_family_answer_needs_family_in_the_question(bot) -> None:
    """Its lead says the record does not touch children's exams: not an answer to one's own career."""
    assert bot.chat.reply("借呗逾期会影响我考公务员吗").sources[0].id != "family-liability"
    assert bot.chat.reply("我想帮我老婆把她欠的蚂蚁借呗还掉 要怎么操作").kind is ReplyKind.FALLBACK


def test_a_bare_what_now_is_not_told_it_is_about_another_product(bot) -> None:
    answer = bot.chat.reply("怎么办")
    assert answer.kind is ReplyKind.FALLBACK and "其他产品" not in answer.answer


def test_a_follow_up_after_repaid_but_still_shown_overdue_is_about_a_repaid_debt(bot) -> None:
    """The entry's own follow-up context: "还是没变怎么办" after it is not "repay as soon as you can"."""
    s = bot.chat.reply("钱都还完了借呗为什么还是逾期状态").session_id
    assert bot.chat.reply("一直没变咋办", s).sources[0].id == "repaid-still-overdue"
    assert bot.chat.reply("会影响征信吗", s).sources[0].id == "credit-report"


@pytest.mark.parametrize(("first", "ask", "intent"), [
    ("借呗逾期罚息能减免吗", "怎么申请", "waive-penalty"), ("借呗逾期罚息能减免吗", "成功率高吗", "waive-penalty"),
    ("借呗逾期罚息能减免吗", "还能借吗", "borrow-again"), ("借呗结清证明怎么开", "要多久", "settlement-proof"),
    ("借呗结清证明怎么开", "要钱吗", "settlement-proof"), ("借呗结清证明怎么开", "还能借吗", "borrow-again"),
    ("征信上有借呗逾期记录但是我没逾期过 怎么办", "去哪里申请", "record-dispute"),
    ("征信上有借呗逾期记录但是我没逾期过 怎么办", "需要什么材料", "record-dispute"),
    ("征信上有借呗逾期记录但是我没逾期过 怎么办", "会影响房贷吗", "credit-report"),
    ("借呗逾期会上征信吗", "要多久", "record-duration"), ("我借呗还不上了", "怎么申请", "cannot-repay"),
    ("我借呗还不上了", "要钱吗", "cannot-repay"), ("借呗能延期几天吗", "怎么申请", "postpone"),
    # how long the update takes, after the answer about a repayment that still shows as overdue
    ("借呗还清了还显示逾期", "要等多久", "repaid-still-overdue"),
    ("借呗还清了还显示逾期", "要多久才更新", "repaid-still-overdue"),
    ("借呗逾期还清了还能借吗", "要等多久", "borrow-again")])
def test_asking_how_to_apply_after_an_answer_about_applying_stays_with_it(bot, first: str, ask: str,
                                                                         intent: str) -> None:
    """"怎么申请" after the waiver answer got the postpone answer, "要钱吗" after the settlement proof got
    how to repay; a question with a topic of its own ("还能借吗") still gets that topic."""
    s = bot.chat.reply(first).session_id
    assert bot.chat.reply(ask, s).sources[0].id == intent


@pytest.mark.parametrize("correction", ["不对 是两万", "我说错了 是两万", "不好意思 应该是两万", "不是一万是两万"])
def test_correcting_a_value_after_an_estimate_estimates_again(bot, correction: str) -> None:
    """"不对 是两万" fell back ("not sure what you ask"); the days are kept, the amount replaced."""
    s = bot.chat.reply("欠了一万逾期10天罚多少").session_id
    again = bot.chat.reply(correction, s)
    assert again.kind is ReplyKind.PENALTY and again.penalty is not None
    assert (again.penalty.principal, again.penalty.days, again.penalty.amount) == (20000.0, 10, 150.0)


@pytest.mark.parametrize("complaint", ["不对", "你说的不对", "答非所问", "没用", "你没懂我的意思", "我不是问这个",
                                       "？？？", "什么意思"])
def test_saying_the_answer_missed_gets_an_apology_and_a_person(bot, complaint: str) -> None:
    """"你说的不对" got the "当前存在逾期" answer, "不对" the same answer again; "？？？" got the
    borrow-again answer and "什么意思" the notice's."""
    s = bot.chat.reply("借呗逾期了怎么办").session_id
    answer = bot.chat.reply(complaint, s)
    assert answer.kind is ReplyKind.SMALLTALK and answer.lead.startswith("抱歉") and "95188" in answer.answer


@pytest.mark.parametrize("denial", ["可是我没有逾期啊", "我没逾期过啊", "我根本没有逾期", "可是我借呗没逾期"])
def test_saying_one_is_not_overdue_after_the_overdue_notice_answer_is_about_the_notice(bot, denial: str) -> None:
    """Being told "当前存在逾期" when one is not overdue is what that answer explains (the loan may be
    elsewhere); it got "if you are not overdue, I cannot help". After other answers it still does."""
    s = bot.chat.reply("借呗提示当前存在逾期").session_id
    assert bot.chat.reply(denial, s).sources[0].id == "existing-overdue-notice"
    for first in ("借呗逾期了怎么办", "借呗逾期会上征信吗", "钱都还完了借呗为什么还是逾期状态"):
        s = bot.chat.reply(first).session_id
        assert bot.chat.reply(denial, s).kind is ReplyKind.FALLBACK, first


@pytest.mark.parametrize(("text", "intent"), [("逾期了怎么办", "overdue-what-now"), ("我忘了还款了", "overdue-what-now"),
                                             ("会不会被起诉啊", "lawsuit"), ("还清了怎么还显示逾期", "repaid-still-overdue"),
                                             ("说要派人到我户籍地上门核实 会真的来吗", "home-visit")])
def test_overdue_talk_that_names_no_product_is_about_jiebei(bot, text: str, intent: str) -> None:
    answer = bot.chat.reply(text)
    assert answer.kind is ReplyKind.ANSWER and answer.sources[0].id == intent, (answer.kind, answer.sources)


@pytest.mark.parametrize("text", ["家里人会知道吗", "你知道现在几点了吗", "怎么提升额度", "信用卡逾期怎么办"])
def test_other_talk_that_names_no_product_is_not_answered_alone(bot, text: str) -> None:
    assert bot.chat.reply(text).kind is ReplyKind.FALLBACK


@pytest.mark.parametrize("text", ["今天天气怎么样", "花呗呢", "你们这个怎么样", "我没有逾期"])
def test_context_does_not_pull_other_topics_into_scope(bot, text: str) -> None:
    s = bot.chat.reply("借呗逾期三天了我好害怕").session_id
    assert bot.chat.reply(text, s).kind is ReplyKind.FALLBACK


@pytest.mark.parametrize("text", ["借呗忘还了一天会不会很严重", "借呗逾其一天有影响没"])
def test_a_day_late_in_everyday_words_or_with_a_typo_is_answered(bot, text: str) -> None:
    answer = bot.chat.reply(text)
    assert answer.kind is ReplyKind.ANSWER and answer.sources[0].id == "short-overdue", answer


@pytest.mark.parametrize("text", ["借呗下周才发工资能不能等我几天", "借呗这期我想过两天再还行吗", "借呗月底再还可以吗",
                                  "借呗下个月还可以吗"])
def test_asking_for_a_few_more_days_in_any_words_is_answered(bot, text: str) -> None:
    answer = bot.chat.reply(text)
    assert answer.kind is ReplyKind.ANSWER and answer.sources[0].id == "postpone", answer


@pytest.mark.parametrize(("text", "intent"), [
    ("借呗今天最后一天，十点还可以吗", "due-time"), ("银行卡没钱借呗没扣成功会怎样", "due-time"),
    ("借呗逾期多少天会被催收", "reminders"), ("借呗逾期了征信多久能恢复", "record-duration"),
    ("借呗还款时间到了我没钱怎么办", "cannot-repay"), ("借呗过两天还会不会上征信", "short-overdue"),
    ("借呗逾期了要我一次还完", "demand-full"), ("借呗逾期了公司会知道吗", "contacts"),
    ("有人说能帮我跟借呗协商停息，要先交钱", "agent-scam"), ("借呗还了一部分还算逾期吗", "partial-repayment"),
    ("我借呗逾期", "overdue-what-now"), ("借呗有一期没还", "overdue-what-now"),
    ("我借呗逾期了现在还清还有用吗", "overdue-what-now"), ("借呗逾期***天了", "overdue-what-now"),
    ("这个月工资拖欠了，借呗下周三到期，能不能跟借呗申请晚几天还，会不会影响征信啊", "postpone"),
    ("借呗还款了账单没变", "repaid-still-overdue"), ("借呗还进去了没显示", "repaid-still-overdue"),
    ("借呗能逾期几天不影响征信", "postpone"), ("征信不好借呗能用吗", "other-affects-jiebei"),
    ("借呗催收骂人可以投诉吗", "collection"), ("借呗逾期家人要承担吗", "family-liability"),
    ("花钱找人处理借呗逾期靠谱吗", "agent-scam"), ("借钡逾期了", "overdue-what-now"),
    ("蚂蚁借的钱晚还两天行不行", "postpone"),
    ("借呗违约了怎么办", "overdue-what-now"), ("借呗违约了会怎样", "consequences"),
    ("借呗逾期还清了 负面记录什么时候消", "record-duration"), ("以前有过逾期记录对借呗有影响吗", "other-affects-jiebei"),
    ("借呗逾期三个月了 现在还清 征信会好吗", "record-duration"), ("怎么查征信有没有借呗逾期", "check-status"),
    ("借呗还款日是今天 我明早还行不", "postpone"), ("借呗昨天到期今天还的 影响大吗", "short-overdue"),
    ("借呗超了一天还的", "short-overdue"), ("借呗逾期花呗被冻结了", "jiebei-affects-other"),
    ("借呗要我全额还款怎么办", "demand-full"),
    ("借呗逾期以后怎么借不到钱了", "borrow-again"), ("借呗到期没还上 花呗还能用吗", "jiebei-affects-other"),
    ("别的贷款逾期了两天会不会影响借呗", "other-affects-jiebei"), ("花呗逾期一天会影响借呗吗", "other-affects-jiebei"),
    ("借呗欠了两万逾期一个多月 每天都有人打电话 我真不知道怎么办", "collection"),
    ("借呗的人老是给我打电话 我该怎么办", "collection"), ("借呗催收恐吓我说要抓我", "collection"),
    ("借呗逾期了说要派人来我家", "home-visit"), ("借呗一直发短信催款怎么回事", "reminders"),
    ("借呗逾期几天上征信", "credit-report"), ("借呗逾期一天会上征信吗", "short-overdue"),
    ("借呗逾期过两次 都还清了 现在一直显示暂时无法使用 什么时候能恢复", "borrow-again"),
    ("不良信息影响借呗吗", "other-affects-jiebei"), ("征信上的负面记录会影响借呗额度吗", "other-affects-jiebei"),
    ("有人打电话说能帮我消除借呗逾期记录", "agent-scam"), ("有人加我微信说能帮借呗停息挂账", "agent-scam"),
    ("有个人加我微信说是借呗客服 可以帮我延期 要交500手续费", "agent-scam"),
    ("有个自称支付宝客服的打电话说我借呗逾期要注销 让我转钱", "agent-scam"),
    ("借呗延期还款要交手续费吗", "postpone"),
    ("美团借钱逾期了 借呗会不会受影响", "other-affects-jiebei"), ("度小满逾期了 借呗能借吗", "other-affects-jiebei"),
    ("借呗逾期了 朋友能帮我还吗", "how-to-repay"), ("借呗逾期了 卡里的钱为什么还不进去", "how-to-repay"),
    ("借呗逾期的钱 我咋还不上去", "how-to-repay"),
    ("借呗逾期了会不会叫我父母帮我还", "family-liability"),
    ("借呗逾期了 剩下的本金要一次性还吗", "demand-full"), ("借呗这期还不全 先还一半行吗", "partial-repayment"),
    ("借呗今天到期 还不齐 怎么办", "postpone"),
    ("花呗晚还了一天 会影响借呗吗", "other-affects-jiebei"), ("借呗晚还了一天 花呗会受影响吗", "jiebei-affects-other"),
    ("借呗逾期会影响坐飞机吗", "blacklist"), ("借呗被起诉了 会限制高消费吗", "blacklist"),
    ("借呗欠了钱 人失联了 工作也没了 怎么办", "cannot-repay"), ("借呗逾期了 罚息一直涨 能冻结吗", "stop-interest"),
    ("有人借呗停息挂账成功过吗", "stop-interest"), ("借呗还款日过了一天才还", "short-overdue"),
    ("昨天借呗到期忘了还 今天早上还上了", "short-overdue"), ("借呗还不上可以找客服协商吗", "cannot-repay"),
    ("找客服能减免借呗罚息吗", "waive-penalty"), ("借呗逾期咋整啊 急", "overdue-what-now"),
    ("借呗逾期了微粒贷还能借吗", "credit-report"), ("借呗逾期后要求一次性还清全部借款", "demand-full"),
    ("借呗今天到期晚上还可以吗", "due-time"), ("借呗今天还款日 我下午还行不行", "due-time"),
    ("借呗今天到期明天晚上还可以吗", "postpone"),
    ("借呗这个月15号到期 但是工资20号才发 能不能等几天 会不会影响征信", "postpone"),
    ("借呗逾期了 会不会把我支付宝冻结", "jiebei-affects-other"),
    ("借呗逾期了半年多了 现在想还 但是一下子拿不出这么多钱", "cannot-repay"), ("借呗逾期以后网商贷还能用吗", "jiebei-affects-other"),
    ("借呗还完逾期的钱了额度还能恢复吗", "borrow-again"), ("借呗逾期几天会报送人民银行征信", "credit-report"),
    ("借呗到期当天还可以吗", "due-time"), ("借呗还款日那天还行吗", "due-time"), ("借呗逾期会连累家人吗", "family-liability"),
    ("昨天忘记还借呗了今天早上赶紧还了，会不会影响我的征信啊", "short-overdue"),
    ("借呗逾期的钱我一次性还清能免掉罚息吗", "waive-penalty"), ("借呗逾期能停止计算利息吗", "stop-interest"),
    ("借呗逾期了会打电话到我单位吗", "contacts"), ("借呗逾期会到单位找我吗", "home-visit"),
    ("借呗能不能过两天再还款", "postpone"),
    ("借呗逾期的事会不会被银行知道", "credit-report"), ("借呗逾期后怎么才能让征信变好", "rebuild-credit"),
    ("借呗这期能只还一点吗", "minimum-payment"), ("借呗逾期了交钱能修复征信吗", "agent-scam"),
    ("借呗没有按时还钱现在怎么办", "overdue-what-now"), ("借呗到了还款日我没有还上怎么办", "overdue-what-now"),
    ("借呗没及时还上该怎么处理", "overdue-what-now"),
    ("借呗没按时还，先还一部分行吗", "partial-repayment"), ("借呗还不上先还一部分可以吗", "partial-repayment"),
])
def test_questions_once_taken_for_everyday_use_or_the_wrong_entry(bot, text: str, intent: str) -> None:
    answer = bot.chat.reply(text)
    assert answer.kind is ReplyKind.ANSWER and answer.sources[0].id == intent, answer



def test_forgetting_to_repay_is_not_having_repaid(bot) -> None:
    text = "这个月那期忘记还了，今天才发现已经逾期两天了，现在赶紧还了，会不会上征信，以后还能不能借"
    assert bot.chat.reply("借呗" + text).sources[0].id != "repaid-still-overdue"


@pytest.mark.parametrize("text", ["借呗最晚几点能借到钱", "借呗今天借明天能还吗", "借呗借了钱什么时候开始算利息",
                                  "借呗提前把钱还了算不算违约", "借呗借款记录会显示在征信上吗", "借呗账单怎么分期",
                                  "借呗还款日明天 今天能还吗", "借呗可以一次性还清吗", "借呗提前还清会有什么不好的影响吗",
                                  "借呗还款日推迟到每月20号行吗", "借呗账单怎么看", "借呗不是逾期 是想问怎么还款",
                                  # which day the due date is, and how it is set, is everyday use, not overdue
                                  "借呗每月的还款日是哪天", "我借呗第一次还款是几号", "借呗两笔借款还款日怎么算",
                                  "借呗的还款日期怎么定的", "借呗提前还了这一期到还款日还扣钱吗",
                                  "借呗提前把钱还了会算违约吗", "提前还清借呗算不算违约", "借呗利息太高了", "借呗暂停自动还款怎么弄",
                                  # a loan applied for at night, not a repayment at night
                                  "半夜申请的借呗多久能到帐",
                                  # the record of borrowing on the credit report is not a late record
                                  "借呗的贷款记录会上征信吗"])
def test_everyday_questions_are_not_taken_for_overdue_ones(bot, text: str) -> None:
    assert bot.chat.reply(text).kind is ReplyKind.FALLBACK


@pytest.mark.parametrize("text", ["今天是借呗还款日", "借呗还款日当天全天都能还吗", "借呗最晚哪天还",
                                  "借呗还款日当天晚上再还来得及吗", "借呗今天到期，现在还可以吗"])
def test_questions_of_the_due_day_itself_get_the_cutoff(bot, text: str) -> None:
    answer = bot.chat.reply(text)
    assert answer.kind is ReplyKind.ANSWER and answer.sources[0].id == "due-time", answer


# everyday questions whose nearest entry is an overdue one: the entry's cue words are missing, so they fall back
@pytest.mark.parametrize("text", ["借呗里面的借钱记录怎么清掉", "借呗放款成功会有短信通知吗", "借呗分期的可以一次性全部结清吗",
                                  "借呗最低能借多少钱", "借呗有没有免息券", "借呗日利率万分之五为什么比别人高",
                                  "我身份证过期了借呗还能还款吗", "借呗申请资料填错了怎么办", "借呗借了钱两个小时了还没到账",
                                  "怎么帮我老公还借呗", "借呗可以借十天吗", "借呗怎么申请容易通过",
                                  # the loan's term, early repayment, borrowing again after paying on time
                                  "借呗借款期限一般是几个月", "借呗正常多久要还款", "借呗能不能只借五天", "借呗最早能提前几天还",
                                  "借呗按期还清以后隔天能再借吗", "借呗借款以后过两天还能再借吗", "借呗能借多少年",
                                  # the limit shown after paying, using the loan at night
                                  "借呗钱还完以后怎么就不显示额度了", "借呗半夜能不能借钱",
                                  "借呗还款后当天可以再借吗", "还款当天下午能再借吗", "借呗能提前一天还吗",
                                  # whether the loan is deducted automatically at all
                                  "借呗会不会自动扣款", "借呗能不能自动从余额宝扣款",
                                  # 晚上 is not 晚还; no money left in 借呗 is its limit, not the user's hardship
                                  "借呗昨天晚上放的款 到现在还没到账", "借呗里面没钱了 借不出来",
                                  "借呗怎么突然没钱借了", "余额宝没有钱了 借呗还款日会扣银行卡吗",
                                  # paying next month's instalment now is early repayment, not a delay
                                  "蚂蚁借呗现在能还下个月的钱吗", "借呗可以先还下个月的款吗",
                                  # the borrowed money not yet arrived, at whatever time of day it was borrowed
                                  "借呗昨晚借的钱到现在还没到账", "中午在借呗借的钱 怎么还没收到",
                                  "借呗昨晚申请的 到现在还是放款中", "借呗昨晚提的钱 现在还没到卡里",
                                  "借呗借的第二笔 过了一天钱还没到", "借呗中午借了两千 到现在余额宝还是没收到",
                                  # transferring borrowed money on is everyday use, not a scam story
                                  "借呗借出来的钱能转给朋友吗", "借呗的钱可以转账到别人卡上吗",
                                  # whether 借呗 reports to the credit bureau at all: not a record already reported
                                  "借呗会不会上征信", "借呗按时还款会上征信吗",
                                  # how the repayment date is set (it got due-time's cutoff)
                                  "借呗还款日从什么时候开始算", "为什么借呗这么久不给我提额",
                                  # money paid out late is no late repayment
                                  "借呗到账晚了两天", "借呗放款晚了一天",
                                  # repaying on a weekend or a holiday, no delay asked for
                                  "借呗周末能还款吗", "借呗放假期间能还款吗", "借呗一期最少还多少",
                                  # a loan repaid and the next one refused, no word of being late (it got
                                  # repaid-still-overdue's wait for the update)
                                  "还清借呗之后显示评估未通过",
                                  # repaid at the due date, a password forgotten, a reminder before the
                                  # due date, how the repayment dates are worked out (got what-now,
                                  # the status update or due-time's cutoff)
                                  "借呗到期还了钱 还能再借出来吗", "支付宝登录密码忘记了 怎么还借呗",
                                  "借呗还款前有没有还款提醒", "借呗分期的还款日期是按什么算的",
                                  # repaying the day after borrowing is early repayment, not a late one
                                  "借呗今天借的 第二天还了 有利息吗",
                                  # a later day that is earlier than the due day is early repayment
                                  "借呗25号要还款 可以提前到20号还吗",
                                  # whether the lender looks at the credit report (got check-status)
                                  "借呗会不会查征信", "借呗借钱要看征信吗", "借呗额度会显示在征信上吗",
                                  # borrowing again after repaying is not extending a loan
                                  "借呗还完了能续借吗"])
def test_everyday_questions_near_an_overdue_entry_fall_back(bot, text: str) -> None:
    assert bot.chat.reply(text).kind is ReplyKind.FALLBACK


# the same entries still answer when the message speaks of being overdue (or of what the entry is about)
@pytest.mark.parametrize(("text", "intent"), [
    ("借呗逾期后平台会发短信提醒吗", "reminders"), ("借呗逾期了要求我一次性还清", "demand-full"),
    ("借呗突然要求我全部还清 我只逾期了一期", "demand-full"),
    ("借呗逾期记录能删掉吗", "record-duration"), ("借呗为啥没有自动扣款呢", "how-to-repay"),
    ("借呗已经还了为什么还显示没还", "repaid-still-overdue"), ("借呗还了 怎么还没消", "repaid-still-overdue"),
    ("借呗逾期了能不能先还一半", "partial-repayment"),
    ("借呗逾期罚息能不能减免", "waive-penalty"), ("借呗逾期利息超过24%合法吗", "annual-rate"),
    ("借呗逾期了能停息挂账吗", "stop-interest"), ("借呗逾期了会不会打电话给我爸妈", "contacts"),
    ("借呗逾期会影响我孩子吗", "family-liability"), ("借呗逾期了会不会叫我父母帮我还", "family-liability"),
    ("借呗逾期罚息可以暂停吗", "stop-interest"), ("借呗到期那天晚上才还算逾期吗", "due-time"),
    ("借呗逾期了会不会留下不良记录", "credit-report"), ("借呗逾期以后不良记录多久能消", "record-duration"),
    ("借呗逾期了他们会不会跑到我公司来", "home-visit"), ("借呗逾期了会不会打电话到我公司", "contacts"),
    ("借呗还款日是15号 我20号发工资 能不能20号再还", "postpone"), ("借呗逾期两个月影响大不大", "consequences"),
    ("借呗今天到期今天还可以吗", "due-time"), ("借呗还款日过了两天再还可以吗", "postpone"),
    ("借呗逾期后征信怎么修复", "rebuild-credit"), ("征信上有借呗逾期记录但是我没逾期过 怎么办", "record-dispute"),
    ("借呗扣款失败了会逾期吗", "due-time"), ("借呗逾期了我马上就还了有影响吗", "short-overdue"),
    ("借呗这个月没还怎么办", "overdue-what-now"), ("借呗没钱还怎么办", "cannot-repay"),
    ("借呗都还了 花呗怎么还显示我借呗逾期没还", "repaid-still-overdue"),
    ("我不想还了会怎样", "consequences"), ("他们说要告我 是真的吗", "lawsuit"), ("借呗逾期会影响我老公吗", "family-liability"),
    ("借呗可以先不还吗", "postpone"), ("银行卡限额，借呗还不了怎么办", "how-to-repay"),
    ("借呗能申请展期吗", "postpone"), ("借呗还款日是15号 我想18号还可以吗", "postpone"),
    ("借呗过了还款日再还行不行", "postpone"),
    ("借呗逾期了半个月，上周已经全部还完了，现在想再借点钱，为什么一直显示无法借款", "borrow-again"),
    ("有个债务协商公司说能帮我跟借呗协商停息挂账，要先交两千块服务费，靠谱吗", "agent-scam"),
    ("借呗逾期会影响家人吗", "family-liability"), ("借呗逾期会影响我老婆吗", "family-liability"),
    ("借呗逾期会连累花呗吗", "jiebei-affects-other"), ("借呗凌晨一点才还款 有影响吗", "short-overdue"),
    ("借呗过了12点才还的会上征信吗", "short-overdue"), ("借呗还款日过了12点还算逾期吗", "due-time"),
    ("借呗逾期了钱不够能还多少算多少吗", "partial-repayment"), ("借呗逾期了剩下没到期的也要还吗", "demand-full"),
    ("借呗今天到期 我钱不够", "postpone"), ("借呗明天到期了 钱还不够", "postpone"),
    ("我会不会被抓起来", "jail-fear"), ("会不会判刑", "jail-fear"),
    ("借呗催收晚上十一点还打电话合法吗", "collection"), ("借呗晚上十一点还算逾期吗", "due-time"),
    ("借呗逾期了我一晚上睡不着", "overdue-what-now"), ("借呗逾期两个月了 我快崩溃了", "overdue-what-now"),
    ("借呗昨天忘了还 今天才还上 会不会有影响啊 好慌", "short-overdue"),
    # dates as customer-service logs mask them (***号), and a due day given as 还款
    ("借呗5号到期能8号还吗", "postpone"), ("借呗***号到期能***号还吗", "postpone"),
    ("借呗***号到期 ***号还行不行", "postpone"), ("借呗15号还款 能17号还吗", "postpone"),
    ("借呗超过还款日***天还了有影响吗", "short-overdue"), ("借呗超过还款日几天算逾期", "due-time"),
    # cannot repay, asked as what to do: not "repay as soon as you can", nor the consequences
    ("借呗逾期了还不上怎么办", "cannot-repay"), ("借呗逾期三个月了还不上怎么办", "cannot-repay"),
    ("借呗还不上会坐牢吗", "jail-fear"), ("花呗逾期了借吧也会不能用吗", "other-affects-jiebei"),
    ("罚多少", "penalty"), ("要罚多少钱", "penalty"),
    ("借呗没逾期征信却显示逾期", "record-dispute"), ("借呗已经还清了为什么还显示逾期", "repaid-still-overdue"),
    ("真的一分钱都没有了借呗怎么办", "cannot-repay"), ("借呗逾期了 我现在没工作 还不起", "cannot-repay"),
    ("失业了借呗还不上会被起诉吗", "lawsuit"), ("借呗逾期芝麻分掉到500多了", "zhima-score"),
    # 借 of 借呗 after 当天 is not "borrow again the same day"
    ("还款日当天下午还借呗来得及吗", "due-time"), ("还款日当天晚上还借呗算逾期吗", "due-time"),
    # a day or two late, asked as a record or after making it up, is the short-overdue answer
    ("不小心借呗晚了一天 会不会有不良记录", "short-overdue"), ("借呗逾期两天有不良记录吗", "short-overdue"),
    ("借呗逾期会不会有不良记录", "credit-report"), ("借呗逾期两天的记录多久能消除", "record-duration"),
    ("昨天忘记还借呗了 今天补上了 会影响征信吗", "short-overdue"),
    # repaid, yet 芝麻信用 still shows it: why it still shows, not what overdue does to the score
    ("还清借呗后 芝麻信用里还有逾期记录怎么办", "repaid-still-overdue"),
    ("借呗逾期还清了芝麻分还是很低怎么恢复", "zhima-score"),
    ("我借呗都还清了 为什么借钱还说我当前有逾期", "existing-overdue-notice"),
    # a plan to pay a week late is asked before it happens; when the report updates after repaying
    ("借呗要到期了 我想晚一个礼拜还 会怎样", "postpone"), ("借呗还清了 征信上什么时候能更新", "repaid-still-overdue"),
    ("借呗逾期还清了记录什么时候消除", "record-duration"),
    # 多还 in "3万多还不上" is an amount then "cannot repay", not "how much more to pay"
    ("借呗欠了3w多还不上了咋整", "cannot-repay"), ("借呗欠了一万多还不上了", "cannot-repay"),
    # the amount owed said inside "what now" is not a question of how to look it up
    ("借呗逾期了 欠八千 怎么办", "overdue-what-now"), ("借呗逾期了欠了两万怎么办啊", "overdue-what-now"),
    ("借呗逾期了欠多少怎么查", "check-status"),
    # a message claiming a lawsuit was filed; another product's overdue said before 逾期
    ("收到短信说借呗已经起诉我了 让我联系一个电话 是真的吗", "lawsuit"),
    ("我信用卡逾期了一个月 借呗突然就不能用了 是因为这个吗", "other-affects-jiebei"),
    ("花呗和借呗都逾期了 还清了还能借吗", "borrow-again"),
    # told it is overdue and cannot borrow: the notice, not when borrowing comes back
    ("借呗显示有逾期不能借款", "existing-overdue-notice"), ("借呗逾期后不能借了", "borrow-again"),
    # when the report updates is the update answer, not how long a record is kept
    ("征信多久更新一次", "repaid-still-overdue"), ("借呗逾期记录多久消除", "record-duration"),
    # someone offering, for a deposit or through "insiders", to arrange a delay or clear a record
    ("网上有人说可以帮忙延期还款 要先交保证金", "agent-scam"), ("有人说认识借呗内部人员 可以消逾期", "agent-scam"),
    ("借呗可以延期吗", "postpone"),
    # late by a week or a month, said with 晚 and no product; a month late asked as what follows
    ("我想晚一个礼拜还 会怎样", "postpone"), ("晚两天还会怎样", "short-overdue"),
    ("借呗晚一个月还有什么后果", "consequences"), ("借呗逾期两个月会怎样", "consequences"),
    ("借呗逾期了一天会怎么样呢", "short-overdue"),
    # whether one must pay the day before the due date is the due-time answer; paying early is everyday use
    ("借呗是不是要在还款日前一天还", "due-time"),
    # an amount owed, said with a question, is being behind on it (it was asked for the days, or fell back)
    ("借呗欠了五千 会上征信吗", "credit-report"), ("借呗欠了3000 芝麻分会掉吗", "zhima-score"),
    ("借呗欠了8000 怎么办", "cannot-repay"),
    # the notice quoted as 请先还清 or addressed to 你; a grace period called 缓冲期; owing "too much"
    ("借呗显示你有逾期借款请结清后再借 什么意思", "existing-overdue-notice"),
    ("借呗说我有逾期未还 请先还清 可我不知道哪里逾期了", "existing-overdue-notice"),
    ("借呗有缓冲期吗 过一两天还算不算逾期", "grace-period"),
    ("借呗欠太多了 能不能申请分期慢慢还", "cannot-repay"),
    # 连累 with a product is about that product, not the family; a record called 污点
    ("借呗逾期会不会连累我的信用卡", "jiebei-affects-other"), ("借呗逾期会连累家人吗", "family-liability"),
    ("借呗逾期的污点能洗掉吗", "record-duration"), ("有人说花钱能把借呗逾期的污点洗掉", "agent-scam"),
    # short of money on the due date, said as how much is missing or how much there is
    ("借呗明天到期 还差三千块 怎么办", "postpone"), ("借呗今天到期 钱凑不够 咋办", "postpone"),
    ("借呗今天到期 我只有一半的钱", "postpone"),
    # …or as what there is beside what is due, on a due date still to come: never "repay the overdue
    # instalment" nor "how many days overdue?", since nothing is overdue yet
    ("明天要还借呗六千 我只凑到四千 怎么办", "postpone"), ("今天还款日 卡里只有一千 要还三千", "postpone"),
    ("借呗马上到期了 手头没那么多钱", "postpone"), ("明天就到期了 但是我只有三千 欠五千", "postpone"),
    ("借呗今天最后一天 钱不够怎么办", "postpone"), ("借呗后天到期 我现在没钱", "postpone"),
    # part repaid, said as the sum ("先还了一千"), asks about the rest; "综合评估未通过" after repaying
    # is the platform's decision on borrowing again, not a status still to update
    ("借呗逾期了 我先还了一千 剩下的还算逾期吗", "partial-repayment"),
    ("逾期的钱还完了 借呗提示综合评估未通过", "borrow-again"),
    # told one is in breach and must repay everything early: the demand, not early repayment; a
    # dispute asked for by name (异议) beside a record shown after repaying on time
    ("借呗说我违约要求提前还清所有借款", "demand-full"),
    ("借呗已经按时还了 征信却显示逾期 怎么申请异议", "record-dispute"),
    ("借呗额度被冻结 说有逾期 可我都按时还了", "existing-overdue-notice"),
    # "完了" opening a message is despair ("I am done for"), not "还完了"
    ("完了 借呗逾期了", "overdue-what-now"), ("糟了 借呗逾期了", "overdue-what-now"),
    # a fee someone asks for ("收500块") is not the debt: the scam is answered, no days are asked for
    ("有人说能帮我把借呗的罚息全免 收500块", "agent-scam"),
    # long messages: a child to feed is why one cannot pay; a spouse's debt; remembered the next day;
    # "好几百" states what the penalty has come to, it does not ask it
    ("我今年被裁员了 借呗还欠四万多 现在根本还不上 家里还有孩子要养 我该怎么办", "cannot-repay"),
    ("借呗逾期会影响孩子上学吗", "family-liability"),
    ("我老公背着我借了借呗 现在逾期了 催收打电话给我 我需要帮他还吗", "family-liability"),
    ("上个月还款日那天加班忘记了 第二天中午才想起来还 会不会上征信", "short-overdue"),
    ("借呗逾期一个月 罚息都好几百了 我本金可以一次还清 罚息能不能免掉", "waive-penalty"),
    # the penalty named inside another entry's question, even when retrieval ranks the penalty first
    ("借呗逾期一天的罚息能不能退", "waive-penalty"), ("借呗逾期了利息一直涨 能停吗", "stop-interest"),
    ("借呗逾期了为什么老是收到短信", "reminders"), ("借呗已经还清了为什么老是收到短信", "repaid-still-overdue"),
    ("有人打电话说是借呗客服 让我转账到指定账户还款 是真的吗", "agent-scam"),
    # "never overdue" beside a report that shows it, a few more words apart
    ("我从来没逾期过 征信报告里却有借呗逾期 怎么办", "record-dispute"),
    # waiting for a date tied to the pay day; "罚了几块钱" says what was charged, it does not ask
    ("借呗还款能不能等到15号 我工资那天到", "postpone"), ("借呗晚还一天 罚了几块钱 会不会上征信", "short-overdue"),
    # 借呗 and another product both overdue: the question asked, not "does the other product affect 借呗"
    ("借呗和信用卡都逾期了 征信会不会很难看", "credit-report"),
    # "is my life over" is fear, answered with what to do first, not with how to look up the bill
    ("借呗逾期了 我这辈子是不是完了", "overdue-what-now"),
    # half a day late; half a day after repaying it still shows overdue
    ("借呗超了半天才还 会有记录吗", "short-overdue"), ("借呗还款后过了半天还显示逾期", "repaid-still-overdue"),
    # shown "no service" a year after repaying is about borrowing again; asking to pay less each month
    ("借呗逾期还完一年了 还是显示暂时无法提供服务 什么时候能恢复", "borrow-again"),
    ("借呗欠了五万 我现在每个月只能还一千 能不能跟平台申请每个月少还一点", "cannot-repay"),
    ("借呗欠款实在无力偿还怎么办", "cannot-repay"),
    # no money to pay, said without 还; what happens if it is not repaid
    ("借呗逾期了 我现在没钱 怎么办", "cannot-repay"), ("借呗的钱不还会怎样", "consequences"),
    ("借呗逾期了 我现在没有钱 怎么办", "cannot-repay"),
    # what happens if it cannot be repaid is consequences'; what to do then stays cannot-repay's
    ("借呗要是真的还不了了 会怎么样", "consequences"), ("借呗还不上 后果严重吗", "consequences"),
    ("借呗还不起了怎么办", "cannot-repay"),
    # repaid days ago and the record is still there
    ("逾期的钱还了好几天了 记录还在 怎么办", "repaid-still-overdue"),
    # the money is there but will not go in (a transfer limit, a code): how to repay, not hardship;
    # with hardship words beside the obstacle it stays cannot-repay's
    ("借呗逾期了 余额宝转不进去钱 还不上怎么办", "how-to-repay"), ("借呗逾期了 银行卡限额 还不上 急", "how-to-repay"),
    ("借呗还款收不到验证码 还不了", "how-to-repay"), ("借呗逾期了 卡里没钱 还不上怎么办", "cannot-repay"),
    ("工作没了 银行卡也被冻结 借呗还不上怎么办", "cannot-repay"),
    # a failed repayment, or money that will not go in, said without a word of being late
    ("借呗的自动还款失败了 我该怎么办", "how-to-repay"), ("借呗的钱一直还不进去", "how-to-repay"),
    ("我的借呗为啥老还不了款", "how-to-repay"), ("借呗到期了为什么还不扣款", "how-to-repay")])
def test_overdue_questions_still_reach_entries_with_cue_words(bot, text: str, intent: str) -> None:
    answer = bot.chat.reply(text)
    assert answer.kind is ReplyKind.ANSWER and answer.sources[0].id == intent, answer


# ways of saying "late" that once fell through: 第二天才还, a product name between 昨天 and 到期,
# 不按期还, and "我又不是不还" which says the opposite
@pytest.mark.parametrize(("text", "intent"), [
    ("借呗还款日是前天，我忘了充钱，第二天才还上，有影响吗", "short-overdue"),
    ("昨天我的借呗到期了忘了还，今天还上会怎么样", "short-overdue"),
    ("蚂蚁借呗不按期还款会有什么处罚", "consequences"), ("借呗没有按期还会怎么样", "consequences"),
    ("借呗拖延了三天 会上征信吗", "short-overdue"),
    # could not pay on the day, paid days after the due date, got the date wrong, asked to pay tomorrow
    # with the due date said after the question, a deduction that did not happen
    ("借呗还款日那天没能还上 怎么办", "overdue-what-now"), ("借呗还款日之后两天才还的 要紧吗", "short-overdue"),
    ("我把借呗的还款日记错了 晚了几天 咋办", "short-overdue"), ("借呗还款日期记错了 今天才发现 怎么办", "overdue-what-now"),
    ("后天再还行吗 今天是借呗还款日", "postpone"), ("借呗到了还款日 怎么没有自动从卡里扣钱", "how-to-repay"),
    ("为啥借呗到期了还是不能自动扣 余额宝里有钱", "how-to-repay"),
    # why it was not deducted is how-to-repay's; whether that makes it overdue, or past noon, the cutoff's
    ("借呗到期了 为啥一直没扣钱", "how-to-repay"), ("借呗今天没扣成功 会不会算逾期", "due-time"),
    ("借呗为什么没扣 会逾期吗", "due-time"),
    ("怎么借呗还款日都过中午了还没有扣", "due-time"),
    # the same question asked of the automatic repayment (不自动还款), or with a comma before it
    ("借呗到了还款日为啥不自动还款呢", "how-to-repay"), ("借呗为什么到期了，没有自动扣款", "how-to-repay"),
    ("还款日到了借呗怎么没自动还上", "how-to-repay"),  # its answer says the due day's cutoff too
    # asking whether one can still negotiate is the hardship answer (it got the consequences); whether a
    # negotiated or postponed repayment is reported is the credit report's (it got the agent-scam warning)
    ("我借呗逾期半年了 还能协商吗", "cannot-repay"), ("借呗逾期了能跟客服商量吗", "cannot-repay"),
    ("协商还款会上征信吗", "credit-report"), ("借呗延期还款会上征信吗", "credit-report"),
    # travel, a driving licence, renting: only a court's consumption ban limits anything (they got the
    # credit report's "有可能"); which part a repayment pays first; a transfer to the legal department,
    # a frozen bank card: the lawsuit path (they got the reminders and borrow-again answers)
    ("借呗逾期会影响出国吗", "blacklist"), ("借呗逾期了 会不会影响我考驾照", "blacklist"),
    ("借呗逾期会影响租房吗", "blacklist"),
    ("借呗逾期后 还款顺序是先还罚息吗", "partial-repayment"), ("借呗逾期了先扣的是罚息还是本金", "partial-repayment"),
    ("蚂蚁借呗逾期了，打电话给我说要移交法务部", "lawsuit"), ("借呗逾期了 银行卡会被冻结吗", "lawsuit"),
    # the due date passed by a day before repaying ('还款日过了一天才还' fell back as everyday use); a
    # record the user does not remember (it got the credit report's "有可能"): the dispute
    ("借呗还款日过了一天才还 芝麻分降了", "zhima-score"),
    ("征信报告上有借呗逾期 但是我不记得逾期过", "record-dispute"),
    # whether a spouse's or an ex-partner's loan is one's own to answer for, after a divorce too (they
    # got the contacts, what-now and how-to-repay answers); a message to every contact; a court case said
    # to be filed, a hearing (they fell back)
    ("我老婆用我的支付宝借了借呗 逾期了 我要负责吗", "family-liability"), ("前妻的借呗逾期了我要还吗", "family-liability"),
    ("借呗逾期 离婚了还要还吗", "family-liability"), ("跟前夫离婚了 他借呗逾期了 我要还吗", "family-liability"),
    ("催收给我所有联系人都发了短信", "contacts"),
    ("借呗逾期 要开庭吗", "lawsuit"), ("收到短信说借呗已经立案了", "lawsuit"),
    # one instalment of an instalment loan missed: the consequences (it got cannot-repay's hardship
    # answer); asking to skip an instalment is asking to repay later (it got the consequences once
    # these were added); pay not yet come on the due date (it fell back as everyday use)
    ("借呗分期还款 逾期了一期 会怎样", "consequences"), ("借呗分六期 第一期可以不还吗", "postpone"),
    ("借呗今天还款日 工资还没发 怎么办", "postpone"),
    # no money on the due date itself (it got the due-time answer: the postpone cue lacked 没钱)
    ("借呗今天到期 我没钱", "postpone"), ("借呗今天最后一天 手里没钱 咋办", "postpone"),
    # someone claiming to be customer service asks for a transfer (it fell back as everyday use)
    ("有个自称借呗客服的让我转账还款 是真的吗", "agent-scam"),
    # whether a debt years overdue still has to be repaid (they got the check-status and how-to-repay answers)
    ("借呗欠了好几年了 是不是不用还了", "consequences"), ("借呗逾期五年了 还用还吗", "consequences"),
    # "还清逾期" names what was repaid, not what is still shown: the limit question is borrow-again's
    # (it got repaid-still-overdue)
    ("借呗还清逾期 为什么额度变0了", "borrow-again"), ("借呗还清逾期了 还显示逾期", "repaid-still-overdue"),
    # where to see one's credit report (they fell back as everyday use): check-status, whose lead names it
    ("征信报告在哪里查", "check-status"), ("怎么查借呗有没有上征信", "check-status"),
    # a record already reported (it got check-status, or fell back: the cue lacked 上征信); a report said
    # to be spoiled; a non-Ant lender's product after an overdue 借呗 (it got borrow-again); whether the
    # report shows the record once repaid (it got repaid-still-overdue's "wait for the update")
    ("借呗上征信了怎么办", "credit-report"), ("借呗已经上征信了 严重吗", "credit-report"),
    ("借呗逾期一次 征信花了吗", "credit-report"), ("借呗逾期了 微信分付还能用吗", "credit-report"),
    ("借呗逾期后还清了 征信上会显示吗", "record-duration"),
    ("借呗逾期还清了为什么征信上还显示逾期", "repaid-still-overdue"),
    # the bare statement of an unpaid overdue loan (it got check-status's where to look); the limit gone
    # after a day late (it got short-overdue); a call feared after a few days (short-overdue's rule took
    # it from reminders); a month's instalment larger than the money at hand (it fell back as everyday use)
    ("我的借呗逾期了没还", "overdue-what-now"), ("借呗晚了一天还 额度没了", "borrow-again"),
    ("借呗逾期三天 会不会给我打电话", "reminders"), ("借呗每个月还三千 这个月只有两千 怎么办", "postpone"),
    # asking the platform to remove a record (it got agent-scam's paid agents): no one can remove a true
    # one; a loan the user says was never theirs (it got check-status or how-to-repay): a wrong record
    ("借呗逾期了 能请客服帮我去掉逾期记录吗", "record-duration"), ("有人说交钱能帮我删除逾期记录", "agent-scam"),
    ("我没借过借呗 征信上有借呗逾期", "record-dispute"), ("借呗逾期了 别人冒用我身份借的", "record-dispute"),
    # a delay or instalments refused (they got the postpone answer, or fell back); not a limit refused;
    # money frozen in 余额宝 or WeChat (it got the Ant-products answer): only a court's enforcement
    ("借呗客服不同意延期怎么办", "cannot-repay"), ("借呗申请延期被拒了", "cannot-repay"),
    ("借呗协商不成功怎么办", "cannot-repay"),
    ("借呗逾期了 余额宝会被冻结吗", "lawsuit"), ("借呗逾期了 会冻结我的微信吗", "lawsuit"),
    # how to pay it all off (it got demand-full's "whether the lender may demand it"); whether the
    # deduction falls back on the bank card when 余额宝 is short (it got the postpone answer); 借呗 and
    # 花呗 overdue together (it got the other-product answer)
    ("借呗逾期了 怎么一次性还清", "how-to-repay"), ("借呗还款日余额宝钱不够 会扣银行卡吗", "how-to-repay"),
    ("借呗和花呗一起逾期了怎么办", "overdue-what-now"),
    # whether the penalty is lawful or too high (they got the penalty formula or collection's complaint
    # rules): annual-rate, whose lead now answers that before the conversion; when interest stops (it
    # got borrow-again); paying bit by bit since falling behind (it got repaid-still-overdue or the
    # consequences); tomorrow asked for on the due date itself (a near tie went to due-time)
    ("借呗逾期的罚息合法吗", "annual-rate"), ("借呗逾期罚息太高 可以投诉吗", "annual-rate"),
    ("借呗逾期多久会停息", "stop-interest"),
    ("借呗逾期了但是我一直在还", "partial-repayment"), ("借呗逾期了每个月都在还一点", "partial-repayment"),
    ("今天是还款日 能明天再还吗", "postpone"), ("借呗明天还可以吗 今天就是还款日", "postpone"),
    # when a record is reported (it got record-duration's five years); "is it all over" (it got
    # borrow-again): what to do now, calmly
    ("借呗逾期记录多久上报", "credit-report"), ("借呗逾期是不是就完了", "overdue-what-now"),
    # a week or more late with only "what now" asked (got the consequences of never paying, or postpone
    # for 拖了); 拖了两天 (got postpone); 超时还款了 (what-now's cue lacked it); 晚了一天 with the limit
    # asked (晚了 before the days was not overdue talk); a due date forgotten and remembered today, and a
    # balance short on the due date (both fell back); "what if I just don't pay" (what-now or cannot-repay)
    ("借呗逾期一个月了怎么办", "overdue-what-now"), ("借呗逾期半个月了 咋办", "overdue-what-now"),
    ("借呗拖了一个礼拜了怎么办", "overdue-what-now"), ("借呗拖了两天了怎么办", "short-overdue"),
    ("借呗超时还款了", "overdue-what-now"), ("借呗晚了一天还 以后还能借吗", "borrow-again"),
    ("借呗还款日忘了 今天才想起来", "short-overdue"), ("借呗到期了 卡里余额不足 扣款失败", "how-to-repay"),
    ("借呗如果不还款怎么办", "consequences"), ("借呗要是一直不还怎么办", "consequences"),
    # one instalment of several late (got the consequences); a record still there after repaying (got
    # repaid-still-overdue's wait for the update); a wrong report (got what-now); a late repayment blamed
    # on a frozen bank card, asking to remove the record (got borrow-again, read as 借呗 frozen)
    ("借呗分了12期 有一期逾期了怎么办", "overdue-what-now"), ("借呗逾期已经还清 记录还有吗", "record-duration"),
    ("借呗逾期被错误上报了怎么办", "record-dispute"),
    ("借呗逾期是因为银行卡被冻结了 能消除记录吗", "record-duration"),
    # a due date on a weekend or holiday, asked to be put off (they fell back as everyday use)
    ("借呗到期日是周末 可以周一还吗", "postpone"), ("借呗还款日是节假日可以顺延吗", "postpone"),
    ("借呗国庆节到期 能节后还吗", "postpone"),
    # the principal paid back, is interest still running (got repaid-still-overdue); a wage card frozen
    # (got borrow-again, read as 借呗 frozen); hiding from the lender (a new number, a closed account:
    # got how-to-repay, what-now or postpone); the penalty rate as a percentage (asked for an amount)
    ("借呗逾期 利息还在算吗 我已经还了本金", "partial-repayment"), ("借呗逾期了 工资卡会被冻结吗", "lawsuit"),
    ("借呗逾期 我手机号换了 他们找不到我会怎样", "consequences"), ("借呗逾期不还 换手机号有用吗", "consequences"),
    ("借呗逾期了 注销支付宝账号可以吗", "consequences"), ("借呗逾期罚息是百分之几", "penalty"),
    # the least to pay so as not to be late (got due-time); no one has chased yet (got repaid-still-overdue);
    # the 当前存在逾期 notice seen on another product (got other-affects-jiebei); always paid on time but
    # next month it cannot be (fell back as "not overdue"); a repaid record to be taken off (got the update)
    ("借呗每期最少还多少才不算逾期", "minimum-payment"), ("借呗逾期了 为什么一直没人催", "reminders"),
    ("网商贷提示当前存在逾期 是借呗的吗", "existing-overdue-notice"),
    ("本来每个月都按时还 这个月工资没发 下个月肯定还不上了 怎么办", "cannot-repay"),
    ("我已经把借呗全部还清了 能不能把逾期记录消掉", "record-duration"),
    # a record from years ago, is it still on the report (got check-status or the status update)
    ("我两年前借呗逾期过 现在征信还有吗", "record-duration"), ("借呗之前逾期过 现在征信还会显示吗", "record-duration"),
    # repaying anywhere but in the app (got postpone); paying it all off, said with 全部 (got demand-full);
    # a collector asking to be added on WeChat to take the money (fell back); "I never borrowed" at the
    # end of the message (got the 当前存在逾期 notice)
    ("借呗逾期 可以线下还款吗", "how-to-repay"), ("借呗逾期了 怎么一次性全部还清", "how-to-repay"),
    ("借呗催收让我加微信还款 靠谱吗", "agent-scam"), ("借呗说我逾期了 可是我根本没借过", "record-dispute"),
    # "逾没逾期" asks whether one is late (fell back as "not overdue"); when a repaid record goes (got
    # the status update); a refusal after repaying, asked whether the lateness is why (got the update)
    ("怎么知道自己借呗逾没逾期", "check-status"), ("借呗还清了 逾期记录什么时候没", "record-duration"),
    ("借呗还清了显示综合评估不足 是因为逾期吗", "borrow-again"),
    # a repayment date passed, said with 超出 (fell back as everyday)
    ("借呗超出还款日一天怎么算", "due-time"),
    # days late said with 迟了 (fell back, or got short-overdue where borrowing again is asked); shown as
    # late yet repaid, said in that order (got the 当前存在逾期 notice); 超 a day or two (fell back)
    ("借呗迟了三天才还 以后还能借吗", "borrow-again"), ("借呗迟了两天还 有影响吗", "short-overdue"),
    ("借呗说我逾期 但我记得还了", "repaid-still-overdue"), ("借呗还款超了一二天怎么办", "short-overdue"),
    ("借呗逾记一天咋办", "short-overdue"),
    # 借呗 unpaid and 花呗 frozen (fell back); a proof of no overdue (fell back as "not overdue"); a few
    # yuan short, or a deduction that took part of it (got due-time's cutoff or fell back); one loan late
    # and another not yet due (fell back as "not overdue")
    ("借呗没还 花呗被冻结了", "jiebei-affects-other"), ("借呗逾期还清后能开无逾期证明吗", "settlement-proof"),
    ("借呗差200块钱 会算逾期吗", "partial-repayment"), ("借呗少还了几块钱 算逾期吗", "partial-repayment"),
    ("借呗自动扣款扣了一部分 剩下的怎么办", "partial-repayment"),
    ("借呗有一笔逾期了 另一笔没到期 怎么办", "overdue-what-now"),
    # 超期 (fell back as not sure); repaid the next morning after forgetting (fell back as everyday);
    # pausing the repayments for months (fell back as everyday)
    ("借呗超期了咋整", "overdue-what-now"), ("借呗还款日忘了 第二天早上还的 有没有事", "short-overdue"),
    ("借呗能不能停几个月再还", "postpone"),
    # a later day asked for with the due day said as 几号要还款 (fell back as everyday); late said with
    # 拖了, then no longer able to borrow (got what-now or short-overdue); half repaid, the rest later
    # (fell back as everyday)
    ("借呗我25号要还款 可以28号再还吗", "postpone"), ("借呗拖了几天才还 现在借不了", "borrow-again"),
    ("借呗拖了两天 额度没了", "borrow-again"), ("借呗还了一部分，剩下的下个月还可以吗", "postpone"),
    # a waiver offered by an agent (got waive-penalty's "cannot promise", not the warning)
    ("代理说能帮我减免罚息可信吗", "agent-scam"), ("找中介能减免借呗罚息吗", "agent-scam"),
    # the family sued or restricted in the user's place (got the lawsuit's "possible" or the collectors'
    # calls answer); the user sued is still the lawsuit's
    ("借呗逾期了 我爸妈会被起诉吗", "family-liability"), ("借呗逾期 会起诉我家人吗", "family-liability"),
    ("借呗逾期了 我老婆的支付宝会被限制吗", "family-liability"), ("借呗逾期会起诉我吗", "lawsuit"),
    # extending the loan at its due date (got what-now's "repay the overdue part" or how-to-repay)
    ("借呗到期了能续借吗", "postpone"), ("借呗到期后自动续期吗", "postpone"),
    # the product and 逾期 typed in pinyin (they fell back)
    ("jiebei逾期了", "overdue-what-now"), ("借呗yuqi了怎么办", "overdue-what-now"),
    # money only after the due date, pausing the repayments, 拖 a week: asking to repay later
    ("借呗15号到期 我20号才有钱", "postpone"), ("借呗后天才有钱还 可以吗", "postpone"),
    ("借呗能暂停还款一个月吗", "postpone"), ("借呗拖一个礼拜还行吗", "postpone"),
    ("能不能跟借呗说一声晚几天还 会不会有什么影响", "postpone"),
    # the due date said to be yesterday after the words; a late instalment said plainly, no notice named
    ("借呗还款日是昨天 今天早上才还", "short-overdue"), ("我借呗有一笔逾期了", "overdue-what-now"),
    # whether the record stays once repaid is how long it stays; a mortgage is the credit report's
    ("借呗还清了 逾期记录还会在吗", "record-duration"), ("借呗逾期会影响买房吗", "credit-report"),
    # 超时 (over time) said of the repayment
    ("借呗超时一天还 影响信用吗", "short-overdue"), ("借呗超时了两个小时还的", "short-overdue"),
    # late by a little while, not a number of days ("超了一点时间", "晚了一会儿", "逾期了一下下")
    ("借呗超了一点时间才还 影响大吗", "short-overdue"), ("借呗就晚了一会儿 有事吗", "short-overdue"),
    ("借呗逾期了一下下 严重吗", "short-overdue"),
    # the due day today, repaid tomorrow at a time of day: asking to postpone, not the cutoff
    ("借呗明天下午还行不行 今天到期", "postpone"), ("借呗今天还款日 明天早上还可以吗", "postpone"),
    # calling the police about collectors, not fearing the police
    ("借呗催收太过分了 我能报警吗", "collection"),
    # a lost job, cannot repay, what now: the hardship answer, however long the story between
    ("公司裁员我没工作了 借呗还不上 该怎么办", "cannot-repay")])
def test_more_ways_of_saying_late(bot, text: str, intent: str) -> None:
    answer = bot.chat.reply(text)
    assert answer.kind is ReplyKind.ANSWER and answer.sources[0].id == intent, answer


def test_asking_whether_calling_customer_service_helps_gets_the_contacts(bot) -> None:
    answer = bot.chat.reply("借呗逾期了 打95188有用吗")  # it got partial-repayment
    assert answer.kind is ReplyKind.HANDOFF and answer.sources[0].id == "human-contact", answer


def test_not_refusing_to_repay_is_not_talk_of_being_late(bot) -> None:
    assert bot.chat.reply("我又不是不还钱 借呗怎么给我关了").kind is ReplyKind.FALLBACK


def test_saying_one_cannot_pay_gets_help_and_the_amount_is_kept(bot) -> None:
    """An amount in "欠了三万还不起了" does not turn a plea for help into a question about days late."""
    first = bot.chat.reply("借呗欠了三万还不起了")
    assert first.kind is ReplyKind.ANSWER and first.sources[0].id == "cannot-repay", first
    later = bot.chat.reply("已经逾期十天了", first.session_id)
    assert later.penalty is not None and later.penalty.amount == 225.0
    both = bot.chat.reply("借呗欠了两万逾期20天还不上了")
    assert both.sources[0].id == "cannot-repay" and both.penalty is not None and both.penalty.amount == 300.0


def test_a_second_question_beside_the_penalty_is_answered_too(bot) -> None:
    """"罚多少，会被起诉吗": the estimate, and the lawsuit answer under it, both cited; nothing is dropped."""
    both = bot.chat.reply("欠了两万逾期一个多月罚多少 会被起诉吗")
    assert both.kind is ReplyKind.PENALTY and both.penalty is not None and both.penalty.amount == 450.0
    lawsuit = bot.chat.corpus.get("lawsuit")
    assert both.also == [lawsuit.lead] and lawsuit.answer in both.answer and lawsuit.answer in both.details
    ids = [s.id for s in both.sources]
    assert ids[0] == "penalty" and "lawsuit" in ids and len(ids) == len(set(ids))
    # one value missing: the other question is answered and the missing value asked for, then used
    ask = bot.chat.reply("借呗逾期一天罚息多吗会不会上征信")
    assert ask.kind is ReplyKind.ASK_VALUE and ask.asks_for == ["principal"]
    assert ask.also == [bot.chat.corpus.get("credit-report").lead]
    later = bot.chat.reply("欠五千", ask.session_id)
    assert later.penalty is not None and later.penalty.amount == 3.75 and not later.also
    # the other question won the message: its answer, then the penalty answer inviting the values
    won = bot.chat.reply("借呗逾期罚息多少？多久会上征信？")
    assert won.kind is ReplyKind.ANSWER and won.sources[0].id == "credit-report"
    assert won.also == [bot.chat.corpus.get("penalty").lead]
    then = bot.chat.reply("欠一万逾期十天", won.session_id)
    assert then.penalty is not None and then.penalty.amount == 75.0
    # two questions both about the penalty, or one question: nothing joined
    assert not bot.chat.reply("借呗逾期罚息多少，怎么算的").also
    assert not bot.chat.reply("借呗逾期会被起诉吗").also


def test_two_questions_in_one_message_get_both_answers(bot) -> None:
    both = bot.chat.reply("借呗逾期三个月了 会坐牢吗 会起诉我吗")
    ids = [s.id for s in both.sources if s.kind == "intent"]
    assert both.kind is ReplyKind.ANSWER and set(ids) == {"jail-fear", "lawsuit"}
    assert len(both.also) == 1 and both.also[0] in both.answer
    # a vague second part adds nothing of its own
    assert not bot.chat.reply("借呗逾期两天了，会上征信吗，还能用吗").also
    # the debt stated beside the questions adds its estimate, and the second question is still answered
    story = bot.chat.reply("借呗欠了一万 逾期二十天了 会上征信吗 会被起诉吗")
    assert story.also and story.penalty is not None and story.penalty.amount == 150.0
    assert {s.id for s in story.sources if s.kind == "intent"} >= {"credit-report", "lawsuit"}


def test_a_message_claiming_a_lawsuit_is_told_to_check_it_with_the_official_service(bot) -> None:
    """Scam messages claim a lawsuit and give a number to call: the answer says to check with 95188 instead."""
    answer = bot.chat.reply("收到短信说借呗已经起诉我了 让我联系一个电话 是真的吗")
    assert "95188" in answer.answer and "陌生号码" in answer.answer, answer.answer


@pytest.mark.parametrize(("text", "intent"), [("借呗欠了两万多 催收天天打电话", "collection"),
                                              ("借呗欠了三万 天天被催", "collection")])
def test_an_amount_beside_another_topic_is_kept_while_that_topic_is_answered(bot, text: str, intent: str) -> None:
    """An amount in a statement about something else asked for the days of an estimate (or, with 天天,
    was refused as 30,000 days); the statement's topic answers and the amount waits for the days."""
    answer = bot.chat.reply(text)
    assert answer.kind is ReplyKind.ANSWER and answer.sources[0].id == intent, answer
    estimate = bot.chat.reply("逾期10天", answer.session_id)
    assert estimate.kind is ReplyKind.PENALTY and estimate.penalty is not None, estimate


@pytest.mark.parametrize("text", ["借呗逾期了 欠了五千", "我借呗欠了6000", "借呗已经逾期了 一共欠了两万"])
def test_a_message_that_states_only_the_debt_is_asked_for_the_days(bot, text: str) -> None:
    answer = bot.chat.reply(text)
    assert answer.kind is ReplyKind.ASK_VALUE and answer.asks_for == ["days"], answer


def test_an_answer_given_again_right_after_itself_says_so(bot) -> None:
    """'能晚几天吗' after the postpone answer got the very same bubble again, which reads as a bot going
    round in circles; it now says it is the same answer. Other follow-ups read as before."""
    bridge = bot.corpus.dialogue.replies.repeated
    assert bridge
    first = bot.chat.reply("借呗明天到期 钱不够")
    again = bot.chat.reply("能晚几天吗", first.session_id)
    assert first.sources[0].id == again.sources[0].id == "postpone"
    assert not first.lead.startswith(bridge) and again.lead == bridge + first.lead
    assert again.answer.startswith(bridge + first.lead)
    other = bot.chat.reply("会上征信吗", first.session_id)
    assert other.sources[0].id == "credit-report" and not other.lead.startswith(bridge)
    confirmed = bot.chat.reply("真的吗", first.session_id)
    assert not confirmed.lead.startswith(bridge)
    # an estimate is new information each time, never "the same answer"
    s = bot.chat.reply("欠两万逾期10天罚多少").session_id
    assert not bot.chat.reply("那逾期20天呢", s).lead.startswith(bridge)


def test_asking_what_is_still_owed_is_told_where_to_look(bot) -> None:
    """With the days known, "还欠多少钱" was taken for the penalty and the bot asked the user the very
    amount they asked for; what one owes is read in the app. Given both numbers, the estimate stays."""
    first = bot.chat.reply("借呗逾期三天了")
    owed = bot.chat.reply("怎么查借呗还欠多少钱", first.session_id)
    assert owed.kind is ReplyKind.ANSWER and owed.sources[0].id == "check-status" and not owed.asks_for, owed
    both = bot.chat.reply("借呗欠了一万 逾期三天 现在一共欠多少钱")
    assert both.kind is ReplyKind.PENALTY and both.penalty is not None and both.penalty.days == 3


def test_asking_whether_there_is_a_penalty_is_told_yes_before_being_asked_the_amount(bot) -> None:
    """"逾期一天有没有罚息" got only a request for the amount; the prompt now says yes first."""
    answer = bot.chat.reply("借呗逾期一天有没有罚息")
    assert answer.kind is ReplyKind.ASK_VALUE and answer.asks_for == ["principal"], answer
    assert answer.lead.startswith("逾期从第一天起就按天计罚息"), answer.lead
