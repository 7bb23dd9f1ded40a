"""Verified vector files and the per-unit embedding cache.

Every array written to the cache has a sidecar with its shape, dtype and sha256; a file that is
truncated, of the wrong shape or with other values than it was written with is reported and
rebuilt, never served. Corpus embeddings are cached per unit (one phrasing, title or passage,
keyed by the hash of its prompted text) and per encoder, so editing one entry re-encodes only
what changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)


def digest(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def save_verified(path: Path, array: np.ndarray, extra: dict | None = None) -> None:
    """Write ``array`` and a sidecar with its shape, dtype and sha256 (each atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, array)
    meta, meta_tmp = path.with_suffix(".json"), path.with_suffix(".tmp.json")
    meta_tmp.write_text(json.dumps({"shape": list(array.shape), "dtype": str(array.dtype), "sha256": digest(array),
                                    **(extra or {})}), encoding="utf-8")
    tmp.replace(path)
    meta_tmp.replace(meta)


def load_verified(path: Path, shape: tuple[int, ...] | None = None, mmap: bool = False) -> tuple[np.ndarray, dict] | None:
    """(array, sidecar) or None, with a warning, when the file is missing, damaged or not what was written."""
    if not path.is_file():
        return None
    problem = None
    try:
        info = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        array = np.load(path, allow_pickle=False, mmap_mode="r" if mmap else None)
        if tuple(info["shape"]) != array.shape or (shape is not None and array.shape != shape):
            problem = f"shape {array.shape}, expected {shape or tuple(info['shape'])}"
        elif str(array.dtype) != info["dtype"]:
            problem = f"dtype {array.dtype}"
        elif digest(array) != info["sha256"]:
            problem = "checksum mismatch"
    except (OSError, ValueError, KeyError, TypeError, EOFError) as exc:
        problem = f"unreadable ({type(exc).__name__})"
    if problem is None:
        return array, info
    logger.warning("cache file %s is damaged (%s): rebuilding it", path.name, problem)
    return None


def unit_key(prompted_text: str) -> str:
    return hashlib.sha256(prompted_text.encode("utf-8")).hexdigest()[:24]


class UnitCache:
    """Embeddings of text units for one encoder: a verified matrix plus the key of each row."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "units.npy"

    def embed(self, texts: Sequence[str], encode: Callable[[list[str]], np.ndarray], dim: int) -> np.ndarray:
        """Vectors for the prompted ``texts``: cached rows are reused, only the rest is encoded; the cache
        is rewritten to hold exactly these units."""
        keys = [unit_key(t) for t in texts]
        cached: dict[str, int] = {}
        old = load_verified(self.path)
        if old is not None and old[0].ndim == 2 and old[0].shape[1] == dim and len(old[1].get("keys", [])) == len(old[0]):
            cached = {k: i for i, k in enumerate(old[1]["keys"])}
        missing = sorted({i for i, k in enumerate(keys) if k not in cached}, key=keys.__getitem__)
        missing_texts = list(dict.fromkeys(texts[i] for i in missing))
        fresh = encode(missing_texts) if missing_texts else np.zeros((0, dim), np.float32)
        fresh_row = {unit_key(t): i for i, t in enumerate(missing_texts)}
        out = np.empty((len(texts), dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = fresh[fresh_row[k]] if k in fresh_row else old[0][cached[k]]  # type: ignore[index]
        if missing_texts or old is None or list(old[1].get("keys", [])) != keys:
            save_verified(self.path, out, {"keys": keys})
        if missing_texts:
            logger.info("encoded %d new units (%d reused from the cache)", len(missing_texts), len(texts) - len(missing))
        return out
