"""Vague quantities as people say them: 一个多月, 十几天, 二十多天, 十来天, 一万多, 两三千, 快两个月, 大半年.

Pure functions on normalised text. Each vague expression is rewritten into a plain value the
extractor already understands (一个多月 → 30天, 两三千 → 2000元) and recorded as an
:class:`Approx` (the lower bound, the upper bound when there is one, and what the user said), so
the reply can say which value it used: "按30天估算（你说的是一个多月）".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from bot.numerals import NUMBER, parse_number

ApproxKind = Literal["more", "range", "almost", "dates"]
"""``dates``: days counted from a due day and today's date (15号到期 … 今天17号), not said as a duration."""
Quantity = Literal["days", "money"]

_CN_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_D = "[一二两三四五六七八九]"
DAY_UNITS = {"天": 1, "日": 1, "周": 7, "星期": 7, "礼拜": 7, "月": 30, "年": 365}
_DAY_UNIT = r"(?P<ge>个)?\s*(?P<unit>天|日|周|星期|礼拜|月|年)"
_MONEY_SCALE = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "k": 1000, "w": 10_000}
_MONEY_TAIL = r"(?:块钱|块|元)?"


@dataclass(frozen=True)
class Approx:
    """A value the user gave vaguely: ``low`` is what the estimate uses."""

    quantity: Quantity
    kind: ApproxKind
    low: Decimal
    high: Decimal | None
    said: str


def _days(value: Decimal, unit: str) -> Decimal:
    return value * DAY_UNITS[unit]


# what makes a number money as said: a unit or a scale word ("3000多块", "两万多"); "500多" has none
_MONEY_MARK = re.compile(r"[块元十百千万kw]")


def _canon(q: Quantity, value: Decimal, said: str) -> str:
    """The plain value the extractor reads. Money keeps a unit only when one was said, so a bare
    "500多" stays a bare number, which the extractor judges as such (in "芝麻分掉到500多了", a score)."""
    unit = "天" if q == "days" else ("元" if _MONEY_MARK.search(said) else "")
    return f"{value.normalize():f}" + unit


