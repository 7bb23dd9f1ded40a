"""Load the labelled questions and the penalty phrasings from ``eval/data``."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Question:
    split: str
    topic: str
    expected: tuple[str, ...]  # empty: the bot must fall back
    text: str

    @property
    def should_fall_back(self) -> bool:
        return not self.expected


@dataclass(frozen=True)
class PenaltyCase:
    kind: str  # calc | ask_days | ask_principal | refuse | none
    principal: Decimal | None
    days: int | None
    daily_rate: Decimal | None
    amount: Decimal | None
    turns: tuple[str, ...]


def _rows(path: Path) -> list[dict[str, str]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def load_questions(path: Path = DATA_DIR / "questions.tsv", split: str | None = None) -> list[Question]:
    out = []
    for i, row in enumerate(_rows(path), 1):
        if row["split"] not in ("dev", "test"):
            raise ValueError(f"{path}: row {i}: split must be dev or test, got {row['split']!r}")
        q = Question(row["split"], row["topic"], tuple(x for x in row["expected"].split(",") if x), row["question"])
        if split is None or q.split == split:
            out.append(q)
    return out


def load_penalty_cases(path: Path = DATA_DIR / "penalty_cases.tsv") -> list[PenaltyCase]:
    def dec(v: str) -> Decimal | None:
        return Decimal(v) if v else None

    return [PenaltyCase(r["kind"], dec(r["principal"]), int(r["days"]) if r["days"] else None, dec(r["daily_rate"]),
                        dec(r["amount"]), tuple(t.strip() for t in r["turns"].split("||")))
            for r in _rows(path)]
