from __future__ import annotations

import pytest

from bot.corpus import load_corpus
from bot.segment import Segmenter
from bot.settings import PROJECT_ROOT
from bot.understand import DialogueAct, Understander


@pytest.fixture(scope="module")
def understander() -> Understander:
    return Understander(load_corpus(PROJECT_ROOT / "corpus"), Segmenter(), ["借呗"])


@pytest.mark.parametrize(("text", "act"), [
    ("你好", DialogueAct.GREETING), ("您好！", DialogueAct.GREETING), ("在吗", DialogueAct.GREETING),
    ("谢谢", DialogueAct.THANKS), ("好的谢谢你", DialogueAct.THANKS), ("多谢了", DialogueAct.THANKS),
    ("再见", DialogueAct.GOODBYE), ("拜拜", DialogueAct.GOODBYE),
    ("好的", DialogueAct.ACK), ("知道了", DialogueAct.ACK), ("嗯嗯", DialogueAct.ACK), ("明白了 我去还", DialogueAct.ACK),
    ("好的，那逾期三天罚多少", DialogueAct.NONE), ("好 欠五千逾期三天", DialogueAct.NONE),
    ("你是机器人吗", DialogueAct.IDENTITY), ("你是谁", DialogueAct.IDENTITY),
    ("转人工", DialogueAct.HUMAN), ("我要投诉", DialogueAct.HUMAN), ("借呗客服电话多少", DialogueAct.HUMAN),
    ("重新算", DialogueAct.RESET),
    ("我真的还不起了，想死的心都有", DialogueAct.CRISIS), ("不想活了", DialogueAct.CRISIS),
    # asking what happens to the debt after one's own death may be the thought of it: the crisis reply first
    ("我死了借呗要家人还吗", DialogueAct.CRISIS),
    ("借呗逾期会上征信吗", DialogueAct.NONE), ("你好，借呗逾期一天有影响吗", DialogueAct.NONE),
    ("真的吗", DialogueAct.CONFIRM), ("你确定吗？", DialogueAct.CONFIRM), ("真的假的", DialogueAct.CONFIRM),
    ("真的吗 我好怕", DialogueAct.CONFIRM), ("不会骗我吧", DialogueAct.CONFIRM), ("靠谱吗", DialogueAct.CONFIRM),
    ("真的不会吗", DialogueAct.CONFIRM), ("真的会吗", DialogueAct.CONFIRM), ("那真的没事吗？", DialogueAct.CONFIRM), ("我好怕", DialogueAct.WORRY),
    ("好害怕啊怎么办", DialogueAct.WORRY), ("我快崩溃了", DialogueAct.WORRY), ("吓死我了", DialogueAct.WORRY),
    ("我睡不着", DialogueAct.WORRY), ("我快崩溃了 不想活了", DialogueAct.CRISIS), ("好慌啊", DialogueAct.WORRY), ("真的很担心", DialogueAct.WORRY),
    ("打哪个电话", DialogueAct.HUMAN), ("电话是多少", DialogueAct.HUMAN), ("找谁", DialogueAct.HUMAN),
    ("那我应该联系谁呢", DialogueAct.HUMAN), ("借呗还不上找谁协商", DialogueAct.NONE),
    ("真的会坐牢吗", DialogueAct.NONE), ("我怕上征信", DialogueAct.NONE), ("借呗逾期会打什么电话给我", DialogueAct.NONE),
    ("催收电话是多少", DialogueAct.NONE),
    ("不对", DialogueAct.UNHELPFUL), ("你说的不对", DialogueAct.UNHELPFUL), ("答非所问", DialogueAct.UNHELPFUL),
    ("没用啊", DialogueAct.UNHELPFUL), ("我问的不是这个", DialogueAct.UNHELPFUL),
    ("不对 是两万", DialogueAct.NONE), ("借呗逾期算不对吗", DialogueAct.NONE), ("账单看不懂怎么办", DialogueAct.NONE),
    ("你理解错了", DialogueAct.UNHELPFUL), ("说了等于没说", DialogueAct.UNHELPFUL), ("不是逾期", DialogueAct.NONE),
    ("没问题", DialogueAct.NONE),
    # nothing but question marks, or a bare "什么意思": not understood; a question about a message is a question
    ("？？？", DialogueAct.UNHELPFUL), ("???", DialogueAct.UNHELPFUL), ("啊？", DialogueAct.UNHELPFUL),
    ("什么意思", DialogueAct.UNHELPFUL), ("你这是啥意思啊", DialogueAct.UNHELPFUL),
    ("当前存在逾期什么意思", DialogueAct.NONE), ("借呗逾期是什么意思", DialogueAct.NONE),
    ("为什么", DialogueAct.WHY), ("那为什么呢？", DialogueAct.WHY), ("凭什么啊", DialogueAct.WHY), ("怎么会这样", DialogueAct.WHY),
    ("为什么借呗会关闭", DialogueAct.NONE), ("为什么没扣款", DialogueAct.NONE),
    # asking for more of the last answer, naming nothing; naming something is a question of its own
    ("然后呢", DialogueAct.MORE), ("那接下来呢？", DialogueAct.MORE), ("还有吗", DialogueAct.MORE),
    ("有用吗", DialogueAct.MORE), ("这样做有用吗", DialogueAct.MORE), ("有没有用", DialogueAct.MORE),
    ("然后怎么办", DialogueAct.NONE), ("打95188有用吗", DialogueAct.NONE), ("还有别的办法吗", DialogueAct.NONE),
    # saying there is a question before asking it: greeted and invited, not told it is everyday use
    ("我想问下借呗的事", DialogueAct.GREETING), ("请问", DialogueAct.GREETING), ("我有个问题想问一下", DialogueAct.GREETING),
    ("你好 我想问一下借呗逾期的事情", DialogueAct.GREETING), ("想问下借呗逾期了怎么办", DialogueAct.NONE),
    ("请问借呗逾期会上征信吗", DialogueAct.NONE),
    # having repaid, said without a question; with one, or with a word of being late, it is a question
    ("借呗的钱我已经还清了", DialogueAct.REPAID), ("我刚还完借呗", DialogueAct.REPAID), ("已还清", DialogueAct.REPAID),
    ("这个月的已经还上了", DialogueAct.REPAID), ("我已经还清了 为什么还显示逾期", DialogueAct.NONE),
    ("我已经把逾期的钱还上了", DialogueAct.NONE), ("我还了吗", DialogueAct.NONE), ("还清了能再借吗", DialogueAct.NONE),
])
def test_dialogue_acts(understander: Understander, text: str, act: DialogueAct) -> None:
    assert understander.understand(text).act is act


