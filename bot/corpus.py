"""Knowledge data: the schema and a loader that validates YAML with clear errors.

The knowledge base is intent-first. ``corpus/intents/*.yaml`` holds one entry per thing users
ask, written for a chat bubble; ``corpus/evidence/*.yaml`` holds the seed article's paragraphs and
reader comments as evidence linked to the intents they support; ``corpus/facts.yaml`` the vetted
facts every answer cites; ``corpus/out_of_scope.yaml`` what the bot deliberately does not answer;
``corpus/dialogue.yaml`` the dialogue acts and fixed replies. A mistake in any of them is reported
with the file, the item and the field, so a content editor can fix it without reading code.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

logger = logging.getLogger(__name__)

ID_PATTERN = r"^[a-z][a-z0-9-]{1,63}$"
LEAD_MAX_CHARS = 80
_CJK_GAP = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")

Role = Literal["penalty", "handoff"]
Scope = Literal["everyday", "not_overdue", "other_product", "chitchat"]
ActName = Literal["crisis", "human", "greeting", "thanks", "goodbye", "ack", "identity", "reset", "confirm", "why", "more", "unhelpful",
                  "worry", "repaid"]


M = TypeVar("M", bound=BaseModel)
_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: several times faster


class _Loader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """Safe loading that rejects a key given twice in one mapping: YAML would keep the last one
    silently, so a second ``follow_up_context`` in an entry hid the first."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str):
                if key in seen:
                    raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


_LOADER = _Loader


class CorpusError(ValueError):
    """The knowledge data is malformed; the message names the file and the field."""


def fold_text(text: str) -> str:
    """YAML folding joins lines with a space; Chinese needs none, Latin words keep theirs."""
    return _CJK_GAP.sub("", " ".join(text.split()))


def _clean_list(items: tuple[str, ...]) -> tuple[str, ...]:
    cleaned = tuple(" ".join(i.split()) for i in items)
    if any(not i for i in cleaned):
        raise ValueError("must not contain empty strings")
    if len(set(cleaned)) != len(cleaned):
        raise ValueError("must not contain duplicates")
    return cleaned


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _joined(value: object) -> object:
    """A regular expression field may be written as a list in the YAML, one group of alternatives per
    line so that a long one can be read: the items joined with ``|``, which is the same regular
    expression as the one line. Anything else is left for the field's own validation.

    Patterns that other word lists are expanded into (``{late}``) are checked to compile once, after
    expansion (:func:`_expand`): compiling them here too doubled the corpus's load time."""
    if isinstance(value, list | tuple):
        if not value or not all(isinstance(i, str) and i for i in value):
            raise ValueError("a pattern written as a list needs non-empty strings")
        value = "|".join(value)
    return value


def _pattern(value: object) -> object:
    """A regular expression field used as written (joined from a list as :func:`_joined` does),
    checked to compile."""
    value = _joined(value)
    if isinstance(value, str):
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None
    return value


class Fact(_Strict):
    """One vetted fact; ``basis`` is the citation users see."""

    id: str = Field(pattern=ID_PATTERN)
    confidence: Literal["firm", "likely", "unknown"]
    statement: str = Field(min_length=4)
    basis: str = Field(min_length=2)


