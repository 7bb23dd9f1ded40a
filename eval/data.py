"""Load the evaluation data: labelled questions, intent specs, penalty phrasings, AFQMC labels."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Question:
    split: str
    topic: str
    """The intent asked, or ``fallback:<scope>`` for a question the bot must not answer."""
    expected: tuple[str, ...]
    """Acceptable intent ids, the asked one first; empty: the bot must fall back."""
    text: str

    @property
    def should_fall_back(self) -> bool:
        return not self.expected


@dataclass(frozen=True)
class IntentSpec:
    """How often real users ask an intent, and what an answer to it must contain."""

    intent: str
    share: float
    cues: tuple[re.Pattern[str], ...]

    def answered_by(self, text: str) -> bool:
        return all(c.search(text) for c in self.cues)


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


def _split_ok(path: Path, i: int, split: str) -> None:
    if split not in ("dev", "test"):
        raise ValueError(f"{path}: row {i}: split must be dev or test, got {split!r}")


def load_questions(path: Path = DATA_DIR / "questions.tsv", split: str | None = None) -> list[Question]:
    out = []
    for i, row in enumerate(_rows(path), 1):
        _split_ok(path, i, row["split"])
        q = Question(row["split"], row["topic"], tuple(x for x in row["expected"].split(",") if x), row["question"])
        if split is None or q.split == split:
            out.append(q)
    return out


def load_intent_specs(path: Path = DATA_DIR / "intents.tsv") -> dict[str, IntentSpec]:
    return {r["intent"]: IntentSpec(r["intent"], float(r["share"]),
                                    tuple(re.compile(c.strip()) for c in r["cues"].split(" && ")))
            for r in _rows(path)}


def load_penalty_cases(path: Path = DATA_DIR / "penalty_cases.tsv") -> list[PenaltyCase]:
    def dec(v: str) -> Decimal | None:
        return Decimal(v) if v else None

    return [PenaltyCase(r["kind"], dec(r["principal"]), int(r["days"]) if r["days"] else None, dec(r["daily_rate"]),
                        dec(r["amount"]), tuple(t.strip() for t in r["turns"].split("||")))
            for r in _rows(path)]


def load_afqmc_questions(folder: Path, path: Path = DATA_DIR / "afqmc_labels.tsv",
                         split: str | None = None) -> list[Question]:
    """Real customer questions from AFQMC, read from ``folder`` and labelled by row (no sentence is stored here)."""
    tables = {name: list(csv.DictReader((folder / name).open(encoding="utf-8", newline="")))
              for name in ("afqmc_train.csv", "afqmc_dev.csv")}
    out = []
    for i, row in enumerate(_rows(path), 1):
        _split_ok(path, i, row["split"])
        if split is not None and row["split"] != split:
            continue
        text = tables[row["file"]][int(row["row"])][row["column"]]
        out.append(Question(row["split"], row["group"], tuple(x for x in row["accept"].split(",") if x), text))
    return out