def test_despair_inside_a_long_message_is_still_a_crisis(understander: Understander) -> None:
    long = "我借呗欠了五万，逾期三个月了，每天都有电话打来，家里人也知道了，工作也丢了，" * 3 + "真的活不下去了"
    assert understander.understand(long).act is DialogueAct.CRISIS


def test_a_long_question_that_mentions_customer_service_is_a_question(understander: Understander) -> None:
    text = "我上周已经联系过客服说明情况了，但是借呗还是显示逾期，这种情况会不会影响我下个月办房贷呀"
    assert understander.understand(text).act is DialogueAct.NONE


@pytest.mark.parametrize("text", ["借呗忘还了一天会不会很严重", "借呗逾其一天有影响没", "借呗晚还两天",
                                  "借呗有一次迟还了额度就没了", "借呗昨天忘了，今天才补上行不行",
                                  "借呗15号到期 能不能20号再还", "借呗可以发了工资再还吗",
                                  "借呗能申请展期吗", "借呗凌晨一点才还款", "过了12点才还的",
                                  "借呗***号到期能***号还吗", "借呗***号还款 ***号还可以吗", "晚三天会怎样"])
def test_being_late_is_recognised_in_everyday_wording_and_typos(understander: Understander, text: str) -> None:
    assert understander.understand(text).overdue_talk