class _Rewriter:
    """Applies the patterns in order, each on the text the previous ones left."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: list[Approx] = []

    def sub(self, pattern: re.Pattern[str], make) -> None:
        def repl(m: re.Match[str]) -> str:
            made = make(m)
            if made is None:
                return m.group(0)
            q, kind, low, high, keep_before = made
            self.found.append(Approx(q, kind, low, high, m.group(0)[len(keep_before):].strip()))
            return keep_before + _canon(q, low, m.group(0))

        self.text = pattern.sub(repl, self.text)


# 两三千, 三四天, 一两个月, 七八万块: two neighbouring digits
_PAIR = re.compile(rf"(?<![十百千万\d{_D[1:-1]}])(?P<a>{_D})(?P<b>{_D})(?:(?P<scale>十|百|千|万)(?P<scale2>万)?{_MONEY_TAIL}|{_DAY_UNIT})")
# 3-5天, 2到3万, 10~15天
_ARABIC_RANGE = re.compile(r"(?P<a>\d+(?:\.\d+)?)\s*(?:-|~|～|到|至)\s*(?P<b>\d+(?:\.\d+)?)\s*"
                           rf"(?:(?P<scale>千|万|k|w)?(?P<money>块钱|块|元)|(?P<scale_only>千|万|k|w)|{_DAY_UNIT})")
# 十几天, 二十几天, 十几万, 一万几千? (not handled: too vague)
_JI = re.compile(rf"(?P<tens>{_D})?十几(?:(?P<scale>千|万){_MONEY_TAIL}|(?P<money>块钱|块|元)|{_DAY_UNIT})")
# 一个多月, 二十多天, 一万多, 3000多块, 半个多月, 半年多, 一年多
_MORE = re.compile(rf"(?P<num>{NUMBER}|半)\s*(?:(?P<ge>个)?\s*多\s*(?P<unit>天|日|周|星期|礼拜|月|年)"
                   rf"|(?P<unit2>年|天)多(?!少|久)|多(?!少|久|长|大|次|项|笔|个|期|点|少)\s*(?P<money>块钱|块|元)?)")
# 十来天, 两千来块, 一个来月: 来 says "about", read like 多 (only with a unit, 来 starts many words)
_LAI = re.compile(rf"(?P<num>{NUMBER})\s*(?:(?P<ge>个)?\s*来\s*(?P<unit>天|日|周|星期|礼拜|月|年)"
                  rf"|来\s*(?P<money>块钱|块|元))")
# 快两个月, 将近一年, 小两万
_ALMOST = re.compile(rf"(?P<cue>快|将近|接近|差不多|小)\s*(?P<num>{NUMBER})\s*(?:{_DAY_UNIT}|(?P<money>块钱|块|元))?")
# 大半年, 大半个月
_BIG_HALF = re.compile(r"大半\s*(?P<ge>个)?\s*(?P<unit>年|月)")


def _pair(m: re.Match[str]):
    a, b = _CN_DIGIT[m.group("a")], _CN_DIGIT[m.group("b")]
    if b != a + 1 and not (a == 1 and b == 2):
        return None
    if m.group("unit"):
        if m.group("unit") == "月" and not m.group("ge"):
            return None
        return ("days", "range", _days(Decimal(a), m.group("unit")), _days(Decimal(b), m.group("unit")), "")
    scale = _MONEY_SCALE[m.group("scale")] * (10_000 if m.group("scale2") else 1)
    if scale < 100:
        return None
    return ("money", "range", Decimal(a * scale), Decimal(b * scale), "")


def _arabic_range(m: re.Match[str]):
    a, b = Decimal(m.group("a")), Decimal(m.group("b"))
    if not a < b:
        return None
    if m.group("unit"):
        return ("days", "range", _days(a, m.group("unit")), _days(b, m.group("unit")), "")
    scale = _MONEY_SCALE.get(m.group("scale") or m.group("scale_only") or "", 1)
    return ("money", "range", a * scale, b * scale, "")


def _ji(m: re.Match[str]):
    tens = _CN_DIGIT[m.group("tens")] * 10 if m.group("tens") else 10
    low, high = Decimal(tens + 1), Decimal(tens + 9)
    if m.group("unit"):
        return ("days", "range", _days(low, m.group("unit")), _days(high, m.group("unit")), "")
    scale = _MONEY_SCALE.get(m.group("scale") or "", 1)
    return ("money", "range", low * scale, high * scale, "")


def _more(m: re.Match[str]):
    raw = m.group("num")
    value = Decimal("0.5") if raw == "半" else parse_number(raw)
    if value is None or value <= 0:
        return None
    unit = m.group("unit") or m.groupdict().get("unit2")
    if unit:
        if unit == "月" and not m.group("ge") and raw != "半":
            return None  # 3多月 is not how people say it
        return ("days", "more", _days(value, unit), None, "")
    if raw == "半":
        return None
    if value < 100 and not any(u in raw for u in "万千百kw"):
        return None  # 二十多 alone is an age or a count, not money
    return ("money", "more", value, None, "")


def _almost(m: re.Match[str]):
    value = parse_number(m.group("num"))
    if value is None or value <= 0:
        return None
    if m.group("unit"):
        if m.group("unit") == "月" and not m.group("ge"):
            return None
        days = _days(value, m.group("unit"))
        return ("days", "almost", days, days, "")
    if m.group("money") or any(u in m.group("num") for u in "万千kw"):
        return ("money", "almost", value, value, "")
    return None


def _big_half(m: re.Match[str]):
    half = Decimal(DAY_UNITS[m.group("unit")]) / 2
    return ("days", "more", half, None, "")


def find_vague(text: str) -> tuple[str, list[Approx]]:
    """Rewrite vague quantities in normalised ``text`` into plain values; return the text and what was vague."""
    rw = _Rewriter(text)
    for pattern, make in ((_PAIR, _pair), (_ARABIC_RANGE, _arabic_range), (_JI, _ji), (_BIG_HALF, _big_half),
                          (_ALMOST, _almost), (_MORE, _more), (_LAI, _more)):
        rw.sub(pattern, make)
    return rw.text, rw.found