class Intent(_Strict):
    """One thing users ask, answered for a chat bubble: the lead answers, the rest explains."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=2, max_length=60)
    role: Role | None = None
    lead: str = Field(min_length=4, max_length=LEAD_MAX_CHARS)
    answer: str = Field(min_length=4, max_length=600)
    more: str | None = Field(None, max_length=600)
    questions: tuple[str, ...] = Field(min_length=3, max_length=150)
    facts: tuple[str, ...] = Field(min_length=1)
    tags: tuple[str, ...] = Field(min_length=1)
    advice: bool = False
    cues: str | None = None
    """A regular expression the message must match for this intent to answer it (words of being
    late, owing or a record); without one, a close match is an everyday question and falls back."""

    late_cued: bool = Field(False, exclude=True)
    """Set at load: ``cues`` names the dialogue's words of being late ({late}), so a message whose
    dates show it was late ("15号到期 16号才还") has this intent's cue words as well."""

    prefer: str | None = None
    """A regular expression of words that single this intent out (已经还了…还显示逾期): when the message
    has them and the intent is among the confident candidates, it answers ahead of the top one.
    ``{cue}`` stands for the intent's own ``cues``, so a prefer that narrows them need not repeat them."""

    follow_up_context: str | None = Field(None, min_length=2, max_length=30)
    """How a short follow-up right after this answer is read, when the user's situation is not the
    dialogue's default ("借呗逾期了，"): after "repaid but still shown overdue", "还是没变怎么办" is
    about a debt already repaid, not one still to repay."""

    procedure_context: str | None = Field(None, min_length=2, max_length=30)
    """For an entry about applying for something (a waiver, a dispute, a settlement proof): how a
    short question about applying ("怎么申请", "要多久", "需要什么材料"; the dialogue's
    ``procedure_questions``) right after this answer is read. The entry itself may then answer it,
    though the question alone is close to nothing in particular."""

    product_follow_up: bool = False
    """In a conversation about an overdue 借呗, a short question that names only another product and
    no lateness of its own ("那花呗还能用吗", "信用卡还能办吗") asks what the overdue 借呗 does to it:
    read in that conversation, this entry may answer it (other such questions, and "那花呗呢", still
    fall back)."""

    _patterns = field_validator("cues", "prefer", mode="before")(_joined)  # compiled once expanded

    @field_validator("questions", "tags", "facts")
    @classmethod
    def _lists(cls, items: tuple[str, ...]) -> tuple[str, ...]:
        return _clean_list(items)

    @field_validator("lead", "answer", "more")
    @classmethod
    def _fold(cls, text: str | None) -> str | None:
        return None if text is None else fold_text(text)

    @property
    def details(self) -> str:
        """Everything after the lead: the short explanation, then the details."""
        return "\n\n".join(p for p in (self.answer, self.more) if p)

    @property
    def text(self) -> str:
        """The whole reply: lead, explanation, details."""
        return "\n\n".join(p for p in (self.lead, self.answer, self.more) if p)


class Evidence(_Strict):
    """A paragraph group of the seed article or a reader comment, linked to the intents it supports.

    ``corrections`` are for maintainers only: where the source contradicts the vetted facts.
    """

    id: str = Field(pattern=ID_PATTERN)
    kind: Literal["article", "comment"]
    section: str = Field(min_length=1)
    author: str | None = None
    date: str | None = None
    paragraphs: tuple[int, ...] = Field(min_length=1)
    text: str = Field(min_length=4)
    supports: tuple[str, ...] = Field(min_length=1)
    corrections: tuple[str, ...] = ()

    @field_validator("text")
    @classmethod
    def _fold(cls, text: str) -> str:
        return fold_text(text)


class OutOfScope(_Strict):
    """A topic the bot does not answer, described by example phrasings."""

    label: str = Field(min_length=1)
    scope: Scope
    questions: tuple[str, ...] = Field(min_length=1)
    mentions: tuple[str, ...] = ()


class Contact(_Strict):
    """A phone number offered to the user (rendered as a tel: link by the widget)."""

    name: str
    number: str = Field(pattern=r"^[0-9]{3,12}$")
    note: str | None = None


class Act(_Strict):
    """A dialogue act: the patterns that recognise it and the reply (lead first)."""

    patterns: tuple[str, ...] = Field(min_length=1)
    lead: str = Field(min_length=1, max_length=LEAD_MAX_CHARS)
    reply: str = Field(min_length=1)
    suggest: tuple[str, ...] = ()
    """Intent ids whose questions are offered after this reply, before the common ones."""

    @field_validator("reply")
    @classmethod
    def _fold(cls, text: str) -> str:
        return fold_text(text)

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for p in patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {p!r}: {exc}") from None
        return patterns


class Replies(_Strict):
    fallback: str
    not_overdue: str
    other_product: str
    everyday: str
    handoff: str
    repeated: str | None = Field(None, max_length=20)
    """Put before an answer given again right after itself ("能晚几天吗" after the postpone answer), so the
    user sees the question was taken as the same one, not a bot going round in circles."""

    @field_validator("*")
    @classmethod
    def _fold(cls, text: str | None) -> str | None:
        return None if text is None else fold_text(text)


