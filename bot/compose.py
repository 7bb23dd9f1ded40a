"""Render a policy :class:`~bot.policy.Decision` into the :class:`~bot.answer.Answer` a worried user reads.

Every reply has a short ``lead`` (the direct answer) and the full text. Knowledge answers cite the
intent with the facts it rests on, and the article paragraphs or comments that support it.
Penalty estimates start with the figure, then the formula in one line, then what was assumed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from bot.answer import Answer, Contact, PenaltyInfo, ReplyKind, SourceRef
from bot.corpus import LEAD_MAX_CHARS, Corpus, Evidence, Intent
from bot.penalty import ESTIMATE_LABEL, PenaltyEstimate, calculate, money, percent
from bot.policy import Decision
from bot.retrieve.hybrid import RetrievalResult
from bot.sessions import Slots
from bot.settings import Settings
from bot.understand import ABOUT_LAST_ANSWER, DialogueAct
from bot.vague import Approx

ARTICLE_TITLE = "借呗逾期后解决流程，全面解析"
DISCLAIMER = "以上内容仅供参考，不构成法律或财务建议；具体以借呗合同、账单和官方客服的答复为准。"
MAX_EVIDENCE_CITED = 2
CARRIED_NAMES = {"principal": "欠款", "days": "逾期天数", "daily_rate": "日利率"}
ASK_TEXT = {
    # "逾期一天有没有罚息" asks yes or no before it asks how much: the prompt says yes first
    "principal": "逾期从第一天起就按天计罚息；要估算多少，还需要知道逾期没还的金额（例如“欠款5000元”）。",
    "days": "要估算罚息，还需要知道逾期了多少天（例如“逾期10天”）。",
}


def _top_score(intent: Intent, result: RetrievalResult | None) -> float | None:
    """The retrieval's score of ``intent`` when it came first (None when it was not matched, e.g. an
    estimate after a bare number, so no score is claimed for it)."""
    return result.top.score if result is not None and result.top is not None and result.top.id == intent.id else None


_ARTICLES = re.compile(r"^(《[^》]+》)第([0-9、–]+)条$")


def compact_bases(bases: list[str]) -> list[str]:
    """Join citations of one law: 《征信业管理条例》第15条 + 第16条 → 《征信业管理条例》第15、16条."""
    out: list[str] = []
    laws: dict[str, list[str]] = {}
    for b in dict.fromkeys(bases):
        m = _ARTICLES.match(b)
        if m is None:
            out.append(b)
        elif m.group(1) in laws:
            laws[m.group(1)].append(m.group(2))
        else:
            laws[m.group(1)] = [m.group(2)]
            out.append(m.group(1))
    return [f"{b}第{'、'.join(laws[b])}条" if b in laws else b for b in out]


def intent_label(intent: Intent, corpus: Corpus) -> str:
    """Citation of a knowledge entry: its title and the basis of the facts it states."""
    bases = compact_bases([corpus.fact(f).basis for f in intent.facts])
    return f"知识库：{intent.title}（依据：{'；'.join(bases)}）"


def evidence_label(ev: Evidence) -> str:
    if ev.kind == "comment":
        return f"参考：《{ARTICLE_TITLE}》读者评论 · {ev.author} · {ev.date}"
    return f"参考：《{ARTICLE_TITLE}》· {ev.section}"


def _days_said(days: int, approx: Approx | None) -> str:
    if approx is None:
        return f"{days}天"
    if approx.kind == "dates":
        return f"{days}天（{approx.said}）"
    if approx.kind == "range" and approx.high is not None:
        return f"{approx.said}（按{_num(approx.low)}–{_num(approx.high)}天算）"
    return f"{approx.said}（按{days}天算）"


def yuan(value: Decimal, unit: str = "元") -> str:
    """20000 → 20,000元; 1200.5 → 1,200.50元 (whole amounts without 分)."""
    return (f"{value:,.0f}" if value == value.to_integral_value() else money(value)) + unit


def _money_said(principal: Decimal, approx: Approx | None) -> str:
    if approx is None:
        return yuan(principal)
    if approx.kind == "range" and approx.high is not None:
        return f"{approx.said}（按{yuan(approx.low, '')}–{yuan(approx.high)}算）"
    return f"{approx.said}（按{yuan(principal)}算）"


def _num(value: Decimal) -> str:
    return f"{value.normalize():f}"


class Composer:
    """Builds :class:`Answer` objects; holds no per-request state."""

    def __init__(self, corpus: Corpus, settings: Settings) -> None:
        self.corpus = corpus
        self.settings = settings
        d = corpus.dialogue
        self.contacts = [Contact(**c.model_dump()) for c in d.contacts]
        self.crisis_contacts = [Contact(**c.model_dump()) for c in d.crisis_contacts]

    # ---- pieces -------------------------------------------------------------------------------
    def sources(self, intent: Intent, result: RetrievalResult | None, score: float | None) -> list[SourceRef]:
        refs = [SourceRef(id=intent.id, title=intent.title, kind="intent",
                          score=None if score is None else round(score, 4), label=intent_label(intent, self.corpus))]
        scores = result.evidence if result is not None else {}
        linked = sorted(self.corpus.evidence_for(intent.id), key=lambda e: -scores.get(e.id, 0.0))
        for ev in linked[:MAX_EVIDENCE_CITED]:
            s = scores.get(ev.id)
            refs.append(SourceRef(id=ev.id, title=ev.section, kind=ev.kind, score=None if s is None else round(s, 4),
                                  label=evidence_label(ev)))
        return refs

    def suggestions(self, result: RetrievalResult | None, exclude: set[str], first: Sequence[str] = ()) -> list[str]:
        """Next questions to offer: ``first``'s, the runner-up intents', then common questions."""
        ids = list(first) + ([h.id for h in result.hits] if result is not None else [])
        ids += list(self.corpus.dialogue.starter_suggestions)
        picks: list[str] = []
        for i in dict.fromkeys(ids):
            intent = self.corpus.get(i)
            if i in exclude or intent is None or intent.role == "handoff":
                continue
            picks.append(intent.questions[0])
        return picks[:self.settings.suggestions]

    def estimate(self, slots: Slots) -> tuple[PenaltyEstimate, PenaltyEstimate | None]:
        """The estimate at the stated (lower) values, and at the upper ones when a range was given."""
        assert slots.principal is not None and slots.days is not None
        s = self.settings
        low = calculate(slots.principal, slots.days, slots.daily_rate, s.default_daily_rate, s.penalty_markup)
        p_hi = slots.principal_approx.high if slots.principal_approx and slots.principal_approx.kind == "range" else None
        d_hi = slots.days_approx.high if slots.days_approx and slots.days_approx.kind == "range" else None
        if p_hi is None and d_hi is None:
            return low, None
        high = calculate(p_hi or slots.principal, int(d_hi or slots.days), slots.daily_rate, s.default_daily_rate,
                         s.penalty_markup)
        return low, high

    def estimate_text(self, decision: Decision, whole_loan: bool) -> tuple[str, list[str], PenaltyInfo]:
        """(lead sentence with the figure, detail lines, the API's penalty object)."""
        slots = decision.slots
        assert slots.principal is not None and slots.days is not None
        low, high = self.estimate(slots)
        figure = f"{money(low.amount)}元" if high is None else f"{money(low.amount)}–{money(high.amount)}元"
        amount_part = _money_said(slots.principal, slots.principal_approx)
        days_part = _days_said(slots.days, slots.days_approx)
        if decision.days_before is not None:
            days_part += f"（之前的{decision.days_before}天再加{slots.days - decision.days_before}天）"
        carried = [c for c in decision.carried if c in ("principal", "days")]
        if len(carried) == 1 and carried[0] == "principal":
            lead = f"沿用你刚才说的欠款{amount_part}，逾期{days_part}，罚息约{figure}（估算）。"
        elif len(carried) == 1:
            lead = f"沿用你刚才说的逾期{days_part}，欠款{amount_part}，罚息约{figure}（估算）。"
        elif carried:
            lead = f"按你刚才说的欠款{amount_part}、逾期{days_part}，罚息约{figure}（估算）。"
        else:
            lead = f"按你说的欠款{amount_part}、逾期{days_part}，罚息约{figure}（估算）。"
        lines = [f"计算：{low.formula}（罚息 = 逾期本金 × 日利率 × {low.markup.normalize()} × 逾期天数）"]
        per_day = (f"{money(low.per_day)}元" if high is None or high.per_day == low.per_day
                   else f"{money(low.per_day)}–{money(high.per_day)}元")
        growth = f"还清之前每多一天约多{per_day}。"
        # asked for the whole sum: principal plus penalty, the loan's normal interest apart
        sums = [e.principal + e.amount for e in (low, high) if e is not None] if decision.total else []
        if sums:
            total = "–".join(money(s) for s in sums) + "元"
            lead += f"连同本金约{total}（不含正常利息）。"
            lines.insert(1, f"还清合计：本金 + 罚息 = {total}（估算），合同约定的正常利息另计，以借呗账单为准。")
        if len(lead) + len(growth) <= LEAD_MAX_CHARS:
            # the figure's next question ("还会一直涨吗") answered where it is seen, not behind "展开"
            lead += growth
        else:
            lines.append(f"罚息按天累计：{growth}")
        if high is not None:
            lines.append(f"按上限算：{high.formula}")
        elif slots.days_approx and slots.days_approx.kind == "more":
            alt_days = slots.days + max(5, (slots.days // 30) * 10) if slots.days >= 10 else slots.days + 2
            alt = calculate(slots.principal, alt_days, slots.daily_rate, self.settings.default_daily_rate,
                            self.settings.penalty_markup)
            lines.append(f"按{slots.days}天估算；如果实际是{alt_days}天，约{money(alt.amount)}元。")
        elif slots.days_approx and slots.days_approx.kind == "almost":
            lines.append(f"按{slots.days}天估算；实际不到{slots.days}天的话会略少。")
        if slots.principal_approx and slots.principal_approx.kind == "more":
            lines.append(f"金额按{money(slots.principal)}元估算；实际多出的部分按同样比例增加。")
        if low.rate_assumed:
            lines.append(f"日利率按借呗常见的{percent(low.daily_rate)}假设；告诉我你的实际利率（如“日利率万分之四”或“年化14.6%”）可以重算。")
        elif slots.rate_basis == "annual":
            lines.append(f"日利率按你给的年化利率 ÷ 365 换算为{percent(low.daily_rate)}。")
        else:
            lines.append(f"日利率按你给的{percent(low.daily_rate)}计算。")
        if "daily_rate" in decision.carried:
            lines.append("（日利率沿用你刚才说的。）")
        if whole_loan:
            lines.append("只有已到期没还的那一期本金才计罚息；如果这是整笔借款，实际罚息会更少。")
        if not low.rate_assumed and low.annualized_rate > self.settings.annual_rate_warning:
            lines.append(f"按你给的利率，罚息折合年化约{percent(low.annualized_rate, 2)}：法院对金融借款年化超过"
                         f"{percent(self.settings.annual_rate_warning, 0)}的部分可以依借款人请求调减，"
                         "可以核对借款合同，或拨打12378咨询。")
        lines.append(f"{ESTIMATE_LABEL}；是否另收正常利息、是否计复利，各合同不同。")
        info = PenaltyInfo(**low.as_json(), amount_max=float(high.amount) if high else None,
                           principal_max=float(high.principal) if high and high.principal != low.principal else None,
                           days_max=high.days if high and high.days != low.days else None,
                           carried=list(decision.carried),
                           total=float(sums[0]) if sums else None,
                           total_max=float(sums[1]) if len(sums) > 1 else None)
        return lead, lines, info

    # ---- the reply ----------------------------------------------------------------------------
    def compose(self, decision: Decision, result: RetrievalResult | None, whole_loan: bool = False,
                also_result: RetrievalResult | None = None, repeated: bool = False) -> Answer:
        """The reply; ``also_result`` is the retrieval that found ``decision.also``, the message's other
        question; ``repeated``: the same entry answered the conversation's previous message."""
        answer = self._main(decision, result, whole_loan)
        bridge = self.corpus.dialogue.replies.repeated
        if (repeated and bridge and decision.kind is ReplyKind.ANSWER and not decision.estimate
                and decision.also is None and decision.act is DialogueAct.NONE
                and len(bridge) + len(answer.lead) <= LEAD_MAX_CHARS):
            answer = answer.model_copy(update={"lead": bridge + answer.lead, "answer": bridge + answer.answer})
        side = self.corpus.get(decision.also) if decision.also else None
        return answer if side is None else self._with_side(answer, side, also_result)

    def _with_side(self, answer: Answer, side: Intent, result: RetrievalResult | None) -> Answer:
        """The reply followed by the answer to the message's other question: its lead is shown under the
        reply's own lead (``also``), its explanation after the reply's details, and it is cited too."""
        score = _top_score(side, result)
        cited = {s.id for s in answer.sources}
        sources = answer.sources + [s for s in self.sources(side, result, score) if s.id not in cited]
        details = "\n\n".join(p for p in (answer.details, side.details) if p)
        text = "\n\n".join(p for p in (answer.lead, answer.details, side.lead, side.details) if p)
        return answer.model_copy(update={
            "also": [side.lead], "answer": text, "details": details, "sources": sources,
            "suggestions": [q for q in answer.suggestions if q not in side.questions],
            "contacts": answer.contacts or (self.contacts if side.role == "handoff" else []),
            "disclaimer": answer.disclaimer or (DISCLAIMER if side.advice else None)})

    def _main(self, decision: Decision, result: RetrievalResult | None, whole_loan: bool) -> Answer:
        d = self.corpus.dialogue
        kind = decision.kind
        intent = self.corpus.get(decision.intent) if decision.intent else None
        score = _top_score(intent, result) if intent is not None else None
        # the retrieval's own score of the entry answered, wherever it ranked (0 when it was not
        # matched, e.g. an estimate after a bare number); never the score of another entry
        confidence = next((h.score for h in result.hits if h.id == intent.id), 0.0) if intent and result else 0.0

        if decision.act in ABOUT_LAST_ANSWER and intent is not None:
            # "真的吗": the last answer's lead said again, affirmed, with where to check it; "为什么" and
            # "然后呢": the lead said again with the answer's explanation under it
            act = d.acts[decision.act.value]
            explained = [intent.details] if decision.act in (DialogueAct.WHY, DialogueAct.MORE) else []
            return self._answer(kind, act.lead + intent.lead, explained + [act.reply], confidence=0.0,
                                sources=self.sources(intent, None, None),
                                contacts=self.contacts if kind is ReplyKind.HANDOFF else [],
                                disclaimer=DISCLAIMER if intent.advice else None)
        if kind in (ReplyKind.CRISIS, ReplyKind.SMALLTALK):
            act = d.acts[decision.act.value]
            return self._answer(kind, act.lead, [act.reply], confidence=0.0,
                                contacts=self.crisis_contacts if kind is ReplyKind.CRISIS else [],
                                suggestions=[] if kind is ReplyKind.CRISIS else self.suggestions(None, set(), act.suggest))
        if kind is ReplyKind.HANDOFF:
            if intent is not None:
                return self._answer(kind, intent.lead, [intent.details], confidence=confidence,
                                    sources=self.sources(intent, result, score), contacts=self.contacts)
            act = d.acts["human"]
            return self._answer(kind, act.lead, [act.reply], confidence=0.0, contacts=self.contacts)
        if kind is ReplyKind.FALLBACK:
            scope = decision.scope or "unsure"
            text = {"unsure": d.replies.fallback, "chitchat": d.replies.fallback, "everyday": d.replies.everyday,
                    "not_overdue": d.replies.not_overdue, "other_product": d.replies.other_product}[scope]
            return self._answer(kind, text, [d.replies.handoff], confidence=0.0, fallback=True,
                                contacts=self.contacts, suggestions=self.suggestions(
                                    result if scope == "unsure" else None, set()))
        if kind is ReplyKind.REFUSE_VALUE:
            lead = "无法估算罚息：" + "；".join(decision.problems) + "。"
            details = ["请检查后重新告诉我欠款金额和逾期天数。"]
            if intent is not None:
                details.append(intent.lead)
            return self._answer(kind, lead, details, confidence=0.0,
                                sources=self.sources(intent, result, score) if intent else [])
        if kind is ReplyKind.ASK_VALUE:
            assert decision.asks_for is not None
            noted = self._noted(decision.slots)
            details = [noted] if noted else []
            if intent is not None:
                details.append(intent.lead)
            answer = self._answer(kind, ASK_TEXT[decision.asks_for], details, confidence=confidence,
                                  sources=self.sources(intent, result, score) if intent else [])
            return answer.model_copy(update={"asks_for": [decision.asks_for]})
        if kind is ReplyKind.PENALTY:
            lead, lines, info = self.estimate_text(decision, whole_loan)
            answer = self._answer(kind, lead, ["\n".join(lines)], confidence=confidence,
                                  sources=self.sources(intent, result, score) if intent else [],
                                  disclaimer=DISCLAIMER)
            return answer.model_copy(update={"penalty": info})
        # ANSWER
        assert intent is not None
        details = [intent.details]
        info = None
        if decision.estimate:
            est_lead, lines, info = self.estimate_text(decision, whole_loan)
            details.append("另外，" + est_lead + "\n" + lines[0])
        answer = self._answer(kind, intent.lead, details, confidence=confidence,
                              sources=self.sources(intent, result, score),
                              suggestions=self.suggestions(result, {intent.id}),
                              disclaimer=DISCLAIMER if intent.advice or info else None,
                              contacts=self.contacts if intent.role == "handoff" else [])
        return answer.model_copy(update={"penalty": info}) if info else answer

    def _noted(self, slots: Slots) -> str:
        parts = []
        if slots.principal is not None:
            parts.append(f"欠款{_money_said(slots.principal, slots.principal_approx)}")
        if slots.days is not None:
            parts.append(f"逾期{_days_said(slots.days, slots.days_approx)}")
        if slots.daily_rate is not None:
            parts.append(f"日利率{percent(slots.daily_rate)}")
        return "已记下：" + "、".join(parts) + "。" if parts else ""

    @staticmethod
    def _answer(kind: ReplyKind, lead: str, details: list[str], confidence: float, *, fallback: bool = False,
                sources: list[SourceRef] | None = None, suggestions: list[str] | None = None,
                contacts: list[Contact] | None = None, disclaimer: str | None = None) -> Answer:
        rest = "\n\n".join(p for p in details if p)
        return Answer(kind=kind, lead=lead, answer="\n\n".join(p for p in (lead, rest) if p), details=rest,
                      fallback=fallback, confidence=round(min(max(confidence, 0.0), 1.0), 4), sources=sources or [],
                      suggestions=suggestions or [], contacts=contacts or [], disclaimer=disclaimer)
