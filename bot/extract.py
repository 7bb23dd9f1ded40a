"""Find the overdue principal, the days overdue and an optional interest rate in free Chinese text.

Pure functions, no I/O. Each value is recognised by its unit or cue words, not by its position:
rates first (万分之四, 日利率0.04%, 年化14.6%), then durations (10天, 两周, 半个月, 3个月, 一年),
and what remains counts as money only with a money unit (元/块/万/k/w) or a money cue (欠, 借, 本金).
Text with none of them yields nothing: no value is ever guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from bot.normalize import normalize
from bot.numerals import DIGITS, NUMBER, parse_number
from bot.vague import Approx, find_vague

RateBasis = Literal["daily", "annual"]

DAYS_PER = {"天": 1, "日": 1, "周": 7, "星期": 7, "礼拜": 7, "月": 30, "年": 365}
_DIGITS = "".join(d for d in DIGITS if d not in "零〇")
_NUM = rf"(?P<neg>[-−负])?\s*(?P<num>{NUMBER})"

_RATE_FRACTION = re.compile(rf"(?P<kind>万分之|千分之|百分之)\s*(?P<num>{NUMBER})")
# the way 借呗 users say daily rates: 日息万五, 利率万4, 万三点五 (= 万分之…), after a rate cue
_RATE_WAN = re.compile(rf"(?P<cue>日利率|日息|日利息|日费率|利率|利息|费率|日利)\s*(?:是|为|:)?\s*万\s*(?P<num>[{_DIGITS}]|\d(?:\.\d+)?)"
                       rf"(?:点(?P<frac>[{_DIGITS}]+))?")
_RATE_PERCENT = re.compile(r"(?<![\d.])(?P<num>\d+(?:\.\d+)?)\s*%")
# a daily rate written as a bare decimal: 日利率0.0004 (a fraction) or 日息0.04 (per cent, the sign left
# out); which one is read from the size, since realistic daily rates lie between 0.01% and 0.1%
_RATE_DECIMAL = re.compile(r"(?:日利率|日息|日利息|日费率|日利|每天利息|每日利息)\s*(?:是|为|:)?\s*(?P<num>0\.\d+)(?![\d%])")
_DECIMAL_FRACTION_MAX = Decimal("0.002")
_DECIMAL_PERCENT = (Decimal("0.005"), Decimal("0.2"))
_DAILY_CUE = re.compile(r"(日利率|日息|日利息|日费率|日率|日利|每天|每日|一天|/天|/日|天利率)")
_ANNUAL_CUE = re.compile(r"(年化|年利率|年息|年费率|年率|apr|一年|/年|每年)")

_DURATION = re.compile(
    rf"{_NUM}\s*(?P<ge>个)?\s*(?P<half>半)?\s*"
    # 日利率 and 年化 name rates, 年份/年底 dates; 3天利息 is still three days
    # 天天, 日日, 月月, 年年 say "every day" …: "欠了三万 天天被催" has no duration
    # (a second 天 or 年 that begins a rate, 一年年化, is not that)
    r"(?P<unit>天(?!天(?!利|息|费|率))|周|星期|礼拜|月(?!份|初|底|月(?!利|息))|日(?!利|息|费|率|日(?!利|息|费|率))"
    r"|年(?!利|息|费|率|化|份|初|底|年(?!利|息|费|率|化)))"
    r"(?P<tail>半(?![个年月天]))?")  # 一年半, 三天半
_LABELLED_DAYS = re.compile(rf"天数\s*(?:是|为|:|有)?\s*{_NUM}\s*(?:天|日)?")  # 逾期天数：12
_HALF = re.compile(r"半\s*(?:个)?\s*(?P<unit>月|年)(?!利|息|化)")
_JOIN = re.compile(r"^\s*(?:零|又|加|and)?\s*$")
# a colloquial amount run into a duration: 一万|一个月, 两万|三天, 1万|5天 (the digit after 万 or 千
# would otherwise be read as its shortening, 一万一 = 11000)
_AMOUNT_THEN_COUNT = re.compile(rf"(?P<amount>.*[万千wk])(?P<count>[{_DIGITS}]|\d)$")
_OVERDUE_CUE = re.compile(r"(逾期|超期|过期|拖欠|拖了|晚了|晚还|延期|迟了|过了|已经|欠了?)\s*$")
# time still left before the due date is not time overdue: 十天后到期, 离还款日还有5天
_UNTIL_DUE_AFTER = re.compile(r"\s*(?:后|以后|之后)?\s*(?:就|才|要|会)*\s*(?:到期|到还款日)")
_UNTIL_DUE_BEFORE = re.compile(r"(?:离|距离?)(?:到期|还款日|还款)[^，,。]{0,4}(?:还有|还剩)\s*$")
# days overdue counted from the dates: "15号到期 … 今天17号" (same month, today after the due day)
_DAY_OF_MONTH = r"(?P<{}>\d{{1,2}}|[一二三四五六七八九十两]{{1,3}})"
_MONTH = r"(?:(?P<{}>\d{{1,2}}|[一二三四五六七八九十]{{1,2}})月(?:份)?)?"
_DUE_DAY = re.compile(_MONTH.format("due_month") + _DAY_OF_MONTH.format("due") + r"号(?:就|是|已经)?(?:到期|还款|是?还款日|截止)"
                      r"|(?:还款日|到期日|到期)(?:是|在|为)?(?:每个?月)?" + _DAY_OF_MONTH.format("due2") + "号")
_TODAY = re.compile(r"(?:今天|今日|今儿|现在|目前)(?:是|已经是?|都|都已经|已经到了?|到了?)?" + _MONTH.format("today_month")
                    + _DAY_OF_MONTH.format("today") + "号")
# …or the day it was repaid on: "还款日是15号 我16号早上还的" (said as done, not planned: 才还, 还的, 还上)
_PAID_DAY = re.compile(_DAY_OF_MONTH.format("paid") + r"号[^，,。？?0-9]{0,8}?(?:才还|还(?:的|了|上|清|完|进去))")
# …or from a due day named relative to today: "昨天到期" is one day late by today
# (or the other way round: "还款日是昨天")
_RELATIVE_DUE = re.compile(r"(?P<when>大前天|前天|昨天|昨日|昨晚)(?:就|是|已经)?(?:到期|是?还款日|是?最后一天|截止)"
                           r"|(?:还款日|到期日|最后一天)(?:就|已经)?(?:是|在)(?P<when2>大前天|前天|昨天|昨日)")
_DAYS_AGO = {"昨天": 1, "昨日": 1, "昨晚": 1, "前天": 2, "大前天": 3}
# days said as more on top of those already counted: 再拖十天, 又过了五天, 多逾期三天
_MORE_DAYS_CUE = re.compile(r"(?:再|又)(?:拖|晚|过|逾期|迟|等|欠|超)?了?\s*$|多(?:拖|晚|逾期|迟|等|欠)了?\s*$")

_MONEY_UNIT = re.compile(r"^\s*(?:块钱|块|元|圆|人民币|rmb|yuan)", re.I)
_MONEY_CUE = re.compile(r"(欠|借|借呗|本金|欠款|金额|贷|额度|还款|未还|没还|还不上|要还|剩|余|共|总共|一共|￥|¥)\s*(?:了|款|是|为|有|的|钱)?\s*$")
_UNITS_IN_NUMBER = "万kw千亿"  # a numeral holding one of these (3万, 5k, 两千) is already sized as money
_NOT_MONEY = re.compile(r"^\s*(?:个|次|期|笔|张|号|点|岁|位|%|分(?![0-9一二三四五六七八九十两]*个?(期|月))|秒|小时|条|人|家|元宝|多|几|来)")
_SCORE_TALK = re.compile(r"芝麻分|芝麻信用|信用分|分数|评分")
"""A message about a credit score: its bare numbers (700, 从680掉到620) are scores, not money."""
# an amount the user says is unpaid or late ("有一期1800没还"): the overdue principal, whatever else is named
_UNPAID_AFTER = re.compile(r"^\s*(?:块钱|块|元)?\s*(?:还?没有?还|未还|还不上|没还上|没扣|逾期)")
# …or names as one instalment's amount due ("这期应该还1800", "每期还4500"): beside the sum borrowed
# ("借了两万 分12期"), that instalment is what is overdue and draws the penalty
_INSTALMENT_BEFORE = re.compile(r"(?:这期|本期|当期|这一期|每期|每个?月|这个月)[^，,。0-9]{0,3}?(?:应该|应|要|需要|得)?还(?:款)?(?:是|为|了)?\s*$")
_NOT_DEBT_CUE = re.compile(r"(收费|收了|(?<!催)收|手续费|服务费|中介费|定金|押金|工资|月薪|收入|挣|赚)\s*(?:了|是|为|要|有|才|我)?\s*$")
"""Money just after these words is not the debt: a fee someone asks for, or what the user earns."""
_UNIT_GAP = re.compile(r"(?<=[0-9])\s+(?=[万千kw块元天个月周年日星礼])")
"""Spaces between a number and its unit ("欠款 1 万 逾期 10 天") are closed before reading."""
_PHONE_LIKE = re.compile(r"^(?:1[3-9]\d{9}|\d{12,})$")  # a mobile number, or an id/card-like run
_LONG_DIGITS = re.compile(r"^\d{7,}$")
_MONTH_AFTER = re.compile(r"^\s*月")
"""A number up to 12 just before 月 (not taken as a duration) names a month: 10月15号到期, 3月份借的."""


@dataclass(frozen=True)
class Extraction:
    """What one message said about the debt; any part may be missing.

    Values are never negative. A value the user wrote negative (欠了-5000) or a rate of 100% a
    day or more is not returned but named in ``rejected``, so the caller can say why it cannot
    calculate instead of silently ignoring it.
    """

    principal: Decimal | None = None
    days: int | None = None
    daily_rate: Decimal | None = None
    rate_basis: RateBasis | None = None
    rejected: tuple[str, ...] = ()
    principal_approx: Approx | None = None
    """Set when the amount was said vaguely (一万多, 两三千); ``principal`` is its lower bound."""
    days_approx: Approx | None = None
    """Set when the duration was said vaguely (一个多月, 十几天); ``days`` is its lower bound."""
    days_added: bool = False
    """The days are more on top of those said before ("再拖十天"), not the whole time overdue."""

    @property
    def empty(self) -> bool:
        return self.principal is None and self.days is None and self.daily_rate is None and not self.rejected


def _fold(text: str) -> str:
    """NFKC (full-width digits and letters), Traditional → Simplified (兩萬 → 两万), lower case."""
    return normalize(text)


def _mask(text: str, start: int, end: int) -> str:
    return text[:start] + "\0" * (end - start) + text[end:]


def _signed(value: Decimal, neg: str | None) -> Decimal:
    return -value if neg else value


def _find_rate(text: str) -> tuple[Decimal | None, RateBasis | None, list[tuple[int, int]]]:
    for m in _RATE_WAN.finditer(text):
        value = parse_number(m.group("num") + ("点" + m.group("frac") if m.group("frac") else ""))
        if value is not None:
            return value / 10_000, "daily", [(m.start("num") - 1, m.end())]
    for m in _RATE_FRACTION.finditer(text):
        value = parse_number(m.group("num"))
        if value is None:
            continue
        scale = {"万分之": 10_000, "千分之": 1_000, "百分之": 100}[m.group("kind")]
        rate = value / scale
        before = text[max(0, m.start() - 8):m.start()]
        if _ANNUAL_CUE.search(before) and not _DAILY_CUE.search(before):
            return rate / 365, "annual", [(m.start(), m.end())]
        return rate, "daily", [(m.start(), m.end())]
    for m in _RATE_PERCENT.finditer(text):
        rate = Decimal(m.group("num")) / 100
        context = text[max(0, m.start() - 8):m.start()] + text[m.end():m.end() + 3]
        if _ANNUAL_CUE.search(context):
            return rate / 365, "annual", [(m.start(), m.end())]
        if _DAILY_CUE.search(context) or rate < Decimal("0.01"):
            return rate, "daily", [(m.start(), m.end())]
        if rate >= Decimal("0.0365"):
            return rate / 365, "annual", [(m.start(), m.end())]
    for m in _RATE_DECIMAL.finditer(text):
        value = Decimal(m.group("num"))
        if value <= _DECIMAL_FRACTION_MAX:
            return value, "daily", [(m.start("num"), m.end())]
        if _DECIMAL_PERCENT[0] <= value <= _DECIMAL_PERCENT[1]:
            return value / 100, "daily", [(m.start("num"), m.end())]
    return None, None, []


def _duration_days(m: re.Match[str]) -> Decimal | None:
    value = parse_number(m.group("num"))
    unit = m.group("unit")
    if value is None:
        return None
    if unit == "年" and value >= 1900 and not m.group("ge"):
        return None  # a calendar year such as 2024年
    if unit == "月" and not m.group("ge") and not m.group("half") and m.group("num") not in ("两", "俩"):
        return None  # 3月 is a month of the year; a duration says 3个月 (or 俩月)
    if unit == "日" and re.search(r"月\s*$", m.string[:m.start()]):
        return None  # 5月10日 is a date
    if re.search(r"分成?\s*$", m.string[:m.start()]):
        return None  # 分6个月 is the loan's instalments, not time overdue
    days = value * DAYS_PER[unit]
    if m.group("half") or m.group("tail"):
        days += Decimal(DAYS_PER[unit]) / 2
    return _signed(days, m.group("neg"))


def _unit_days(span: str) -> int:
    """Days in the unit a duration's text ends with (天 1, 月 30 …); 0 when it names none."""
    unit = re.search(r"(天|日|周|星期|礼拜|月|年)[^天日周期拜月年]*$", span)
    return DAYS_PER[unit.group(1)] if unit else 0


