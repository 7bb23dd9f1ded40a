"""Understand a message once: normalised text, dialogue act, extracted values and scope flags.

Everything later (retrieval, the reply policy, the composer) reads the immutable :class:`Turn`
instead of looking at the raw message again. The dialogue patterns and the other products' names
come from the corpus, so content editors can extend them without touching code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP
from enum import StrEnum

from bot.corpus import Corpus
from bot.extract import Extraction, extract, without_taken_back
from bot.normalize import normalize
from bot.numerals import NUMBER, parse_number
from bot.segment import Segmenter


class DialogueAct(StrEnum):
    """What the message does besides (or instead of) asking about the knowledge base."""

    NONE = "none"
    CRISIS = "crisis"
    HUMAN = "human"
    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    ACK = "ack"
    """"好的", "知道了", "嗯嗯": the last answer taken in, nothing asked; never read as a new question."""
    IDENTITY = "identity"
    RESET = "reset"
    CONFIRM = "confirm"
    """"真的吗", "你确定吗": asks whether the last answer holds."""
    WHY = "why"
    """A bare "为什么", "凭什么": asks the reason for the last answer; its explanation is given."""
    MORE = "more"
    """"然后呢", "还有呢", "有用吗": asks for more of the last answer, naming nothing; its details are given."""
    WORRY = "worry"
    """"我好怕", "好慌": fear said without a question."""
    UNHELPFUL = "unhelpful"
    """"不对", "答非所问", "没用": the last answer missed; an apology, how to ask again, and a person."""
    REPAID = "repaid"
    """"借呗的钱我已经还清了": having repaid, said without a question; what to check, and what to ask next."""


STATEMENT_ACTS = frozenset({DialogueAct.REPAID})
"""Acts that tell the user's situation: the question that follows may be read together with them."""
ABOUT_LAST_ANSWER = frozenset({DialogueAct.CONFIRM, DialogueAct.WHY, DialogueAct.MORE})
"""Acts that ask about the last answer ("真的吗", "为什么", "然后呢"): that answer is given again."""


# order matters: crisis first (despair inside a long loan question still counts), small talk last
ACT_ORDER = (DialogueAct.CRISIS, DialogueAct.RESET, DialogueAct.IDENTITY, DialogueAct.HUMAN, DialogueAct.GREETING,
             DialogueAct.THANKS, DialogueAct.GOODBYE, DialogueAct.ACK, DialogueAct.CONFIRM, DialogueAct.WHY, DialogueAct.MORE,
             DialogueAct.UNHELPFUL, DialogueAct.WORRY, DialogueAct.REPAID)
# acts that only count when the message is short: "转人工" is a request, a paragraph mentioning 客服 is a question
SHORT_ACTS = {DialogueAct.HUMAN: 24, DialogueAct.IDENTITY: 16, DialogueAct.CONFIRM: 16, DialogueAct.WHY: 12,
              DialogueAct.MORE: 12, DialogueAct.UNHELPFUL: 16, DialogueAct.WORRY: 16, DialogueAct.REPAID: 20}

# talk of an overdue debt: numbers in such a message are the overdue amount and days. Words of a loan's
# price (本金, 利率, 年化) are not on their own: "借一万一年利息多少" asks about a normal loan, and a
# rate counts only in a conversation that already holds the debt (see the policy)
# money paid out late is no debt (借呗到账晚了两天)
DEBT_CUE = re.compile(r"逾期|罚|欠|超期|过期|晚还|(?<!到账)(?<!放款)(?<!下款)晚(了|[0-9一两二三四五六七八九十几]+个?(天|周|星期|礼拜|月))"
                      r"|拖|没还|未还|还不上|滞纳")
# a question about what the penalty comes to
# "要多还多少" asks what the penalty adds; in "3万多还不上" the 多 belongs to the amount
_MORE_TO_PAY = r"(?<![0-9万千百块元])多还(?![不没完清])"
PENALTY_CUE = re.compile(r"罚息|罚金|罚款|罚多少|罚了|利息|(?<!欠)多少钱|还多少(?!(就|先)?(算|还)多少)|交多少|付多少|要多少|"
                         rf"{_MORE_TO_PAY}|多少罚|费用|滞纳金|"
                         r"违约金|算一下|算算|帮我算|计算|估算|怎么算")