@pytest.mark.parametrize("text", ["借呗最迟还款日是哪天", "借呗的密码忘了怎么办", "借呗还款日可以改成20号再还吗",
                                  "借呗几号还款", "借呗每月***号还款对吗", "借呗提前还罚多少", "借呗放款晚三天正常吗",
                                  "借呗借款晚两天才到账"])
def test_words_near_being_late_are_not_talk_of_it(understander: Understander, text: str) -> None:
    assert not understander.understand(text).overdue_talk


@pytest.mark.parametrize(("text", "talk"), [
    ("借呗提前还清会有什么不好的影响吗", False), ("提前结清借呗会留下不良记录吗", False), ("借呗提前还会影响征信吗", False),
    ("借呗逾期了提前还一部分征信会好点吗", True), ("借呗晚了会有负面记录吗", True), ("借呗会上征信吗", True),
    ("借呗按时还款会影响征信吗", False), ("借呗的还款记录会上征信吗", False), ("借呗逾期了按时还了会影响征信吗", True),
    ("借呗提前还款有罚息吗", False), ("借呗逾期了提前还能少点罚息吗", True),
])
def test_credit_words_are_overdue_talk_except_about_repaying_early(understander: Understander, text: str,
                                                                    talk: bool) -> None:
    assert understander.understand(text).overdue_talk is talk


@pytest.mark.parametrize(("text", "not_overdue"), [
    ("我没有逾期为什么借呗被关了", True), ("我从来没逾期过额度怎么降了", True), ("借呗还没到期能提前还吗", True),
    ("我一直按时还款为什么不能用了", True),
    ("借呗有没有逾期怎么查", False), ("当天还就不算逾期吧", False), ("我没逾期可是借呗说我有逾期", False),
    ("借呗逾期一天有影响吗", False), ("借呗几点前还不算逾期", False),
    ("怎样避免借呗逾期", True), ("设置自动还款防止借呗逾期", True), ("借呗怎么才能不逾期", True),
    ("借呗明天到期没钱还 怕逾期怎么办", False),
    ("借呗不是逾期 是想问怎么还款", True), ("我并不是逾期，只是想提前还", True),
    ("晚上十点还是不是逾期", False), ("这样不是逾期吧", False), ("当天还算不算逾期", False),
    ("借呗明天才到期，今天还可以吗", True), ("借呗下周到期 我现在还行不行", True), ("借呗明天到期今天还不上怎么办", False),
    ("借呗没有按时还款会影响征信吗", False), ("借呗未按时还款影响大吗", False),
    ("我一直都是按时还借呗的，征信会有记录吗", True), ("借呗按时还款为什么被关了", True),
    # never late before, but late this time: that is an overdue question
    ("我从来没逾期过，这次忘了还逾期了一天", False), ("我每个月都按时还，这个月逾期了两天怎么办", False),
    ("我没有逾期，但是借呗额度没了", True), ("借呗用得多但没有逾期，办房贷有影响吗", True),
    ("借呗没到期的时候可以先还吗", True), ("借呗到期没还会怎样", False), ("借呗是不是没到期也会扣款", False),
        ("我怕忘记还借呗 能设置自动还款吗", True), ("借呗忘记还了怕影响征信", False),
    # 征信 in one question and 没逾期 in the next is not a report that shows an overdue
    ("借呗借钱会影响征信吗 我没逾期", True), ("征信上显示借呗逾期 可我没逾期啊", False),
    # owing nothing is said as not overdue; asking whether anything is owed is not
    ("借呗现在没欠款 为什么不能借了", True), ("借呗有没有欠款 在哪查", False),
    # paying today for a later due day is early; for a day of last month, or with a penalty asked, it is late
    ("借呗20号才到期 今天就还了 会影响吗", True), ("借呗欠了五千 上个月15号到期的 今天还罚多少", False),
    ("借呗15号到期的 今天还要罚息吗", False),
])
def test_not_overdue_statements(understander: Understander, text: str, not_overdue: bool) -> None:
    assert understander.understand(text).not_overdue is not_overdue