class Dialogue(_Strict):
    """Acts recognised before retrieval, fixed replies and help contacts."""

    _patterns = field_validator("broke_cues", "missed_cues", "shortfall_cues", "due_soon_cues",
                                "later_money_cues", "holiday_cues", "refused_cues", "family_words", "procedure_questions",
                                mode="before")(_pattern)
    _expanded = field_validator("late_cues", "overdue_cues", mode="before")(_joined)  # compiled once expanded

    contacts: tuple[Contact, ...] = Field(min_length=1)
    crisis_contacts: tuple[Contact, ...] = Field(min_length=1)
    acts: dict[ActName, Act]
    replies: Replies
    broke_cues: str = Field(min_length=1)
    """Words of having no money of one's own to repay (没钱还, 我现在没钱), not of 借呗 having none to lend
    (借呗里没钱, 没钱借); other patterns say ``{broke}``."""
    missed_cues: str = Field(min_length=1)
    """Words of a repayment missed or not made (没能还, 还款日后两天才还, 记错还款日, no automatic deduction),
    as plain in everyday talk as in talk of being overdue; ``late_cues`` and ``overdue_cues`` say ``{missed}``."""
    late_cues: str = Field(min_length=1)
    """Words of having repaid late or not at all (a regular expression); other patterns say ``{late}``."""
    shortfall_cues: str = Field(min_length=1)
    """Words of having less money than is due (还差两千, 只有一半, 钱不够); other patterns say ``{short}``."""
    due_soon_cues: str = Field(min_length=1)
    """Words that the due date is today or still to come (明天就到期了): nothing is overdue yet; other
    patterns say ``{due_soon}``."""
    later_money_cues: str = Field(min_length=1)
    """Words that the money comes only after the due date (20号才有钱, 后天才有钱还): asking to repay later;
    other patterns say ``{later_money}``."""
    holiday_cues: str = Field(min_length=1)
    """Words asking to repay after the weekend or holiday the due date falls on (节假日能顺延吗, 周末到期
    周一还行吗): a delay asked for, however it is put; other patterns say ``{holiday}``."""
    refused_cues: str = Field(min_length=1)
    """Words that a delay, instalments or a repayment plan was asked for and refused (客服不同意, 延期被拒,
    协商不成功); other patterns say ``{refused}``."""
    family_words: str = Field(min_length=1)
    """The user's family members (家人, 父母, 老婆 …), in questions about them; other patterns say
    ``{family}``."""
    overdue_cues: str = Field(min_length=1)
    """Words of being overdue or of its consequences (a regular expression)."""
    starter_suggestions: tuple[str, ...] = Field(min_length=1)
    """Intent ids whose first phrasing is offered as a suggestion when nothing closer is known."""
    follow_up_context: str | None = None
    """Put before a short follow-up ("会被起诉吗") that names no product, in a conversation that has
    had an answer, so it is read as being about an overdue 借呗; None turns this off."""
    procedure_questions: str = Field(min_length=1)
    """Questions about applying for something (怎么申请, 要多久, 需要什么材料, 收费吗): after an entry
    with a ``procedure_context``, a short one is read in it."""