def _find_days(text: str) -> tuple[Decimal | None, list[tuple[int, int]], bool]:
    """Days overdue, the spans of every duration found, and whether the chosen one is said as more days
    ("再拖十天")."""
    parts: list[tuple[int, int, Decimal]] = []
    until_due: list[tuple[int, int]] = []  # not days overdue, nor money either
    for m in _DURATION.finditer(text):
        split = _AMOUNT_THEN_COUNT.match(m.group("num"))
        if split is not None and not m.group("neg"):
            # 借一万一个月: an amount, then a duration ("11000 months" is nobody's debt); the amount is
            # left for the principal, the duration read from its last digit on
            inner = _DURATION.match(text, m.start("num") + split.end("amount"))
            if inner is not None and (days := _duration_days(inner)) is not None:
                parts.append((inner.start(), inner.end(), days))
            continue
        days = _duration_days(m)
        if days is not None and not _OVERDUE_CUE.search(text[max(0, m.start() - 6):m.start()]) and (
                _UNTIL_DUE_AFTER.match(text, m.end()) or _UNTIL_DUE_BEFORE.search(text[max(0, m.start() - 12):m.start()])):
            until_due.append((m.start(), m.end()))
            continue
        if days is not None:  # the span starts at the number, not at the white space before it
            parts.append((m.start("neg") if m.group("neg") else m.start("num"), m.end(), days))
    masked = text
    for s, e, _ in parts:
        masked = _mask(masked, s, e)
    for m in _LABELLED_DAYS.finditer(masked):
        value = parse_number(m.group("num"))
        if value is not None:
            parts.append((m.start(), m.end(), _signed(value, m.group("neg"))))
            masked = _mask(masked, m.start(), m.end())
    for m in _HALF.finditer(masked):
        if not re.search(r"[\d个]\s*$", masked[:m.start()]):
            parts.append((m.start(), m.end(), Decimal(DAYS_PER[m.group("unit")]) / 2))
    if not parts:
        return None, until_due, False
    parts.sort()
    # adjacent parts form one duration: 1个月零5天, 一年又三个月, "1个月 5天" (a smaller unit after a
    # space; "逾期10天 一天利息两块五" is two things)
    groups: list[list[tuple[int, int, Decimal]]] = [[parts[0]]]
    for part in parts[1:]:
        previous = groups[-1][-1]
        between = text[previous[1]:part[0]]
        if _JOIN.match(between) and (between.strip() or _unit_days(text[part[0]:part[1]])
                                      < _unit_days(text[previous[0]:previous[1]])):
            groups[-1].append(part)
        else:
            groups.append([part])
    chosen = next((g for g in groups if _OVERDUE_CUE.search(text[max(0, g[0][0] - 6):g[0][0]])), groups[0])
    added = bool(_MORE_DAYS_CUE.search(text[max(0, chosen[0][0] - 4):chosen[0][0]]))
    return sum((p[2] for p in chosen), Decimal(0)), [(p[0], p[1]) for g in groups for p in g] + until_due, added