# asks what the penalty comes to, not only names it ("罚息多少" against "罚息能减免吗"); a rate asked
# for ("一天万分之几") is the formula's question
ASKS_PENALTY_AMOUNT = re.compile(r"多少|多不多|(?<!好)(?<!了)(?<!分之)几(?![十百千万])|怎么算|如何算|怎么计算|如何计算|怎样算|算一下|算算|帮我算|计算|估算|"
                                 rf"{_MORE_TO_PAY}|高不高|贵不贵|多吗|高吗|贵吗")
# a question beyond the numbers (the intent is answered first, the estimate joined after it); saying
# one cannot pay ("欠了三万还不起了") asks what to do, whatever the amount, and so does saying one is
# at the end of one's tether ("…每天都有电话 我快崩溃了"): the figure is not what comes first
QUESTION_CUE = re.compile(r"吗|么|嘛|呢|怎|咋|谁|会不会|能不能|可不可以|可以|如何|什么|啥|哪|是否|是不是|有没有|行不|好不|要紧|"
                          r"影响|后果|办|算不算|多久|\?|？|还不上|还不起|还不了|没钱还|没有钱还|"
                          r"崩溃|害怕|好怕|好慌|受不了|睡不着|焦虑|绝望")
# The words of a message that only changes the numbers ("如果是一万呢", "那逾期一个月呢") or corrects them
# ("不对 是两万", "我说错了 是20天"): its 呢 asks for the estimate again, not a question beyond it.
# Such word lists are removed one word at a time (re.sub), never matched as one repeated group: where
# words overlap (千 alone and inside a number, 了 alone and ending 欠了), a repeated group tries every
# way to split a long message that does not match: 40 characters of "千块" took seconds, and a
# regular expression holds the interpreter lock, so the whole server would wait.
_VALUE_WORDS = (rf"{NUMBER}|那么?|如果|要是|假如|假设|若是|换成|改成|变成|是|欠了?|借了?|逾期了?|本金|的话|呢|吗|"
                r"再|又|过了?|拖了?|晚了?|还|"  # more days on top of those counted: "再拖十天呢", "又过了五天呢"; "晚十天还呢"
                r"不对|错了|说错了?|搞错了?|打错了?|写错了?|记错了?|应该|其实|实际上?|抱歉|不好意思|"
                r"我|的|啊|哦|噢|嗯|"
                r"块钱|块|元|万|千|百|天|个|月|周|星期|礼拜|年|多|半|左右|大概|差不多|[\s?？。，,!！~～]")
VALUE_WORDS = re.compile(_VALUE_WORDS)
# …and of a message that says only the debt, the product name aside ("借呗逾期了 欠了五千", "我借呗欠了
# 6000"): its amount is for an estimate, whatever entry the words 逾期 and 欠 come closest to
DEBT_WORDS = re.compile(rf"已经|现在|目前|一共|总共|欠款|没还|未还|超期|过期|拖了|晚还|{_VALUE_WORDS}|还|了")
"""Tried in order at each place, so the longer words come before the numbers (一共 is not the number 一)."""
# what clearing the debt costs in all, principal included ("现在还清一共要还多少")
ASKS_TOTAL = re.compile(r"(一共|总共|总计|合计|加起来|连本带息|连本带利|本息|总额|全部还清|还清|结清|本金加)"
                        r"[^，,。?？]{0,8}(多少|几)")
