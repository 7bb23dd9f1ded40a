"""The searchable view of the corpus: what each index stores, and where a match on it leads.

Three kinds of document are indexed: an intent (its title, phrasings and answer), a piece of
evidence (an article paragraph group or a reader comment), and an out-of-scope topic (its example
phrasings). Every document has a ``target``: the intent a match on it resolves to (an evidence
document resolves to the first intent it supports) or the out-of-scope topic itself.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Literal

from bot.corpus import Corpus, Scope

DocKind = Literal["intent", "evidence", "oos"]


@dataclass(frozen=True)
class SearchDoc:
    """What the retrievers index for one intent, piece of evidence or out-of-scope topic."""

    id: str
    kind: DocKind
    target: str
    title: str
    questions: tuple[str, ...]
    body: str
    scope: Scope | None = None

    def sparse_text(self) -> str:
        # phrasings are how users ask: count them twice against the longer answer body
        return "\n".join((self.title, *self.questions, *self.questions, self.body))


def search_docs(corpus: Corpus) -> list[SearchDoc]:
    """Intents first, then evidence, then out-of-scope topics, in corpus order."""
    docs = [SearchDoc(i.id, "intent", i.id, i.title, i.questions, f"{i.lead}{i.answer}") for i in corpus.intents]
    docs += [SearchDoc(e.id, "evidence", e.supports[0], e.section, (), e.text) for e in corpus.evidence]
    docs += [SearchDoc(f"oos:{o.label}", "oos", f"oos:{o.label}", o.label, o.questions, "", o.scope)
             for o in corpus.out_of_scope]
    return docs


def docs_fingerprint(docs: list[SearchDoc]) -> str:
    """sha256 of everything the indexes are built from."""
    payload = json.dumps([[d.id, d.kind, d.target, d.title, list(d.questions), d.body] for d in docs],
                         ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
