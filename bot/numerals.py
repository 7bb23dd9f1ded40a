"""Parse the numbers people type in Chinese chat: 5000, 10,000, 1.5万, 5k, 5w, 两千五, 三万二, 1万5.

Pure functions on already NFKC-normalised text (full-width digits folded to ASCII).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "俩": 2, "三": 3, "叁": 3, "仨": 3,
          "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
          "九": 9, "玖": 9}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "k": 1000}
BIG_UNITS = {"万": 10_000, "w": 10_000, "亿": 100_000_000}

_DIGIT_CHARS = "".join(DIGITS)
_CN = "".join(DIGITS) + "".join(u for u in SMALL_UNITS if len(u) == 1 and not u.isascii()) + "万亿"
# An Arabic number (thousands separators only in groups of three) or Chinese numerals, mixed
# with units; k/w count as units only right after a digit. The group is atomic and a digit run
# can only start after a non-digit, so scanning stays linear whatever the input.
NUMBER = (rf"(?<![\d.])(?>(?:(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?|[{_CN}])"
          rf"(?:(?<![\d.])\d+(?:\.\d+)?|[{_CN}]|(?<=[\d{_CN}])[kKwW](?![a-zA-Z])|点[{_DIGIT_CHARS}]+)*)")
NUMBER_RE = re.compile(NUMBER)
_TOKEN = re.compile(rf"\d+(?:\.\d+)?|[{_CN}kw]")


def parse_number(text: str) -> Decimal | None:
    """Value of one numeral expression, or ``None`` when it is not a well-formed number.

    Colloquial shortenings take the next lower unit: 三万二 = 32000, 两千五 = 2500, 1万5 = 15000.
    Ambiguous runs such as 两三 (two or three) give ``None`` rather than a guess.
    """
    text = text.replace(",", "").lower()
    if "点" in text:  # Chinese decimal point: 一点五 = 1.5, 三点二五 = 3.25
        whole, _, frac = text.partition("点")
        head = parse_number(whole)
        if head is None or not frac or any(ch not in DIGITS for ch in frac) or "." in whole:
            return None
        return head + Decimal("0." + "".join(str(DIGITS[ch]) for ch in frac))
    tokens = _TOKEN.findall(text)
    if not tokens or "".join(tokens) != text:
        return None
    total = section = Decimal(0)
    number: Decimal | None = None
    last_unit: int | None = None
    after_zero = False
    for tok in tokens:
        if tok in DIGITS and tok not in ("零", "〇") or tok[0].isdigit():
            if number is not None:
                return None  # two numbers in a row: a range like 两三 or 12 3
            try:
                number = Decimal(DIGITS[tok]) if tok in DIGITS else Decimal(tok)
            except InvalidOperation:
                return None
        elif tok in ("零", "〇"):
            if number is not None:
                return None  # 一零 is not a number people write
            after_zero, last_unit = True, None
            continue
        elif tok in SMALL_UNITS:
            unit = SMALL_UNITS[tok]
            if number is None and (last_unit is not None or section or total):
                return None  # 千百: a unit needs a number before it (except a leading 十)
            section += (number if number is not None else Decimal(1)) * unit
            number, last_unit = None, unit
        else:
            unit = BIG_UNITS[tok]
            if number is None and section == 0:
                return None
            section += number if number is not None else Decimal(0)
            total = (total + section) * unit if total and total < unit else total + section * unit
            section, number, last_unit = Decimal(0), None, unit
        after_zero = False
    if number is not None:
        if last_unit is not None and not after_zero and number == number.to_integral_value() and number < 10:
            number *= Decimal(last_unit) / 10  # 三万二 → 2 × 1000
        section += number
    return total + section
