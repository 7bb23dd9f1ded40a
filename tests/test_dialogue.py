"""Dialogue tables through the real chat service: acts, crisis, vague numbers, multi-turn values."""

from __future__ import annotations

import pytest

from bot.answer import ReplyKind

CRISIS = [
    "不想活了", "我想死", "活不下去了", "我真的还不起了，想死的心都有", "欠了这么多钱我想跳楼", "真想一死了之",
    "撑不下去了，想结束自己", "借呗逾期了我想自杀", "欠一屁股债不如死了算了", "我买了安眠药", "天天被催收逼得想跳河",
    "走投无路了", "我想了结自己", "活着没意思了", "想割腕", "我想轻生", "还不上就想一了百了", "我活够了",
    "我借呗欠了五万逾期三个月，每天都有电话打来，家里人也知道了，工作也丢了，房租也交不起，真的活不下去了，你说我该怎么办",
]
SMALLTALK = ["你好", "您好", "在吗", "hi", "早上好", "谢谢", "谢谢你", "好的谢谢", "感谢", "再见", "拜拜", "你是机器人吗",
             "你是谁", "是真人吗"]
HUMAN = ["转人工", "借呗人工客服电话多少", "我要投诉", "怎么联系客服", "人工客服", "找客服", "我想和真人说话"]


@pytest.mark.parametrize("text", CRISIS)
def test_distress_gets_the_helplines_first_never_the_not_sure_reply(bot, text: str) -> None:
    a = bot.chat.reply(text)
    assert a.kind is ReplyKind.CRISIS and not a.fallback
    assert "12356" in a.lead and "110" in a.lead and "120" in a.lead
    assert [c.number for c in a.contacts][:1] == ["12356"]
    assert "协商" in a.answer and "抱歉" not in a.answer and a.penalty is None


@pytest.mark.parametrize("text", SMALLTALK)
def test_small_talk_gets_a_short_warm_reply(bot, text: str) -> None:
    a = bot.chat.reply(text)
    assert a.kind is ReplyKind.SMALLTALK and not a.fallback and "抱歉" not in a.answer and len(a.answer) < 150


@pytest.mark.parametrize("ack", ["好的", "好", "知道了", "嗯嗯", "ok"])
def test_an_acknowledgement_after_an_answer_is_not_read_as_a_new_question(bot, ack: str) -> None:
    """"好的" after an answer was read as a follow-up and got some entry's answer (borrow-again, check-status)."""
    first = bot.chat.reply("借呗逾期了")
    a = bot.chat.reply(ack, first.session_id)
    assert a.kind is ReplyKind.SMALLTALK and not a.sources and not a.fallback, a


def test_identity_says_it_is_not_a_human(bot) -> None:
    assert "不是人工" in bot.chat.reply("你是机器人吗").lead


@pytest.mark.parametrize("text", HUMAN)
def test_asking_for_a_human_gets_the_handoff(bot, text: str) -> None:
    a = bot.chat.reply(text)
    assert a.kind is ReplyKind.HANDOFF and "95188" in a.answer and "我的客服" in a.answer
    assert {"95188", "12378"} <= {c.number for c in a.contacts}


@pytest.mark.parametrize(("text", "lead_has", "amount", "amount_max"), [
    ("欠两万逾期一个多月罚多少", ["一个多月（按30天算）", "450.00元"], 450.0, None),
    ("逾期十几天了，欠一万多，罚息多少", ["一万多（按10,000元算）", "十几天（按11–19天算）", "82.50–142.50元"], 82.5, 142.5),
    ("欠两三千逾期三四天要罚多少", ["两三千（按2,000–3,000元算）", "4.50–9.00元"], 4.5, 9.0),
    ("借呗欠了5000，逾期二十多天，罚息多少", ["二十多天（按20天算）", "75.00元"], 75.0, None),
    ("快两个月了，欠5000罚多少", ["快两个月（按60天算）", "225.00元"], 225.0, None),
    ("大半年没还了欠3万罚息多少", ["大半年（按183天算）", "4,117.50元"], 4117.5, None),
    ("欠1万多逾期半个多月罚多少", ["1万多（按10,000元算）", "半个多月（按15天算）", "112.50元"], 112.5, None),
    ("一年多没还欠2万罚多少", ["一年多（按365天算）", "5,475.00元"], 5475.0, None),
    ("欠7000逾期5到7天罚多少", ["5到7天（按5–7天算）", "26.25–36.75元"], 26.25, 36.75),
    ("借呗欠了八千多逾期一个多月罚息多少", ["八千多（按8,000元算）", "180.00元"], 180.0, None),
])
def test_numbers_as_people_say_them(bot, text: str, lead_has: list[str], amount: float, amount_max) -> None:
    a = bot.chat.reply(text)
    assert a.kind is ReplyKind.PENALTY and a.penalty is not None
    for part in lead_has:
        assert part in a.lead, (part, a.lead)
    assert a.penalty.amount == amount and a.penalty.amount_max == amount_max
    assert a.lead.startswith("按你说的欠款")


