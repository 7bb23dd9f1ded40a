"""Penalty interest (罚息) estimate: 本金 × 日利率 × 1.5 × 天数, in Decimal, rounded half-up to 分.

The formula and the +50% markup follow the PBOC rule on loan penalty rates and common consumer-loan
contracts; whether ordinary interest or compounding is added on top differs by contract, so every
figure is an estimate and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ESTIMATE_LABEL = "仅供参考，以借呗账单和合同为准"
DAYS_PER_YEAR = 365
MAX_DAILY_RATE = Decimal("0.01")


@dataclass(frozen=True)
class Limits:
    """What the calculator accepts; outside it refuses with a reason instead of computing."""

    max_principal: Decimal = Decimal("10000000")
    max_days: int = 3650
    max_daily_rate: Decimal = MAX_DAILY_RATE


@dataclass(frozen=True)
class PenaltyEstimate:
    """One calculation with everything needed to explain it."""

    principal: Decimal
    days: int
    daily_rate: Decimal
    rate_assumed: bool
    markup: Decimal
    amount: Decimal
    annualized_rate: Decimal

    @property
    def per_day(self) -> Decimal:
        """What each further day adds until it is repaid (the same formula for one day)."""
        return (self.principal * self.daily_rate * self.markup).quantize(CENT, ROUND_HALF_UP)

    @property
    def formula(self) -> str:
        return (f"{money(self.principal)}元 × {percent(self.daily_rate)} × {self.markup.normalize()} × "
                f"{self.days}天 = {money(self.amount)}元")

    def as_json(self) -> dict[str, object]:
        """The API's ``penalty`` object: numbers as JSON numbers, rates as fractions (0.0005 = 0.05%)."""
        return {
            "principal": float(self.principal), "days": self.days,
            "daily_rate": float(self.daily_rate),  # full precision: 年化18% gives 0.18 / 365
            "rate_assumed": self.rate_assumed, "amount": float(self.amount), "per_day": float(self.per_day),
            "annualized_rate": float(self.annualized_rate.quantize(Decimal("1e-6"), ROUND_HALF_UP)),
            "formula": self.formula,
        }


def money(value: Decimal) -> str:
    """12,345.60 style, rounded half-up to 分."""
    return f"{value.quantize(CENT, ROUND_HALF_UP):,}"


def percent(fraction: Decimal, places: int = 4) -> str:
    """0.0005 → 0.05%; long fractions are shown rounded with ≈."""
    pct = fraction * 100
    shown = pct.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP).normalize()
    exact = shown == pct
    text = f"{shown:f}%"
    return text if exact else "≈" + text


REJECTED_REASONS = {"principal": "欠款金额需要大于0元", "days": "逾期天数需要至少1天",
                    "daily_rate": f"日利率需要在0到{MAX_DAILY_RATE * 100:f}%之间".replace(".00%", "%")}


def out_of_range(principal: Decimal | None, days: int | None, daily_rate: Decimal | None,
                 limits: Limits, rejected: tuple[str, ...] = ()) -> list[str]:
    """Reasons (in Chinese) why these inputs cannot be calculated; empty when they can.

    ``rejected`` names values the user gave in an impossible form (negative amount or days).
    """
    problems: list[str] = [REJECTED_REASONS[r] for r in rejected if r in REJECTED_REASONS]
    if principal is not None:
        if principal <= 0:
            problems.append("欠款金额需要大于0元")
        elif principal > limits.max_principal:
            problems.append(f"欠款金额超过了可估算的上限（{money(limits.max_principal)}元）")
    if days is not None:
        if days <= 0:
            problems.append("逾期天数需要至少1天")
        elif days > limits.max_days:
            problems.append(f"逾期天数超过了可估算的上限（{limits.max_days}天）")
    if daily_rate is not None and not (0 < daily_rate <= limits.max_daily_rate):
        problems.append(f"日利率需要在0到{percent(limits.max_daily_rate)}之间")
    return list(dict.fromkeys(problems))


def calculate(principal: Decimal, days: int, daily_rate: Decimal | None, default_daily_rate: Decimal,
              markup: Decimal = Decimal("1.5")) -> PenaltyEstimate:
    """罚息 = principal × daily rate × markup × days, rounded half-up to 0.01 yuan.

    Args:
        principal: overdue principal in yuan (validated by :func:`out_of_range` first).
        days: days overdue.
        daily_rate: the contract daily rate as a fraction, or ``None`` to assume the default.
        default_daily_rate: the assumed daily rate when the user gave none.
        markup: penalty markup on the contract rate (1.5 = +50%).
    """
    rate = default_daily_rate if daily_rate is None else daily_rate
    amount = (principal * rate * markup * days).quantize(CENT, ROUND_HALF_UP)
    return PenaltyEstimate(principal, days, rate, daily_rate is None, markup, amount,
                           rate * markup * DAYS_PER_YEAR)