def _days_from_dates(text: str) -> tuple[int, Approx] | None:
    """Days overdue from a due day and today's date, or the day it was repaid, in the same month
    ("15号到期 今天17号" → 2, "还款日15号 16号才还的" → 1), or from a due day named relative to today
    ("昨天到期" → 1)."""
    if (relative := _RELATIVE_DUE.search(text)) is not None:
        days = _DAYS_AGO[relative.group("when") or relative.group("when2")]
        return days, Approx("days", "dates", Decimal(days), None, relative.group(0))
    due = _DUE_DAY.search(text)
    later = _TODAY.search(text) or _PAID_DAY.search(text)
    if due is None or later is None:
        return None
    today = later.re is _TODAY
    d = parse_number(due.group("due") or due.group("due2"))
    t = parse_number(later.group("today" if today else "paid"))
    if d is None or t is None or not (1 <= d < t <= 31):
        return None
    months = (due.group("due_month"), later.group("today_month") if today else None)
    if None not in months and parse_number(months[0]) != parse_number(months[1]):
        return None  # a due day in another month: its length (and the year's) is not known here
    days = int(t - d)
    said = f"今天{t.normalize():f}号" if today else f"{t.normalize():f}号才还"
    return days, Approx("days", "dates", Decimal(days), None, f"{d.normalize():f}号到期，{said}")