# the whole loan rather than the overdue instalment
WHOLE_LOAN = re.compile(rf"(借了|借款|借的|总共借|一共借|贷了|借呗借)\s*(?P<loan>{NUMBER})")
# (这期/那期 alone name which instalment is late, not its amount: "借了3万 分12期 这期逾期5天" is
# estimated on the sum borrowed, with the line that only the late instalment draws the penalty)
OVERDUE_AMOUNT = re.compile(r"欠|逾期(本金|金额)|没还的|未还的|剩")
# a day still to come: a due date then is not yet overdue
_LATER_DAY = r"(明天|后天|下周|下个?月|月底|过几天)"
# "I am not overdue": the user's own statement, not a question about it
NOT_OVERDUE = re.compile(
    r"(?<!有)(?<!算)(?<!是不是)(?<!就算)(?<!是否)(?<!逾)(没有|没|从未|从没|从来没有?|从不|并没有|又没有?|也没有?|都没有?|不曾|并未|无)"
    r"(有)?(过)?(逾期|违约|拖欠|欠款|晚还|延迟还|不良记录|负面记录)(?!吧|吗|嘛|呢|的?证明)(过)?"
    r"|(?<![是算])(不是|并不是|并非)(逾期|违约|拖欠)(?!吧|吗|嘛|呢|了吧|了吗)"
    r"|还没(有)?到(期|还款日)|未到(期|还款日)|(?<!是不是)(?<!有没有)(?<!是否)(没|没有)到(期|还款日)(?![就了]?[没未不])(?!的?(也|都|那|部分|几期|本金|欠款|钱))|" + _LATER_DAY + r"才(到期|还款)"
    # paying now for a later due day; a day of last month, or a penalty asked of it, is past due
    r"|(" + _LATER_DAY + r"|(?<![0-9一二三四五六七八九十])(?<!上个月)(?<!上月)[0-9一二三四五六七八九十]+号)(才)?(到期|还款)"
    r".{0,8}(现在|今天|提前)就?还(?![不没])(?![^，,。？?]{0,6}(罚|逾期|滞纳))"
    r"|不逾期.{0,6}(影响|会)"
    r"|(?<!没)(?<!没有)(?<!未)(?<!不)(正常|按时|按期|准时)还款.{0,6}(为什么|为啥|怎么|却|但|影响)"
    r"|(一直|都是|向来|从来都?是|每次都?|每个?月都?)(正常|按时|按期|准时)还"
    r"|(避免|防止|以免|免得|(怎么|怎样|如何)才能不|才不会).{0,4}(逾期|忘还|忘记还)"
    r"|(怕|担心|害怕)(我)?(会)?(忘记还|忘还|忘了还)")
# …unless the message says the system shows them overdue anyway (that is a records question)
SHOWN_OVERDUE = re.compile(r"(说|显示|提示|短信|通知|征信)[^，,。?？!！\s吗呢]{0,8}(逾期|未还|没还|不良|负面)|说我有")
# …or that this time they are late after all ("我从来没逾期过，这次忘了还逾期了一天")
# or cannot pay the next one ("本来每个月按时还 下个月肯定还不上"), or one loan is late and another not
# yet due ("有一笔逾期了 另一笔没到期")
LATE_THIS_TIME = re.compile(r"(这次|这回|这一次|这个月|这期|这一期|下个?月|下期|下一期|今天|昨天|前天|但是?|可是|结果|有一(笔|期)|其中一(笔|期))"
                            r".{0,8}(?<![没无未不过])(?<!没有)(逾期|忘(了|记)?还|没还|未还|晚还|晚了|迟还|没扣|拖了|还不上|还不起|还不了)")
# "那信用卡呢": the previous question again, about another product (the name is checked against the
# corpus's product mentions)
ELLIPSIS = re.compile(r"^(?:那|那么|那要是|那如果是|如果是|要是|换成)?(?P<name>[^，,。?？\s]{1,8}?)(?:的话)?"
                      r"(?:呢|也是吗|也会吗|也一样吗|也算吗|也这样吗|也是这样吗)[?？。!！~ ]*$")
