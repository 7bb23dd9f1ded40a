"""The searchable view of the corpus: one document per entry and per out-of-scope topic."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Literal

from bot.corpus import Corpus


@dataclass(frozen=True)
class SearchDoc:
    """What the retrievers index for one entry (``kind="entry"``) or out-of-scope topic (``"oos"``)."""

    id: str
    kind: Literal["entry", "oos"]
    title: str
    questions: tuple[str, ...]
    body: str

    def sparse_text(self) -> str:
        # phrasings are how users ask: count them twice against the longer answer body
        return "\n".join((self.title, *self.questions, *self.questions, self.body))


def search_docs(corpus: Corpus) -> list[SearchDoc]:
    """Entries first, then out-of-scope topics, in corpus order."""
    docs = [SearchDoc(e.id, "entry", e.title, e.questions, e.answer) for e in corpus.entries]
    docs += [SearchDoc(f"oos:{o.label}", "oos", o.label, o.questions, "") for o in corpus.out_of_scope]
    return docs


def docs_fingerprint(docs: list[SearchDoc]) -> str:
    """sha256 of everything the indexes are built from."""
    payload = json.dumps([[d.id, d.kind, d.title, list(d.questions), d.body] for d in docs], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
