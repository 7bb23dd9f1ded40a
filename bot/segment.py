"""Chinese word segmentation with jieba, a domain dictionary, synonyms and stop words.

Out of the box jieba splits 借呗 into 借/呗 and 停息挂账 into pieces; the domain dictionary keeps
the words of this domain whole, which is what makes BM25 match them.
"""

from __future__ import annotations

import logging
from importlib import resources

import jieba

from bot.normalize import SynonymMapper, load_synonyms, normalize

logger = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)


def _resource(name: str) -> str:
    return resources.files("bot.resources").joinpath(name).read_text(encoding="utf-8")


def load_stopwords(text: str | None = None) -> frozenset[str]:
    """One stop word per line; blank lines are ignored, a lone space stays a stop word."""
    text = _resource("stopwords.txt") if text is None else text
    return frozenset(line.strip() or " " for line in text.splitlines() if line != "") | {" "}


class Segmenter:
    """Turns raw text into search terms: normalise → synonyms → jieba → drop stop words."""

    def __init__(self, user_dict: str | None = None, synonyms: dict[str, str] | None = None,
                 stopwords: frozenset[str] | None = None) -> None:
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for line in (_resource("domain_dict.txt") if user_dict is None else user_dict).splitlines():
            parts = line.split()
            if parts:
                freq = int(parts[1]) if len(parts) > 1 else None
                tag = parts[2] if len(parts) > 2 else None
                self._jieba.add_word(parts[0], freq, tag)
        self._synonyms = SynonymMapper(load_synonyms() if synonyms is None else synonyms)
        self._stop = load_stopwords() if stopwords is None else stopwords

    def normalize_for_match(self, text: str) -> str:
        """Normalised, synonym-mapped text (蚂蚁借呗 → 借呗), for substring checks."""
        return self._synonyms(normalize(text))

    def words(self, text: str, normalized: bool = False) -> list[str]:
        """All jieba words of the normalised, synonym-mapped text (stop words kept).

        ``normalized=True`` says ``text`` already went through :meth:`normalize_for_match`.
        """
        text = text if normalized else self.normalize_for_match(text)
        return [w for w in self._jieba.lcut(text, HMM=True) if w.strip()]

    def terms(self, text: str, normalized: bool = False) -> list[str]:
        """Search terms: words without stop words and punctuation."""
        return [w for w in self.words(text, normalized) if w not in self._stop and any(ch.isalnum() for ch in w)]

    def sparse_terms(self, text: str, char_bigrams: bool = True, normalized: bool = False) -> list[str]:
        """Terms for BM25: jieba words plus, optionally, character bigrams of the content.

        Bigrams make sparse matching robust to what segmentation gets wrong: typos (征性 for
        征信), dropped characters and rare words jieba splits differently in question and entry.
        """
        text = text if normalized else self.normalize_for_match(text)
        words = self.terms(text, normalized=True)
        if not char_bigrams:
            return words
        content = "".join(ch for ch in text if ch.isalnum())
        return words + ["#" + content[i:i + 2] for i in range(len(content) - 1)]