@dataclass(frozen=True)
class Corpus:
    """The whole knowledge base, cross-checked, with a content hash for cache keys."""

    intents: tuple[Intent, ...]
    evidence: tuple[Evidence, ...]
    facts: tuple[Fact, ...]
    out_of_scope: tuple[OutOfScope, ...]
    dialogue: Dialogue
    _by_id: dict[str, Intent] = field(default_factory=dict, repr=False, compare=False)
    _evidence_by_id: dict[str, Evidence] = field(default_factory=dict, repr=False, compare=False)
    _facts_by_id: dict[str, Fact] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({i.id: i for i in self.intents})
        self._evidence_by_id.update({e.id: e for e in self.evidence})
        self._facts_by_id.update({f.id: f for f in self.facts})

    @property
    def entries(self) -> tuple[Intent, ...]:
        return self.intents

    def get(self, intent_id: str) -> Intent | None:
        return self._by_id.get(intent_id)

    def get_evidence(self, evidence_id: str) -> Evidence | None:
        return self._evidence_by_id.get(evidence_id)

    def fact(self, fact_id: str) -> Fact:
        return self._facts_by_id[fact_id]

    def by_role(self, role: Role) -> Intent | None:
        """The intent that plays ``role`` (the penalty calculator's entry, the human handoff)."""
        return next((i for i in self.intents if i.role == role), None)

    def evidence_for(self, intent_id: str) -> list[Evidence]:
        """Evidence linked to an intent, in corpus order."""
        return [e for e in self.evidence if intent_id in e.supports]

    @property
    def fingerprint(self) -> str:
        """sha256 over the validated content: changes whenever anything changes."""
        payload = json.dumps([[m.model_dump(mode="json") for m in group] for group in
                              (self.intents, self.evidence, self.facts, self.out_of_scope)]
                             + [self.dialogue.model_dump(mode="json")], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _read_yaml(path: Path, expect: type) -> object:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path}: invalid YAML: {exc}") from exc
    if data is None:
        return expect()
    if not isinstance(data, expect):
        raise CorpusError(f"{path}: expected a {expect.__name__} at the top level, got {type(data).__name__}")
    return data


def _describe(exc: ValidationError, path: Path, label: str) -> str:
    lines = [f"{path}: {label}:"]
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(item)"
        lines.append(f"  field '{where}': {err['msg']}")
    return "\n".join(lines)


def _validate(model: type[M], raw: object, path: Path, index: int | None = None) -> M:
    name = (raw.get("id") or raw.get("label")) if isinstance(raw, dict) else None
    label = "content" if index is None else f"item {index}" + (f" ({name})" if name else "")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise CorpusError(_describe(exc, path, label)) from None


def _load_list(model: type[M], paths: Iterable[Path]) -> list[tuple[Path, int, M]]:
    out: list[tuple[Path, int, M]] = []
    for path in paths:
        for i, raw in enumerate(_read_yaml(path, list), 1):  # type: ignore[arg-type]
            out.append((path, i, _validate(model, raw, path, i)))
    return out


def _unique_ids(items: list[tuple[Path, int, Intent]] | list[tuple[Path, int, Evidence]], seen: dict[str, Path]) -> None:
    for path, i, item in items:
        if item.id in seen:
            raise CorpusError(f"{path}: item {i}: field 'id': duplicate id {item.id!r} (first in {seen[item.id]})")
        seen[item.id] = path


def _expand(pattern: str, shared: dict[str, str], path: Path, where: str) -> str:
    """``pattern`` with each ``{name}`` of ``shared`` standing for the word list of that name (``{late}``,
    ``{short}``, ``{due_soon}``, ``{missed}``, ``{broke}``, ``{later_money}``, ``{refused}``, ``{holiday}``
    from the dialogue, ``{other}`` the other products named in out_of_scope.yaml), checked to compile."""
    expanded = pattern
    for name, words in shared.items():
        expanded = expanded.replace(f"{{{name}}}", words)
    try:
        re.compile(expanded)
    except re.error as exc:
        raise CorpusError(f"{path}: {where}: invalid regular expression after expanding "
                          f"{', '.join('{' + n + '}' for n in shared)}: {exc}") from None
    return expanded


def _expand_intent(intent: Intent, shared: dict[str, str], path: Path) -> Intent:
    """``intent`` with its patterns expanded: the shared word lists in ``cues`` and ``prefer``, and
    ``{cue}`` in ``prefer`` standing for the expanded ``cues``."""
    where = f"{intent.id}: field '{{}}'"
    if "{cue}" in (intent.cues or ""):
        raise CorpusError(f"{path}: {where.format('cues')}: {{cue}} may appear only in 'prefer'")
    cues = _expand(intent.cues, shared, path, where.format("cues")) if intent.cues else None
    prefer = intent.prefer
    if prefer and "{cue}" in prefer:
        if cues is None:
            raise CorpusError(f"{path}: {where.format('prefer')}: {{cue}} needs the intent's 'cues'")
        prefer = prefer.replace("{cue}", f"(?:{cues})")
    if prefer:
        prefer = _expand(prefer, shared, path, where.format("prefer"))
    return intent.model_copy(update={"late_cued": "{late}" in (intent.cues or ""), "cues": cues, "prefer": prefer})


