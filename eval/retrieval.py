"""Retrieval-only metrics per mode are computed in :mod:`eval.answers`; this module keeps the mode list."""

from __future__ import annotations

from bot.retrieve.hybrid import Mode

MODES: tuple[Mode, ...] = ("bm25", "dense", "hybrid")
