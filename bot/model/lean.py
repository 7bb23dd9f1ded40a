"""Lean serving artefacts: a vocabulary cut to what users write, and an int8 encoder.

multilingual-e5-small's XLM-R vocabulary has 250k pieces for a hundred languages; the tokenizer
holding them costs about 290 MB of memory and the embedding matrix is 80% of the weights. This bot
reads Chinese, Latin letters, digits, punctuation and emoji. A Unigram tokenizer only ever picks
pieces that occur in the text, so dropping every piece that contains a character outside those
scripts changes nothing for text written in them: the same pieces, the same vectors (checked by a
test). Characters outside them were already unknown to most pieces and now read as ``<unk>``.

Of what is left, 95k pieces are words of the many languages written in Latin letters; loading them
is most of the tokenizer's start-up time (a quarter of a second of a one-second cold start). Only
the most probable ``LATIN_WORDS_KEPT`` of them (English and pinyin words such as app, ok, pay) and
short capitals (APP, VIP, QQ) stay: Chinese text keeps every piece, and a rarer Latin word is
spelt from shorter pieces that are all still there.

From the pruned fp32 graph, ONNX Runtime's dynamic quantization writes an int8 model (weights of
the matrix multiplications and the embedding table in int8): four times smaller, about twice as
fast on a CPU. Which one serves is ``JIEBEI_EMBED_PRECISION``; the evaluation compares both.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

logger = logging.getLogger(__name__)

LEAN_DIR = "lean"
PRECISIONS = ("int8", "fp32")
MANIFEST = "manifest.json"
LEAN_FORMAT = 4
"""Bumped whenever ``build_lean`` changes what it writes (2: int8 weights quantised per channel;
3: rare Latin-script words dropped; 4: 7-bit weights, the same vectors on every x86 CPU), so ``prepare``
rebuilds older artefacts and serving does not load them."""
LATIN_WORDS_KEPT = 20_000
"""Multi-letter Latin-script pieces kept, the most probable first (by the Unigram model's own scores)."""
SHORT_CAPITALS = 4
"""Capital-letter pieces up to this length are kept whatever their score: APP, VIP, QQ, ID."""
# Unicode blocks kept: ASCII, Latin-1, general punctuation and symbols, CJK (with extensions and
# compatibility forms), bopomofo, full-width forms, emoji, and SentencePiece's word marker.
KEEP_RANGES = ((0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2100, 0x21FF), (0x2460, 0x24FF),
               (0x2581, 0x2581), (0x25A0, 0x27BF), (0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3100, 0x312F),
               (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
               (0x1F300, 0x1FAFF), (0x20000, 0x2FFFF))


def in_kept_scripts(text: str) -> bool:
    return all(any(lo <= ord(ch) <= hi for lo, hi in KEEP_RANGES) for ch in text)


def _word(piece: str) -> str:
    return piece.replace("\u2581", "")


def _latin_word(piece: str) -> bool:
    word = _word(piece)
    return len(word) >= 2 and any(ch.isalpha() and ord(ch) < 0x100 for ch in word)


def lean_keep(vocab: list[list], always: Iterable[str] = (), latin_words: int = LATIN_WORDS_KEPT) -> Callable[[str], bool]:
    """Which pieces a lean tokenizer keeps: the kept scripts, minus all but the most probable Latin words.

    ``always``: pieces kept whatever their rank, such as those of the model's prompts ("query: ",
    "passage: "), which begin every text the model embeds.
    """
    scores = {p: s for p, s in vocab}
    ranked = sorted((p for p in scores if _latin_word(p) and in_kept_scripts(p)), key=lambda p: -scores[p])
    common = set(ranked[:latin_words]) | set(always)

    def keep(piece: str) -> bool:
        if not in_kept_scripts(piece):
            return False
        if not _latin_word(piece) or piece in common:
            return True
        word = _word(piece)
        return len(word) <= SHORT_CAPITALS and word.isascii() and word.isupper()

    return keep


def prompt_pieces(folder: Path) -> set[str]:
    """The pieces the full tokenizer cuts the model's prompts into (from its sentence-transformers config)."""
    from tokenizers import Tokenizer

    config = folder / "config_sentence_transformers.json"
    prompts = json.loads(config.read_text(encoding="utf-8")).get("prompts", {}) if config.is_file() else {}
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    return {piece for text in prompts.values() if text for piece in tokenizer.encode(text, add_special_tokens=False).tokens}


def prune_unigram(tokenizer: dict, keep: Callable[[str], bool] = in_kept_scripts) -> tuple[dict, list[int]]:
    """A copy of a Unigram ``tokenizer.json`` without the pieces ``keep`` rejects, and the kept old ids.

    Special tokens (the first ids, and every added token) are always kept; ids are renumbered in
    order, so the first ids (``<s>``, ``<pad>``, ``</s>``, ``<unk>``) stay where they were.
    """
    model = tokenizer["model"]
    if model.get("type") != "Unigram":
        raise ValueError(f"only Unigram tokenizers can be pruned, not {model.get('type')}")
    special = {t["id"] for t in tokenizer.get("added_tokens", []) if t.get("special")}
    kept = [i for i, (piece, _) in enumerate(model["vocab"]) if i in special or keep(piece)]
    new_id = {old: new for new, old in enumerate(kept)}
    out = json.loads(json.dumps(tokenizer))
    out["model"]["vocab"] = [model["vocab"][i] for i in kept]
    out["model"]["unk_id"] = new_id[model["unk_id"]]
    out["added_tokens"] = [dict(t, id=new_id[t["id"]]) for t in tokenizer.get("added_tokens", []) if t["id"] in new_id]
    post = out.get("post_processor") or {}
    for token in (post.get("special_tokens") or {}).values():
        token["ids"] = [new_id[i] for i in token["ids"]]
    return out, kept


def slice_embeddings(model, kept: list[int]) -> str:  # type: ignore[no-untyped-def]
    """Keep only the ``kept`` rows of the word-embedding table of an ONNX model (in place); returns its name.

    Works on an int8 model too: there the table is the two-dimensional initializer beside its scale.
    """
    import numpy as np
    from onnx import numpy_helper

    tables = [t for t in model.graph.initializer if "word_embeddings" in t.name and len(t.dims) == 2]
    if len(tables) != 1:
        raise ValueError(f"expected one word-embedding table, found {[t.name for t in tables]}")
    table = tables[0]
    rows = numpy_helper.to_array(table)
    table.CopyFrom(numpy_helper.from_array(np.ascontiguousarray(rows[np.asarray(kept)]), table.name))
    return table.name


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def lean_paths(folder: Path, precision: str) -> tuple[Path, Path]:
    """(ONNX model, tokenizer) of the lean artefacts for ``precision`` in a model folder."""
    return folder / LEAN_DIR / f"model-{precision}.onnx", folder / LEAN_DIR / "tokenizer.json"


def optimized_path(model: Path) -> Path:
    """Where the graph optimised for this machine's ONNX Runtime is kept (it loads without re-optimising)."""
    import onnxruntime

    return model.with_name(f"{model.stem}.ort{onnxruntime.__version__}.onnx")


def write_optimized(model: Path) -> Path:
    """Save ``model`` with ONNX Runtime's portable graph optimisations applied, next to it."""
    import onnxruntime as ort

    target = optimized_path(model)
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(target.with_suffix(".tmp"))
    ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    target.with_suffix(".tmp").replace(target)
    return target


def has_lean(folder: Path, precision: str) -> bool:
    model, tok = lean_paths(folder, precision)
    if not (model.is_file() and tok.is_file() and (folder / LEAN_DIR / MANIFEST).is_file()):
        return False
    try:
        return json.loads((folder / LEAN_DIR / MANIFEST).read_text(encoding="utf-8")).get("format") == LEAN_FORMAT
    except (OSError, ValueError):
        return False


def build_lean(folder: Path, source_onnx: Path) -> Path:
    """Write ``folder/lean/`` (pruned tokenizer, fp32 and int8 models, manifest) from an exported graph."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target = folder / LEAN_DIR
    with tempfile.TemporaryDirectory(dir=folder) as tmp_dir:
        tmp = Path(tmp_dir)
        tokenizer = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
        # two cuts: the scripts, then the rare Latin words. The int8 table's one scale is set between
        # them, so the words kept have exactly the vectors they had before the second cut.
        scripts, script_ids = prune_unigram(tokenizer)
        pruned, kept_of_scripts = prune_unigram(scripts, lean_keep(scripts["model"]["vocab"], prompt_pieces(folder)))
        (tmp / "tokenizer.json").write_text(json.dumps(pruned, ensure_ascii=False), encoding="utf-8")
        model = onnx.load(str(source_onnx))
        table = slice_embeddings(model, script_ids)
        onnx.save(model, str(tmp / "scripts-fp32.onnx"))
        # per-channel scales: query vectors at cosine 0.997 (mean) to fp32 instead of 0.990 per tensor,
        # at the same size and speed (measured on the project's questions). Weights use 7 bits
        # (reduce_range): x86 CPUs without VNNI multiply uint8 by int8 in pairs summed into 16 bits,
        # which saturates with full-range weights, so the same model gave other vectors there (cosine
        # 0.9945 to fp32 against 0.9963 with 7 bits, on an AVX2-only CPU) and other answers to near ties
        quantize_dynamic(str(tmp / "scripts-fp32.onnx"), str(tmp / "scripts-int8.onnx"), weight_type=QuantType.QInt8,
                         op_types_to_quantize=["MatMul", "Gather"], per_channel=True, reduce_range=True)
        for precision in PRECISIONS:
            sliced = onnx.load(str(tmp / f"scripts-{precision}.onnx"))
            slice_embeddings(sliced, kept_of_scripts)
            onnx.save(sliced, str(tmp / f"model-{precision}.onnx"))
            (tmp / f"scripts-{precision}.onnx").unlink()
        manifest = {"format": LEAN_FORMAT, "vocab": len(tokenizer["model"]["vocab"]), "kept": len(kept_of_scripts), "embedding_table": table,
                    "files": {name: sha256_file(tmp / name)
                              for name in ("tokenizer.json", "model-fp32.onnx", "model-int8.onnx")}}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
        tmp.mkdir()  # TemporaryDirectory removes it again
    for precision in PRECISIONS:
        write_optimized(target / f"model-{precision}.onnx")
    logger.info("lean model written", extra={"kept": len(kept_of_scripts), "of": len(tokenizer["model"]["vocab"])})
    return target
