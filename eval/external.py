"""External checks on AFQMC (real Ant customer question pairs), read from ``../shared`` when present."""

from __future__ import annotations

import csv
import re
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np

from bot.chat import ChatService
from bot.retrieve.dense import Encoder

PUBLISHED_SPEARMAN = {  # C-MTEB AFQMC Spearman × 100, as published
    "bge-small-zh": 33.9, "m3e-base": 35.9, "text2vec-base-chinese": 26.1, "multilingual-e5-small": 25.2,
}
OVERDUE = re.compile(r"逾期|罚息|征信|催收|催款|还不上|晚还|起诉|宽限|停息|挂账|违约|滞纳")


# words of being late, overdue or owing, for the everyday screen; kept apart from the bot's own cue
# lists so that the screen does not grade the bot by its own rules
LATE_WORDS = re.compile(r"逾期|预期|愈期|过期|违约|不良|负面|征信|罚|催|晚|迟|拖|延|推|宽限|没还|未还|没有还|忘|还不|"
                        r"没钱|欠|起诉|坐牢|法院|黑名单|当天|几点|到期|还款日|扣|不还|按时|按期|超期|超了")


def find_afqmc(start: Path | None = None) -> Path | None:
    """The AFQMC folder of the shared material next to the repository, if it is there."""
    root = start or Path(__file__).resolve().parent.parent
    for candidate in (root.parent / "shared" / "data" / "afqmc", root / "shared" / "data" / "afqmc"):
        if (candidate / "afqmc_dev.csv").is_file():
            return candidate
    return None


def read_pairs(path: Path) -> list[tuple[str, str, int]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [(r["sentence1"], r["sentence2"], int(r["label"])) for r in csv.DictReader(fh)]


def spearman(encoder: Encoder, pairs: Sequence[tuple[str, str, int]]) -> float:
    """Spearman correlation × 100 of query-query cosine with the same-meaning labels."""
    from scipy.stats import spearmanr

    texts = sorted({t for a, b, _ in pairs for t in (a, b)})
    vecs = dict(zip(texts, encoder.encode_queries(texts), strict=True))
    cos = np.array([float(vecs[a] @ vecs[b]) for a, b, _ in pairs])
    labels = np.array([y for _, _, y in pairs])
    return round(float(spearmanr(cos, labels).statistic) * 100, 2)


def overdue_paraphrases(folder: Path) -> list[tuple[str, str]]:
    """Same-meaning pairs (train and dev) where both questions are about 借呗 and being overdue."""
    pairs = []
    for name in ("afqmc_train.csv", "afqmc_dev.csv"):
        for a, b, y in read_pairs(folder / name):
            if y == 1 and all("借呗" in t and OVERDUE.search(t) for t in (a, b)):
                pairs.append((a, b))
    return pairs


def paraphrase_consistency(chat: ChatService, pairs: Sequence[tuple[str, str]],
                           held_out: Collection[str] = ()) -> dict[str, object]:
    """How often both questions of a same-meaning pair get the same reply: the same intent, or both no
    answer. Also reported for the pairs with no question in ``held_out`` (the AFQMC test half): only
    those may be read while tuning, so that number is the one to work on and the whole one to report."""
    from bot.sessions import SessionState

    same: list[bool] = []
    answered = 0
    for a, b in pairs:
        da, _, _ = chat.respond(chat.understand(a), SessionState())
        db, _, _ = chat.respond(chat.understand(b), SessionState())
        answered += da.intent is not None and db.intent is not None
        same.append(da.intent == db.intent)
    outside = [ok for (a, b), ok in zip(pairs, same, strict=True) if a not in held_out and b not in held_out]

    def share(flags: list[bool]) -> float | None:
        return round(sum(flags) / len(flags), 4) if flags else None

    return {"pairs": len(pairs), "consistent": share(same), "both_answered": answered,
            "pairs_outside_test": len(outside), "consistent_outside_test": share(outside),
            "note": "digits are masked as *** in AFQMC"}


def unlabelled_jiebei(folder: Path, labelled: set[str]) -> list[str]:
    """Distinct questions naming 借呗 in the AFQMC files (train and dev) that no label covers."""
    seen: dict[str, None] = {}
    for name in ("afqmc_train.csv", "afqmc_dev.csv"):
        for a, b, _ in read_pairs(folder / name):
            for text in (a, b):
                if "借呗" in text and text not in labelled:
                    seen.setdefault(text, None)
    return list(seen)


def everyday_screen(chat: ChatService, texts: Sequence[str]) -> dict[str, object]:
    """Of ``texts`` with no word of being late (a rough everyday sample, by word list, not labels), the
    share that got an overdue reply: an answer, an estimate, a question for the debt or the handoff."""
    from bot.answer import ReplyKind
    from bot.sessions import SessionState

    quiet = (ReplyKind.FALLBACK, ReplyKind.SMALLTALK, ReplyKind.CRISIS)
    everyday = [t for t in texts if not LATE_WORDS.search(t)]
    replied = sum(chat.respond(chat.understand(t), SessionState())[0].kind not in quiet for t in everyday)
    return {"questions": len(texts), "no_late_word": len(everyday), "overdue_reply": replied,
            "share": round(replied / len(everyday), 4) if everyday else None}