def _find_principal(text: str) -> Decimal | None:
    candidates: list[tuple[int, int, Decimal]] = []  # (priority, -start, value): strongest, then first
    for m in re.finditer(_NUM, text):
        raw = m.group("num")
        after, before = text[m.end():m.end() + 8], text[max(0, m.start() - 6):m.start()]
        if before.endswith("几"):
            continue  # 几千, 好几万, 几十块: "some thousands" is no amount to estimate from
        if _NOT_MONEY.match(after) or ("\0" in text[m.end():m.end() + 1] and raw[-1] not in _UNITS_IN_NUMBER):
            continue  # a number run into a masked value is part of it, unless it ends with its own unit
        value = parse_number(raw)
        if value is None:
            continue
        context = before.replace("\0", "")
        if _NOT_DEBT_CUE.search(context):
            continue
        has_unit = bool(_MONEY_UNIT.match(after)) or any(u in raw for u in _UNITS_IN_NUMBER)
        has_cue = bool(_MONEY_CUE.search(context))
        if not has_unit and (_PHONE_LIKE.match(raw) or (_LONG_DIGITS.match(raw) and not has_cue)):
            continue
        if not has_unit and len(raw) == 1 and not raw.isdigit():
            continue  # a lone 一 or 两 without a unit starts a word (借呗一直没还, 借两下), not an amount
        if not has_unit and value <= 12 and _MONTH_AFTER.match(after):
            continue
        if _UNPAID_AFTER.match(after) or _INSTALMENT_BEFORE.search(context):
            priority = 3
        elif has_unit or has_cue:
            priority = 2 if has_unit and has_cue else 1
        elif value >= 100 and raw.replace(",", "").replace(".", "").isdigit() and not _SCORE_TALK.search(text):
            priority = 0  # a bare round figure such as "5000逾期10天"
        else:
            continue
        candidates.append((priority, -m.start(), _signed(value, m.group("neg"))))
    return max(candidates, key=lambda c: c[:2])[2] if candidates else None