def test_other_product_only_and_together_with_jiebei(understander: Understander) -> None:
    assert understander.understand("花呗逾期了怎么办").other_product == "花呗"
    assert understander.understand("信用卡逾期会上征信吗").other_product is not None
    assert understander.understand("京东金条逾期被起诉了").other_product is not None
    assert understander.understand("抖音月付逾期会上征信吗").other_product is not None
    assert understander.understand("放心借逾期了借呗还能用吗").other_product is None
    assert understander.understand("花呗逾期了借呗还能用吗").other_product is None
    assert understander.understand("蚂蚁借呗逾期了").other_product is None


def test_flags_and_values_are_read_once(understander: Understander) -> None:
    turn = understander.understand("我借了两万，逾期一个多月，罚息多少？")
    assert turn.penalty_question and turn.debt_talk and turn.whole_loan and turn.has_question
    assert turn.values.principal == 20000 and turn.values.days == 30 and turn.values.days_approx is not None
    assert not understander.understand("欠了两万").whole_loan
    # 这期 says which instalment is late, not its amount: the sum borrowed is estimated, with the line
    assert understander.understand("借了3万 分12期 这期逾期5天 罚多少").whole_loan
    assert not understander.understand("借了3万 这期800块没还 逾期5天").whole_loan
    # a plea ("还不起了") asks what to do, though it has no question word; a bare statement of debt does not
    assert understander.understand("借呗欠了三万还不起了").has_question
    assert not understander.understand("我借呗欠了6000").has_question
    assert understander.understand("借呗蚂蚁借呗").match_text.count("借呗") == 2


@pytest.mark.parametrize(("text", "only"), [("如果是一万呢", True), ("那如果是20天呢", True), ("要是逾期一个多月呢", True),
                                          ("如果是一万会被起诉吗", False), ("那会上征信吗", False), ("五千块的话呢", True)])
def test_a_what_if_on_the_numbers_is_no_question_of_its_own(understander: Understander, text: str, only: bool) -> None:
    turn = understander.understand(text)
    assert turn.only_values is only and turn.has_question is not only


@pytest.mark.parametrize(("text", "name"), [("那信用卡呢", "信用卡"), ("网商贷呢？", "网商贷"), ("信用卡也会吗", "信用卡"),
                                          ("花呗逾期了呢", None), ("那征信呢", None), ("借呗呢", None)])
def test_a_message_naming_only_another_product_is_an_ellipsis(understander: Understander, text: str,
                                                               name: str | None) -> None:
    assert understander.understand(text).ellipsis == name


def test_the_previous_question_is_restated_for_the_product_named(understander: Understander) -> None:
    assert understander.restated("借呗逾期会影响花呗吗", "网商贷") == "借呗逾期会影响网商贷吗"
    assert understander.restated("借呗逾期会上征信吗", "花呗") is None


def test_a_bare_number_answers_what_was_asked(understander: Understander) -> None:
    assert understander.understand("20", awaiting="days").values.days == 20
    assert understander.understand("两万", awaiting="principal").values.principal == 20000
    assert understander.understand("20").values.empty
    assert understander.understand("-5", awaiting="days").values.rejected == ("days",)
    # after the penalty answer invited both values, a bare number could be either: it answers nothing
    unplaced = understander.understand("20", awaiting="values")
    assert unplaced.values.empty and unplaced.unplaced_number
    assert not understander.understand("20", awaiting="days").unplaced_number
    assert not understander.understand("20天", awaiting="values").unplaced_number




@pytest.mark.parametrize(("text", "awaiting", "answers"), [
    ("20", "days", True), ("二十天", "days", True), ("五千块", "principal", True), ("大概半个月吧", "days", True),
    ("二十天", None, False), ("二十天会上征信吗", "days", False),
    ("我借了8000", "values", True), ("20天", "values", True), ("20", "values", False),
    ("借呗逾期3天会上征信吗", "values", False),
    ("我上个月借了五千块钱买手机现在想提前还", "principal", False),
])
def test_a_short_message_with_a_value_answers_the_question_the_bot_asked(
        understander: Understander, text: str, awaiting: str | None, answers: bool) -> None:
    assert understander.understand(text, awaiting).answers_awaited is answers