@pytest.mark.parametrize(("text", "said"), [
    ("欠两万逾期一个多月罚多少", "每多一天约多15.00元"), ("欠两三千逾期三四天要罚多少", "每多一天约多1.50–2.25元"),
    ("我借了8000 逾期20天 日利率万分之四 罚多少", "每多一天约多4.80元")])
def test_an_estimate_says_what_each_further_day_adds(bot, text: str, said: str) -> None:
    """A range of amounts gives a range per day; the figure is in the lead when it fits there."""
    a = bot.chat.reply(text)
    assert said in a.answer and a.penalty is not None
    assert said in a.lead or len(a.lead) + len(said) > 70


def test_more_than_a_month_says_what_a_longer_time_would_cost(bot) -> None:
    a = bot.chat.reply("欠两万逾期一个多月罚多少")
    assert "按30天估算；如果实际是40天，约600.00元" in a.answer


def test_the_whole_loan_gets_one_line_about_the_overdue_instalment(bot) -> None:
    a = bot.chat.reply("我借了两万，逾期一个月了，罚息多少")
    assert a.penalty is not None and a.penalty.amount == 450.0
    assert "只有已到期没还的那一期本金才计罚息" in a.answer
    assert "只有已到期没还" not in bot.chat.reply("欠了两万逾期一个月罚多少").answer
    # the instalment said unpaid is the principal, and then the line about the whole loan is not needed
    part = bot.chat.reply("我借了2万 分12期 有一期1800没还 逾期了10天 罚多少")
    assert part.penalty is not None and part.penalty.principal == 1800 and "只有已到期没还" not in part.answer


def _talk(bot, *turns: str):
    sid = None
    answers = []
    for t in turns:
        a = bot.chat.reply(t, sid)
        sid = a.session_id
        answers.append(a)
    return answers


def test_multi_turn_amount_then_vague_days(bot) -> None:
    first, second = _talk(bot, "我借呗欠了两万块", "逾期一个多月了")
    assert first.kind is ReplyKind.ASK_VALUE and first.asks_for == ["days"]
    assert second.kind is ReplyKind.PENALTY and second.penalty is not None and second.penalty.amount == 450.0
    assert second.lead.startswith("沿用你刚才说的欠款20,000元") and second.penalty.carried == ["principal"]


def test_values_survive_a_topic_turn_and_are_named_when_carried(bot) -> None:
    *_, last = _talk(bot, "欠了两万逾期30天罚多少", "逾期会上征信吗", "那我欠了8000呢")
    assert last.penalty is not None and last.penalty.principal == 8000 and last.penalty.days == 30
    assert last.lead.startswith("沿用你刚才说的逾期30天") and "180.00元" in last.lead


def test_a_new_day_count_replaces_the_old_one(bot) -> None:
    *_, last = _talk(bot, "欠一万逾期10天罚多少", "不对，是逾期20天")
    assert last.penalty is not None and last.penalty.days == 20 and last.penalty.amount == 150.0
    assert last.lead.startswith("沿用你刚才说的欠款10,000元")


def test_reset_clears_the_values(bot) -> None:
    *_, reset, after = _talk(bot, "欠一万逾期10天罚多少", "重新算", "逾期5天罚多少")
    assert reset.kind is ReplyKind.SMALLTALK and "清除" in reset.lead
    assert after.penalty is None and after.asks_for == ["principal"]


def test_a_bare_number_answers_the_question_asked(bot) -> None:
    first, second = _talk(bot, "欠了3000罚息怎么算", "15")
    assert first.asks_for == ["days"] and second.penalty is not None and second.penalty.days == 15
    assert second.penalty.amount == 33.75


def test_a_new_session_forgets(bot) -> None:
    bot.chat.reply("欠了两万")
    a = bot.chat.reply("逾期10天罚多少")
    assert a.penalty is None and a.asks_for == ["principal"]


def test_days_in_a_question_about_something_else_are_not_asked_about(bot) -> None:
    a = bot.chat.reply("借呗逾期一天有影响吗")
    assert a.kind is ReplyKind.ANSWER and not a.asks_for and "欠款金额" not in a.answer and "估算罚息" not in a.answer