URGENT_TAIL = re.compile(r"(?:[\s,，。.!！~～啊呀]+急|急急急|急死了?|急死人了|在线等|求解答|求回复|求助)[\s,，。.!！~～]*$")
"""A closing plea ("…咋整啊 急", "…在线等") says how the user feels, not what they ask; retrieval
reads the message without it, so that it does not pull the question under the threshold."""
BARE_NUMBER = re.compile(rf"[-−负]?\s*{NUMBER}")
SHORT_ANSWER_MAX_CHARS = 12
"""A message this short that carries a value ("二十天", "五千块") answers the value the bot asked for."""
# where a message's questions part: punctuation or a space (a point only outside a number, "1.5万"), or
# right after a closing 吗/呢/嘛 or an A-not-A weighing (多不多) that more text follows ("罚息多吗会上征信吗",
# "罚息多不多会上征信吗"); 么 is left out, since it ends 什么 and 怎么 inside a question
WEIGHED = "多不多|高不高|贵不贵"
"""Asking how much by weighing (A-not-A, each three characters: a lookbehind needs one width)."""
CLAUSE_BREAK = re.compile(rf"[,，。?？!！;；\s]+|(?<![0-9])\.+|\.+(?![0-9])|(?<=[吗呢嘛])(?=\S)|(?<={WEIGHED})(?=\S)")
# a part that only weighs the penalty ("是不是很多", "按天算的吗") is the penalty question again
WEIGHING_THE_PENALTY = re.compile(rf"{WEIGHED}|很多|很高|很贵|太多|太高|太贵|多吗|高吗|贵吗|按天|按日|按月")
ASKS_AMOUNT = re.compile(QUESTION_CUE.pattern + rf"|多少|几|{WEIGHED}")
"""A part that asks (a question word, 多少/几, or "多不多"), so "罚息多少" asks and "罚息太高了" does not."""
MAX_OTHER_QUESTIONS = 3
"""At most this many parts of one message are read as questions of their own: each costs a retrieval
or two, and a long message must not multiply them."""
SIDE_QUESTION_MIN_CHARS = 4
"""A shorter clause ("高吗", "是吗") is not a question of its own."""


@dataclass(frozen=True)
class Turn:
    """One message, understood."""

    raw: str
    text: str
    """Normalised (NFKC, Simplified, lower case): what the encoder reads; talk of being overdue that
    names no product gets the product's name in front."""
    match_text: str
    """``text`` with synonyms mapped (蚂蚁借呗 → 借呗): what BM25 and the scope checks read."""
    act: DialogueAct
    values: Extraction
    answers_awaited: bool
    """The message is a bare number answering the value the bot asked for."""
    debt_talk: bool
    penalty_question: bool
    asks_amount: bool
    """Asks how much the penalty (or what is owed) comes to: "罚多少", "怎么算", "多不多"."""
    has_question: bool
    """A question beyond the numbers (a "呢" that only changes them does not count)."""
    only_values: bool
    """The message is nothing but values and what-if words ("如果是一万呢", "那逾期一个月呢")."""
    only_debt: bool
    """The message states the debt and nothing else ("借呗逾期了 欠了五千"), the product name aside."""
    whole_loan: bool
    asks_total: bool
    """Asks what clearing the debt costs in all, principal included (the estimate adds it)."""
    not_overdue: bool
    before_due: bool
    """The message says the due date is today or still to come ("明天就到期了 只有三千"): no days overdue yet."""
    shown_overdue: bool
    """The message says the app, a message or the credit report shows it as overdue (说我逾期, 显示逾期)."""
    overdue_talk: bool
    """Words of being late or owing (from the corpus's ``overdue_cues``), or dates that show it late."""
    late_by_dates: bool
    """A due day before today's date or the day it was repaid ("15号到期 16号才还的"), whatever the words."""
    asks_procedure: bool
    """Asks how to apply for something (怎么申请, 要多久, 需要什么材料; the corpus's ``procedure_questions``)."""
    names_product: bool
    """The message names this bot's product (借呗)."""
    other_product: str | None
    """The other product the message is only about (names one, and not this bot's product)."""
    unplaced_number: bool = False
    """A bare number after the bot invited both the amount and the days: it could be either."""
    side_questions: tuple[str, ...] = ()
    """The message's other questions beside a penalty question ("罚多少，会被起诉吗" → "会被起诉吗")."""
    questions: tuple[str, ...] = ()
    """The message's questions when it asks two or more and none about the penalty
    ("会上征信吗？会连累家人吗？"); empty for a message with one question."""
    ellipsis: str | None = None
    """The other product a message names and nothing else ("那信用卡呢"): the previous question asked of it."""

    @property
    def has_values(self) -> bool:
        return not self.values.empty


