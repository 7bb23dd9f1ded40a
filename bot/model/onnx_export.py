"""One-time ONNX export of a local sentence-transformers folder, for the faster ONNX Runtime backend.

sentence-transformers exports a missing ``onnx/model.onnx`` on load but keeps it in memory only;
this saves it next to the weights (via a temporary folder, then an atomic rename), so every later
start loads it directly. The export computes the same function (cosine ≈ 1.0 with PyTorch).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

ONNX_FILE = Path("onnx") / "model.onnx"


def has_onnx(folder: Path) -> bool:
    return (folder / ONNX_FILE).is_file()


def export_onnx(folder: Path) -> Path:
    """Write ``folder/onnx/model.onnx`` for the model in ``folder`` (about 20 s on 2 cores)."""
    from sentence_transformers import SentenceTransformer

    logger.warning("exporting %s to ONNX (one time, about 20 s)", folder)
    model = SentenceTransformer(str(folder), device="cpu", backend="onnx", local_files_only=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        model[0].auto_model.save_pretrained(tmp)
        exported = next(Path(tmp).rglob("model.onnx"))
        target = folder / ONNX_FILE
        target.parent.mkdir(exist_ok=True)
        partial = target.with_suffix(".partial")
        shutil.move(str(exported), partial)
        for extra in exported.parent.glob("model.onnx_data"):
            shutil.move(str(extra), target.parent / extra.name)
        partial.replace(target)
    return folder / ONNX_FILE