def load_corpus(corpus_dir: Path) -> Corpus:
    """Load, validate and cross-check the knowledge base under ``corpus_dir``.

    Raises:
        CorpusError: a file is missing, unreadable or has an invalid field, ids repeat, or a
            reference (fact, supported intent, role) points nowhere.
    """
    intent_files = sorted((corpus_dir / "intents").glob("*.yaml"))
    if not intent_files:
        raise CorpusError(f"{corpus_dir / 'intents'}: no *.yaml intent files found")
    facts_path = corpus_dir / "facts.yaml"
    dialogue_path = corpus_dir / "dialogue.yaml"
    for required in (facts_path, dialogue_path):
        if not required.is_file():
            raise CorpusError(f"{required}: file missing")
    facts = _load_list(Fact, [facts_path])
    fact_ids = {f.id for _, _, f in facts}
    intents = _load_list(Intent, intent_files)
    evidence = _load_list(Evidence, sorted((corpus_dir / "evidence").glob("*.yaml")))
    seen: dict[str, Path] = {}
    _unique_ids(intents, seen)
    _unique_ids(evidence, seen)
    for path, i, intent in intents:
        missing = [f for f in intent.facts if f not in fact_ids]
        if missing:
            raise CorpusError(f"{path}: item {i} ({intent.id}): field 'facts': unknown fact ids {missing}")
    intent_ids = {it.id for _, _, it in intents}
    for path, i, ev in evidence:
        missing = [s for s in ev.supports if s not in intent_ids]
        if missing:
            raise CorpusError(f"{path}: item {i} ({ev.id}): field 'supports': unknown intent ids {missing}")
    roles = [it.role for _, _, it in intents if it.role]
    if len(roles) != len(set(roles)):
        raise CorpusError(f"{corpus_dir / 'intents'}: field 'role': each role may be played by one intent only")
    oos_path = corpus_dir / "out_of_scope.yaml"
    out_of_scope = [o for _, _, o in _load_list(OutOfScope, [oos_path])] if oos_path.exists() else []
    dialogue = _validate(Dialogue, _read_yaml(dialogue_path, dict), dialogue_path)
    unknown = [i for i in dialogue.starter_suggestions if i not in intent_ids]
    if unknown:
        raise CorpusError(f"{dialogue_path}: field 'starter_suggestions': unknown intent ids {unknown}")
    for name, act in dialogue.acts.items():
        unknown = [i for i in act.suggest if i not in intent_ids]
        if unknown:
            raise CorpusError(f"{dialogue_path}: acts: {name}: field 'suggest': unknown intent ids {unknown}")
    # the other products' names, written once in out_of_scope.yaml, for patterns about them ({other})
    others = [re.escape(m) for o in out_of_scope if o.scope == "other_product" for m in o.mentions]
    missed = {"missed": f"(?:{dialogue.missed_cues})"}
    late = _expand(dialogue.late_cues, missed, dialogue_path, "late_cues")
    shared = {**missed, "late": f"(?:{late})", "short": f"(?:{dialogue.shortfall_cues})",
              "due_soon": f"(?:{dialogue.due_soon_cues})", "broke": f"(?:{dialogue.broke_cues})",
              "later_money": f"(?:{dialogue.later_money_cues})",
              "refused": f"(?:{dialogue.refused_cues})", "holiday": f"(?:{dialogue.holiday_cues})",
              "family": f"(?:{dialogue.family_words})",
              "other": f"(?:{'|'.join(others)})" if others else "(?!)"}
    dialogue = dialogue.model_copy(update={"late_cues": late,
                                           "overdue_cues": _expand(dialogue.overdue_cues, shared, dialogue_path,
                                                                   "overdue_cues")})
    expanded = [_expand_intent(it, shared, path) for path, _, it in intents]
    corpus = Corpus(tuple(expanded), tuple(e for _, _, e in evidence),
                    tuple(f for _, _, f in facts), tuple(out_of_scope), dialogue)
    logger.info("corpus loaded", extra={"intents": len(corpus.intents), "evidence": len(corpus.evidence),
                                        "out_of_scope": len(out_of_scope)})
    return corpus
