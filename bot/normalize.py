"""Text normalisation shared by indexing and querying.

NFKC folds full-width digits and letters (５０００ → 5000), OpenCC turns Traditional characters
into Simplified (借唄 → 借呗), and a synonym table maps the many ways people name one thing onto
one canonical word so that sparse retrieval sees them as the same term.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import resources

from opencc import OpenCC

logger = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_SPACES = re.compile(r"\s+")
_MASKED_DIGITS = re.compile(r"\*{2,}")
TYPOS_RESOURCE = "typos.tsv"


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


# code points that are not characters: lone UTF-16 surrogates (JSON "\ud800" decodes to one) and the
# Unicode non-characters (U+FDD0–U+FDEF and the last two code points of every plane)
_NOT_TEXT = re.compile("[\ud800-\udfff\ufdd0-\ufdef" + "".join(
    f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17)) + "]")


def valid_text(text: str) -> str:
    """Make a string from the outside valid Unicode: drop lone surrogates and non-characters.

    Done once at the edge, so nothing later (tokenizers, databases, logs) meets a string it cannot encode.
    """
    return _NOT_TEXT.sub("", text)


def strip_controls(text: str) -> str:
    """Remove control and invisible formatting characters; keep ordinary newlines and tabs."""
    return _CONTROL.sub("", text)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", strip_controls(text))
    text = _MASKED_DIGITS.sub("几", _t2s().convert(text))
    return _SPACES.sub(" ", text).strip().lower()


def normalize(text: str) -> str:
    """NFKC, Traditional → Simplified, lower case, collapsed white space, the domain's typos fixed.

    Runs of asterisks, which is how customer-service logs mask digits (逾期***天), read as 几.
    Typos (预期 or 逾其 for 逾期) are fixed here, not with the synonyms, so that the scope and cue
    checks, which read this text, see the word the user meant.
    """
    return _typos()(_fold(text))


def load_synonyms(text: str | None = None, resource: str = "synonyms.tsv",
                  fold: Callable[[str], str] = normalize) -> dict[str, str]:
    """Parse a tab-separated ``variant<TAB>canonical`` table (``#`` starts a comment), each side ``fold``-ed."""
    if text is None:
        text = resources.files("bot.resources").joinpath(resource).read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not all(p.strip() for p in parts):
            raise ValueError(f"synonyms line {lineno}: expected 'variant<TAB>canonical', got {line!r}")
        table[fold(parts[0])] = fold(parts[1])
    return table


class SynonymMapper:
    """Replace every variant with its canonical form in one left-to-right pass, longest first."""

    def __init__(self, table: Mapping[str, str]) -> None:
        self._table = dict(table)
        variants = sorted(self._table, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, variants))) if variants else None

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self._table[m.group(0)], text)


@lru_cache(maxsize=1)
def _typos() -> SynonymMapper:
    # folded without the typo fix itself, which is what this table builds
    return SynonymMapper(load_synonyms(resource=TYPOS_RESOURCE, fold=_fold))