class Understander:
    """Builds :class:`Turn` objects; holds compiled patterns from the corpus, no per-message state."""

    def __init__(self, corpus: Corpus, segmenter: Segmenter, product_terms: list[str]) -> None:
        self.segmenter = segmenter
        self.product_terms = product_terms
        acts = corpus.dialogue.acts
        self._acts = [(a, re.compile("|".join(f"(?:{p})" for p in acts[a.value].patterns)))
                      for a in ACT_ORDER if a.value in acts]
        self._products = [(o.label, o.mentions) for o in corpus.out_of_scope if o.mentions]
        self._overdue = re.compile(corpus.dialogue.overdue_cues)
        self._due_soon = re.compile(corpus.dialogue.due_soon_cues)
        self._procedure = re.compile(corpus.dialogue.procedure_questions)

    def act(self, text: str) -> DialogueAct:
        for act, pattern in self._acts:
            limit = SHORT_ACTS.get(act)
            if limit is not None and len(text) > limit:
                continue
            if pattern.search(text):
                return act
        return DialogueAct.NONE

    def names_product(self, match_text: str) -> bool:
        return any(term in match_text for term in self.product_terms)

    def other_product(self, match_text: str) -> str | None:
        if self.names_product(match_text):
            return None
        return next((label for label, names in self._products if any(n in match_text for n in names)), None)

    def product_mention(self, text: str) -> str | None:
        """The first other product ``text`` names (花呗, 信用卡, 网商贷 …), or None."""
        return next((n for _, names in self._products for n in names if n in text), None)

    def is_ellipsis(self, message: str) -> bool:
        return self._ellipsis(normalize(message)) is not None

    def restated(self, previous: str, ellipsis: str) -> str | None:
        """``previous`` asked of the product ``ellipsis`` instead of the other product it named, or
        None when it named none ("借呗逾期会影响花呗吗" + "那网商贷呢" → "借呗逾期会影响网商贷吗")."""
        text = normalize(previous)
        named = self.product_mention(text)
        return text.replace(named, ellipsis) if named is not None and named != ellipsis else None

    def understand(self, message: str, awaiting: str | None = None) -> Turn:
        """Understand ``message``; ``awaiting`` is the value the bot just asked for (a bare "20" answers it)."""
        text = normalize(message)
        match_text = self.segmenter.normalize_for_match(text)
        said = without_taken_back(text)
        values = extract(text, normalized=True)
        bare = bare_answer(text, awaiting) if values.empty and awaiting else None
        shown = bool(SHOWN_OVERDUE.search(text))
        # a due day before today's date ("15号到期 今天17号") says the loan is overdue, whatever the words
        past_due = values.days_approx is not None and values.days_approx.kind == "dates"
        not_overdue = (bool(NOT_OVERDUE.search(text)) and not shown and not LATE_THIS_TIME.search(text)
                       and not past_due)
        only_values = not values.empty and not VALUE_WORDS.sub("", said)
        unnamed = said
        for term in self.product_terms:
            unnamed = unnamed.replace(term, "")
        only_debt = not values.empty and not DEBT_WORDS.sub("", unnamed)
        question = bool(QUESTION_CUE.search(text)) and not only_values
        penalty_question = bool(PENALTY_CUE.search(text))
        act = self.act(text)
        overdue_talk = bool(self._overdue.search(text)) or past_due
        before_due = bool(self._due_soon.search(text)) and not past_due
        names_product, other_product = self.names_product(match_text), self.other_product(match_text)
        read_text = _without_urgency(text)
        if overdue_talk and not names_product and other_product is None:
            # talk of being overdue that names no product is about this bot's product ("逾期了怎么办"):
            # read it so, since the phrasings it is matched against name 借呗 (a bare "逾期了怎么办"
            # scored just under the threshold); other talk ("现在几点") is left as it was said. The
            # flags below read the message as said.
            read_text = self.product_terms[0] + read_text
        read_match = match_text if read_text == text else self.segmenter.normalize_for_match(read_text)
        return Turn(
            raw=message, text=read_text, match_text=read_match, act=act, values=bare or values,
            answers_awaited=bare is not None or (awaiting is not None and not values.empty
                                                 and len(text) <= SHORT_ANSWER_MAX_CHARS and not question),
            debt_talk=bool(DEBT_CUE.search(text)) or past_due, penalty_question=penalty_question,
            asks_amount=bool(ASKS_PENALTY_AMOUNT.search(text)),
            has_question=question, only_values=only_values, only_debt=only_debt,
            whole_loan=_whole_loan(text, values),
            asks_total=bool(ASKS_TOTAL.search(text)),
            not_overdue=not_overdue, before_due=before_due, shown_overdue=shown, overdue_talk=overdue_talk,
            late_by_dates=past_due,
            asks_procedure=bool(self._procedure.search(text)),
            names_product=names_product, other_product=other_product,
            unplaced_number=awaiting == "values" and values.empty and _bare_number(text) is not None,
            side_questions=side_questions(read_text) if penalty_question else (),
            questions=() if penalty_question else question_parts(read_text),
            ellipsis=self._ellipsis(text) if other_product is not None else None)

    def _ellipsis(self, text: str) -> str | None:
        m = ELLIPSIS.match(text)
        name = m.group("name") if m else None
        return name if name is not None and self.product_mention(name) == name else None