def test_overdue_talk_without_a_product_is_read_as_about_jiebei(understander: Understander) -> None:
    turn = understander.understand("逾期了怎么办")
    assert turn.text == "借呗逾期了怎么办" and not turn.names_product and turn.overdue_talk
    assert understander.understand("现在几点了").text == "现在几点了"
    assert understander.understand("信用卡逾期了").text == "信用卡逾期了"  # another product: as said
    # the flags read the message as said: "借5000逾期10天" does not become "借呗借5000…", a whole loan
    assert not understander.understand("借5000逾期10天").whole_loan
    assert understander.understand("逾期20天了", awaiting="days").answers_awaited


@pytest.mark.parametrize(("text", "read"), [
    ("借呗逾期咋整啊 急", "借呗逾期咋整"), ("借呗逾期了怎么办 在线等 急急急", "借呗逾期了怎么办"),
    ("借呗逾期会坐牢吗，求解答！", "借呗逾期会坐牢吗"), ("借呗逾期着急", "借呗逾期着急"), ("急", "急"), ("在线等", "在线等"),
])
def test_retrieval_reads_the_question_without_a_closing_plea(understander: Understander, text: str, read: str) -> None:
    turn = understander.understand(text)
    assert turn.text == read and turn.raw == text


@pytest.mark.parametrize(("text", "side"), [
    ("借呗欠五千逾期三天罚多少，会影响征信吗", ("会影响征信吗",)),
    ("借呗逾期一天罚息多吗会不会上征信", ("会不会上征信",)),
    # asked by weighing (多不多), with or without a space after it
    ("借呗逾期一天 罚息多不多 会不会上征信", ("会不会上征信",)), ("借呗罚息高不高会不会被起诉", ("会不会被起诉",)),
    ("逾期三天会上征信吗？罚息多少", ("借呗逾期三天会上征信吗",)),  # read as about 借呗
    ("借呗欠1.5万逾期十天罚多少. 会起诉吗", ("会起诉吗",)),
    ("借呗欠一万逾期五天罚多少，我该找谁协商", ("我该找谁协商",)),
    ("罚息多少，怎么算的", ()),  # both halves ask about the penalty
    ("逾期一天罚息多少 高吗", ()),  # too short to be a question of its own
    ("借呗逾期三天罚息多少，是不是很多", ()),  # weighs the penalty: the same question
    ("逾期了罚息太高了，能不能申请停息挂账", ()),  # the penalty is mentioned, not asked
    ("借呗逾期三天会上征信吗", ()),  # no penalty question: the message is one question
])
def test_other_questions_beside_a_penalty_question(understander: Understander, text: str,
                                                   side: tuple[str, ...]) -> None:
    assert understander.understand(text).side_questions == side


@pytest.mark.parametrize(("text", "questions"), [
    ("借呗逾期三个月了 会坐牢吗 会起诉我吗", ("会坐牢吗", "会起诉我吗")),
    ("借呗逾期了会上征信吗？会连累家人吗？", ("借呗逾期了会上征信吗", "会连累家人吗")),
    ("借呗逾期了，怎么办啊，好害怕", ()),  # one question
    ("借呗逾期一天罚多少，会上征信吗", ()),  # a penalty question: its other parts are side questions
])
def test_the_questions_of_a_message_that_asks_two(understander: Understander, text: str,
                                                  questions: tuple[str, ...]) -> None:
    assert understander.understand(text).questions == questions


def test_a_long_message_is_read_as_at_most_a_few_questions(understander: Understander) -> None:
    many = "，".join(["会上征信吗", "会坐牢吗", "会起诉吗", "会上门吗", "会连累家人吗"] * 20)
    assert len(understander.understand(many).questions) == 3
    assert len(understander.understand("借呗逾期十天罚多少，" + many).side_questions) == 3