def test_the_calculator_is_offered_only_on_penalty_answers(bot) -> None:
    assert "估算" in bot.chat.reply("借呗逾期罚息怎么算").lead
    for text in ("借呗逾期会上征信吗", "借呗逾期会被起诉吗", "借呗还款日几点前还"):
        assert "估算罚息" not in bot.chat.reply(text).answer, text


@pytest.mark.parametrize(("text", "note"), [
    ("借呗欠1万逾期365天，日利率0.06%", True), ("欠1万逾期一年，年化36%", True),
    ("借呗欠1万逾期365天", False), ("欠1万逾期30天，日利率万分之四", False),
])
def test_the_24_percent_note_only_when_the_users_own_rate_leads_there(bot, text: str, note: bool) -> None:
    a = bot.chat.reply(text)
    assert a.penalty is not None
    assert ("24%" in a.answer) is note
    if note:
        assert "法院对金融借款年化超过24%的部分可以依借款人请求调减" in a.answer


@pytest.mark.parametrize("text", ["我没有逾期为什么借呗被关了", "花呗逾期了怎么办", "借呗额度怎么提升", "借呗怎么开通",
                                  "借呗提前还款要手续费吗", "信用卡逾期会上征信吗", "今天外面天气好不好"])
def test_fallbacks_offer_a_human(bot, text: str) -> None:
    a = bot.chat.reply(text)
    assert a.kind is ReplyKind.FALLBACK and "95188" in a.answer and "95188" in {c.number for c in a.contacts}
    assert "逾期罚息" not in a.lead


def test_more_days_add_to_the_days_so_far(bot) -> None:
    *_, more, again, replaced = _talk(bot, "借呗欠了一万二", "逾期九天", "那要是再拖十天呢", "又过了五天呢", "逾期30天呢")
    assert more.kind is ReplyKind.PENALTY and more.penalty is not None and more.penalty.days == 19
    assert "逾期19天（之前的9天再加10天）" in more.lead and more.penalty.amount == 171.0
    assert again.penalty is not None and again.penalty.days == 24
    assert replaced.penalty is not None and replaced.penalty.days == 30 and "再加" not in replaced.lead


def test_more_days_after_a_vague_count_ask_the_estimate_again(bot) -> None:
    *_, more = _talk(bot, "借呗欠5000逾期一个多月", "再拖两周呢")
    assert more.kind is ReplyKind.PENALTY and more.penalty is not None and more.penalty.days == 44


def test_days_from_the_dates_are_named_in_the_estimate(bot) -> None:
    first, second = _talk(bot, "借呗还款日是每月5号 今天都20号了", "欠一万")
    assert first.kind is not ReplyKind.FALLBACK
    assert second.kind is ReplyKind.PENALTY and second.penalty is not None and second.penalty.days == 15
    assert "逾期15天（5号到期，今天20号）" in second.lead


def test_a_loan_due_before_today_is_not_read_as_not_yet_due(bot) -> None:
    answer = bot.chat.reply("今天17号 15号到期的借呗现在还能还吗")
    assert answer.kind is ReplyKind.ANSWER


def test_asked_for_the_whole_sum_the_estimate_adds_the_principal(bot) -> None:
    answer = bot.chat.reply("我借呗逾期了两个月 欠款两万五 现在还清需要还多少钱")
    assert answer.kind is ReplyKind.PENALTY and answer.penalty is not None
    assert answer.penalty.amount == 1125.0 and answer.penalty.total == 26125.0
    assert "连同本金约26,125.00元（不含正常利息）" in answer.lead and "正常利息另计" in answer.answer
    plain = bot.chat.reply("借呗欠5000逾期10天罚多少")
    assert plain.penalty is not None and plain.penalty.total is None and "连同本金" not in plain.answer


def test_days_given_after_the_invitation_are_an_answer_to_it(bot) -> None:
    # the bot asked for the amount and the days; "逾期5天" gives one of them, so the other is asked for
    *_, days = _talk(bot, "借呗逾期了罚多少", "逾期5天")
    assert days.kind is ReplyKind.ASK_VALUE and days.asks_for == ["principal"]
    *_, dated, amount = _talk(bot, "借呗逾期了罚多少", "昨天到期的", "八千块")
    assert dated.kind is ReplyKind.ASK_VALUE
    assert amount.penalty is not None and amount.penalty.days == 1 and amount.penalty.amount == 6.0
