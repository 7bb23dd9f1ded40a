"""Turn a retrieval result (and an optional penalty estimate) into the reply a worried user reads."""

from __future__ import annotations

from bot.answer import Answer, SourceRef
from bot.corpus import Corpus, Entry
from bot.retrieve.hybrid import RetrievalResult

ARTICLE_TITLE = "借呗逾期后解决流程，全面解析"
DISCLAIMER = "以上内容仅供参考，不构成法律或财务建议；具体以借呗合同、账单和官方客服的答复为准。"
FALLBACK_TEXT = ("抱歉，这个问题我没有把握回答。我能解答的是借呗逾期相关的问题，比如罚息怎么算、"
                 "会不会上征信、催收和通讯录、协商还款、会不会被起诉。你可以试试下面的问题，"
                 "或者联系支付宝官方客服。")
DEFAULT_SUGGESTION_IDS = ("faq-consequences", "faq-credit-report", "faq-penalty", "faq-negotiation")


def source_label(entry: Entry) -> str:
    """A citation a person can follow: article section, comment author and date, or knowledge base."""
    src = entry.source
    if entry.kind == "article":
        return f"原文《{ARTICLE_TITLE}》· {src.section}"
    if entry.kind == "comment":
        return f"《{ARTICLE_TITLE}》读者评论 · {src.author} · {src.date}"
    basis = "、".join(src.facts) if src.facts else src.section
    return f"知识库：{entry.title}（依据：{basis}相关规定与公开资料）"


def source_ref(entry: Entry, score: float) -> SourceRef:
    return SourceRef(id=entry.id, title=entry.title, kind=entry.kind, score=round(score, 4),
                     label=source_label(entry))


class Composer:
    """Builds :class:`Answer` objects from entries; holds no per-request state."""

    def __init__(self, corpus: Corpus, n_suggestions: int = 3) -> None:
        self.corpus = corpus
        self.n_suggestions = n_suggestions

    def entry_text(self, entry: Entry) -> str:
        text = entry.answer
        if entry.correction:
            text += f"\n（更正：{entry.correction}）"
        return text

    def suggestions(self, result: RetrievalResult | None, exclude: set[str]) -> list[str]:
        """Next questions to offer: the runner-up entries, topped up with common questions."""
        ids: list[str] = []
        if result is not None and (not result.fallback or result.reason == "low_confidence"):
            ids = [h.id for h in result.hits if h.id not in exclude]
        ids += [i for i in DEFAULT_SUGGESTION_IDS if i not in exclude and i not in ids]
        picks = [e.questions[0] for i in ids if (e := self.corpus.get(i))]
        return picks[:self.n_suggestions]

    def from_entry(self, entry: Entry, confidence: float, result: RetrievalResult | None,
                   prefix: str = "", suffix: str = "") -> Answer:
        """An answer grounded in ``entry`` (optionally with text before and after it)."""
        parts = [p for p in (prefix, self.entry_text(entry), suffix) if p]
        return Answer(answer="\n\n".join(parts), fallback=False, confidence=round(confidence, 4),
                      sources=[source_ref(entry, confidence)],
                      suggestions=self.suggestions(result, {entry.id}),
                      disclaimer=DISCLAIMER if entry.advice else None)

    def fallback(self, result: RetrievalResult | None, prefix: str = "", suffix: str = "") -> Answer:
        parts = [p for p in (prefix, FALLBACK_TEXT, suffix) if p]
        return Answer(answer="\n\n".join(parts), fallback=True,
                      confidence=round(result.confidence, 4) if result else 0.0,
                      suggestions=self.suggestions(result, set()))

    def compose(self, result: RetrievalResult, suffix: str = "") -> Answer:
        """The usual reply: the best entry, or the "not sure" reply with suggestions."""
        top = result.top
        if result.fallback or top is None:
            return self.fallback(result, suffix=suffix)
        entry = self.corpus.get(top.id)
        assert entry is not None
        return self.from_entry(entry, result.confidence, result, suffix=suffix)