# "不是两万是三万", "不是30天 是20天": the value taken back is not one the message states
_TAKEN_BACK = re.compile(rf"不是\s*{NUMBER}[^，,。是]{{0,4}}?[，, ]*(而)?(?=是)")


def without_taken_back(text: str) -> str:
    """``text`` without the values it takes back ("不是两万是三万" → "是三万")."""
    return _TAKEN_BACK.sub("", text)


def extract(text: str, normalized: bool = False) -> Extraction:
    """Extract principal (yuan), days overdue and daily rate from one message.

    Vague quantities (一个多月, 两三千) are read at their lower bound and reported alongside.
    """
    said = without_taken_back(text if normalized else _fold(text))
    folded, vague = find_vague(_UNIT_GAP.sub("", said))
    rate, basis, rate_spans = _find_rate(folded)
    masked = folded
    for s, e in rate_spans:
        masked = _mask(masked, s, e)
    days, day_spans, days_added = _find_days(masked)
    for s, e in day_spans:
        masked = _mask(masked, s, e)
    principal = _find_principal(masked)
    rejected = []
    if principal is not None and principal < 0:
        principal = None
        rejected.append("principal")
    whole_days: int | None = None
    if days is not None:
        if days < 0:
            rejected.append("days")
        else:
            whole_days = int(days.to_integral_value(rounding=ROUND_HALF_UP))
    if rate is not None and not rate < 1:
        rate, basis = None, None
        rejected.append("daily_rate")
    p_approx = next((v for v in vague if v.quantity == "money" and principal == v.low), None)
    d_approx = next((v for v in vague if v.quantity == "days" and days is not None and days == v.low), None)
    if days is None and (dated := _days_from_dates(folded)) is not None:
        whole_days, d_approx = dated
    return Extraction(principal, whole_days, rate, basis, tuple(rejected), p_approx, d_approx,
                      days_added=whole_days is not None and days_added)
