"""Knowledge entries: the schema and a loader that validates YAML with clear errors.

Entries live in ``corpus/entries/*.yaml`` (a list of entries per file) and the topics the bot
deliberately does not answer in ``corpus/out_of_scope.yaml``. A mistake in either is reported
with the file, the entry and the field, so a content editor can fix it without reading code.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

logger = logging.getLogger(__name__)

ID_PATTERN = r"^[a-z][a-z0-9-]{1,63}$"
_CJK_GAP = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")


class CorpusError(ValueError):
    """The knowledge data is malformed; the message names the file and the field."""


class Source(BaseModel):
    """Where an entry's content comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    section: str = Field(min_length=1)
    author: str | None = None
    date: str | None = None
    paragraphs: tuple[int, ...] = ()
    facts: tuple[str, ...] = ()


class Entry(BaseModel):
    """One knowledge entry: what the bot may say about one topic, and how users ask about it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=2, max_length=60)
    kind: Literal["article", "comment", "faq"]
    answer: str = Field(min_length=10, max_length=1200)
    correction: str | None = None
    questions: tuple[str, ...] = Field(min_length=3, max_length=8)
    source: Source
    tags: tuple[str, ...] = Field(min_length=1)
    advice: bool = False

    @field_validator("questions", "tags")
    @classmethod
    def _no_blank_items(cls, items: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(" ".join(i.split()) for i in items)
        if any(not i for i in cleaned):
            raise ValueError("must not contain empty strings")
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("must not contain duplicates")
        return cleaned

    @field_validator("answer", "correction")
    @classmethod
    def _fold_lines(cls, text: str | None) -> str | None:
        # YAML folding joins lines with a space; Chinese needs none, Latin words keep theirs.
        return None if text is None else _CJK_GAP.sub("", " ".join(text.split()))

    def search_text(self) -> str:
        """Text that sparse retrieval indexes: title, phrasings and answer."""
        return "\n".join((self.title, *self.questions, self.answer))


class OutOfScope(BaseModel):
    """A topic the bot does not answer, described by example phrasings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1)
    questions: tuple[str, ...] = Field(min_length=1)
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Corpus:
    """All entries and out-of-scope topics, with a content hash for cache keys."""

    entries: tuple[Entry, ...]
    out_of_scope: tuple[OutOfScope, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {e.id: e for e in self.entries})

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)  # type: ignore[attr-defined]

    @property
    def fingerprint(self) -> str:
        """sha256 over the validated content: changes whenever an entry changes."""
        payload = json.dumps([[e.model_dump(mode="json") for e in self.entries],
                              [o.model_dump(mode="json") for o in self.out_of_scope]],
                             ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _read_yaml_list(path: Path) -> list[object]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not valid UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path}: invalid YAML: {exc}") from exc
    if data is None:
        return []
    if not isinstance(data, list):
        raise CorpusError(f"{path}: expected a list of entries at the top level, got {type(data).__name__}")
    return data


def _describe(exc: ValidationError, path: Path, label: str) -> str:
    lines = [f"{path}: {label}:"]
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(entry)"
        lines.append(f"  field '{where}': {err['msg']}")
    return "\n".join(lines)


def _validate(model: type[BaseModel], raw: object, path: Path, index: int) -> BaseModel:
    name = raw.get("id") or raw.get("label") if isinstance(raw, dict) else None
    label = f"item {index}" + (f" ({name})" if name else "")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise CorpusError(_describe(exc, path, label)) from None


def load_corpus(corpus_dir: Path) -> Corpus:
    """Load and validate ``entries/*.yaml`` and ``out_of_scope.yaml`` under ``corpus_dir``.

    Raises:
        CorpusError: a file is missing, unreadable or has an invalid field, or ids repeat.
    """
    entry_dir = corpus_dir / "entries"
    files = sorted(entry_dir.glob("*.yaml"))
    if not files:
        raise CorpusError(f"{entry_dir}: no *.yaml entry files found")
    entries: list[Entry] = []
    seen: dict[str, Path] = {}
    for path in files:
        for i, raw in enumerate(_read_yaml_list(path), 1):
            entry = _validate(Entry, raw, path, i)
            assert isinstance(entry, Entry)
            if entry.id in seen:
                raise CorpusError(f"{path}: item {i}: field 'id': duplicate id {entry.id!r} (first in {seen[entry.id]})")
            seen[entry.id] = path
            entries.append(entry)
    oos_path = corpus_dir / "out_of_scope.yaml"
    out_of_scope = tuple(_validate(OutOfScope, raw, oos_path, i)  # type: ignore[misc]
                         for i, raw in enumerate(_read_yaml_list(oos_path), 1)) if oos_path.exists() else ()
    logger.info("corpus loaded", extra={"entries": len(entries), "out_of_scope": len(out_of_scope)})
    return Corpus(tuple(entries), out_of_scope)  # type: ignore[arg-type]