def _whole_loan(text: str, values: Extraction) -> bool:
    """The amount to estimate from is the sum borrowed ("借了两万"), not only the overdue instalment: the
    reply then says that only the overdue instalment draws the penalty. Not when the message names the
    overdue part (欠, 这期, 没还的) or another amount is the one unpaid ("有一期1800没还")."""
    loan = WHOLE_LOAN.search(text)
    if loan is None or OVERDUE_AMOUNT.search(text):
        return False
    return values.principal is None or parse_number(loan.group("loan")) == values.principal


def _asks_alone(part: str) -> bool:
    """A part of a message long enough, and with a question word, to be a question of its own."""
    return len(part) >= SIDE_QUESTION_MIN_CHARS and bool(QUESTION_CUE.search(part))


def question_parts(text: str) -> tuple[str, ...]:
    """The parts of a message that each ask something (a question word, long enough to stand alone),
    when there are at least two: "借呗逾期三个月了 会坐牢吗 会起诉我吗" gives both questions."""
    parts = tuple(c for c in CLAUSE_BREAK.split(text) if _asks_alone(c))
    return parts[:MAX_OTHER_QUESTIONS] if len(parts) >= 2 else ()


def side_questions(text: str) -> tuple[str, ...]:
    """The clauses of a message asking about something other than the penalty: each has a question
    word and no word of the penalty's amount or of how high it is, so "欠五千逾期三天罚多少，会影响征信吗" gives
    ("会影响征信吗",) and "罚息多少，怎么算的" gives nothing."""
    clauses = [c for c in CLAUSE_BREAK.split(text) if c]
    if len(clauses) < 2 or not any(PENALTY_CUE.search(c) and ASKS_AMOUNT.search(c) for c in clauses):
        return ()  # one question, or the penalty is only mentioned ("罚息太高了，能申请停息挂账吗")
    return tuple(c for c in clauses if _asks_alone(c) and not PENALTY_CUE.search(c)
                 and not WEIGHING_THE_PENALTY.search(c))[:MAX_OTHER_QUESTIONS]


def _without_urgency(text: str) -> str:
    """The message without closing pleas; a message that is only a plea is kept as it is."""
    calm = text
    while (m := URGENT_TAIL.search(calm)) and m.start() > 0:
        calm = calm[:m.start()].rstrip(" ,，。.!！~～")
    return calm or text


def _bare_number(text: str) -> str | None:
    """The message without trailing punctuation when it is only a number ("20", "两万。"), else None."""
    text = text.rstrip("。.!！ ")
    return text if BARE_NUMBER.fullmatch(text) else None


def bare_answer(text: str, awaiting: str) -> Extraction | None:
    """A reply that is only a number ("20", "两万") answers the value the bot asked for."""
    number = _bare_number(text) if awaiting in ("principal", "days") else None
    value = parse_number(number.lstrip("-−负 ")) if number is not None else None
    if number is None or value is None:
        return None
    if number[0] in "-−负":
        return Extraction(rejected=(awaiting,))
    if awaiting == "days":
        return Extraction(days=int(value.to_integral_value(rounding=ROUND_HALF_UP)))
    return Extraction(principal=value)

