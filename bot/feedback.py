"""Durable feedback: one rating per answer, idempotent retries, SQLite by default or PostgreSQL.

Both stores commit before returning, so an acknowledged rating survives ``kill -9``: SQLite in
WAL mode with ``synchronous=FULL``, PostgreSQL with its default synchronous commit. A repeated
rating of the same answer updates it; a retried request with the same idempotency key returns the
first result and changes nothing. The schema is versioned; :meth:`FeedbackStore.migrate` brings
a database up to date and is safe to run on every start (``python -m bot migrate`` runs it alone).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rating:
    """The stored rating of one answer."""

    id: int
    created: bool
    """False when the answer had been rated before (the rating was updated) or the request was a retry."""


class FeedbackStore(Protocol):
    def migrate(self) -> int: ...

    def rate(self, session_id: str, message_id: str, helpful: bool, comment: str | None, question: str | None,
             intent: str | None, idempotency_key: str | None = None) -> Rating: ...

    def count(self) -> int: ...

    def recent(self, limit: int = 20) -> list[dict[str, object]]: ...

    def close(self) -> None: ...


# Each migration is a list of statements; the list index + 1 is the schema version it brings.
SQLITE_MIGRATIONS: list[list[str]] = [
    ["""CREATE TABLE IF NOT EXISTS feedback (
            id INTEGER PRIMARY KEY AUTOINCREMENT, created_at REAL NOT NULL, session_id TEXT NOT NULL,
            message_id TEXT NOT NULL, helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)), comment TEXT,
            question TEXT, source_id TEXT)""",
     "CREATE INDEX IF NOT EXISTS feedback_message ON feedback (message_id)"],
    # one rating per answer (older databases may hold repeats: keep the latest), and idempotency keys
    ["ALTER TABLE feedback ADD COLUMN updated_at REAL",
     "DELETE FROM feedback WHERE id NOT IN (SELECT MAX(id) FROM feedback GROUP BY session_id, message_id)",
     "CREATE UNIQUE INDEX IF NOT EXISTS feedback_one_per_answer ON feedback (session_id, message_id)",
     """CREATE TABLE IF NOT EXISTS feedback_idempotency (
            key TEXT PRIMARY KEY, feedback_id INTEGER NOT NULL, created_at REAL NOT NULL)"""],
]
POSTGRES_MIGRATIONS: list[list[str]] = [
    ["""CREATE TABLE IF NOT EXISTS feedback (
            id BIGSERIAL PRIMARY KEY, created_at DOUBLE PRECISION NOT NULL, session_id TEXT NOT NULL,
            message_id TEXT NOT NULL, helpful BOOLEAN NOT NULL, comment TEXT, question TEXT, source_id TEXT,
            updated_at DOUBLE PRECISION, UNIQUE (session_id, message_id))""",
     "CREATE INDEX IF NOT EXISTS feedback_message ON feedback (message_id)",
     """CREATE TABLE IF NOT EXISTS feedback_idempotency (
            key TEXT PRIMARY KEY, feedback_id BIGINT NOT NULL REFERENCES feedback (id),
            created_at DOUBLE PRECISION NOT NULL)"""],
]


class SQLiteFeedbackStore:
    """The embedded default; safe to call from the server's worker threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._lock = threading.Lock()

    def migrate(self) -> int:
        with self._lock:
            c = self._conn
            c.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            c.execute("BEGIN IMMEDIATE")
            try:
                row = c.execute("SELECT MAX(version) FROM schema_version").fetchone()
                version = row[0] or 0
                if version == 0 and c.execute("SELECT 1 FROM sqlite_master WHERE name='feedback'").fetchone():
                    version = 1  # a database written before versioning has the first schema
                for n, statements in enumerate(SQLITE_MIGRATIONS[version:], version + 1):
                    for sql in statements:
                        c.execute(sql)
                    c.execute("INSERT INTO schema_version (version) VALUES (?)", (n,))
                    logger.info("feedback schema migrated", extra={"version": n, "store": "sqlite"})
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
            return len(SQLITE_MIGRATIONS)

    def rate(self, session_id: str, message_id: str, helpful: bool, comment: str | None, question: str | None,
             intent: str | None, idempotency_key: str | None = None) -> Rating:
        now = time.time()
        with self._lock:
            c = self._conn
            c.execute("BEGIN IMMEDIATE")
            try:
                if idempotency_key is not None:
                    hit = c.execute("SELECT feedback_id FROM feedback_idempotency WHERE key=?",
                                    (idempotency_key,)).fetchone()
                    if hit:
                        c.execute("COMMIT")
                        return Rating(int(hit[0]), False)
                existing = c.execute("SELECT id FROM feedback WHERE session_id=? AND message_id=?",
                                     (session_id, message_id)).fetchone()
                if existing:
                    row_id = int(existing[0])
                    c.execute("UPDATE feedback SET helpful=?, comment=COALESCE(?, comment), updated_at=? WHERE id=?",
                              (int(helpful), comment, now, row_id))
                else:
                    row_id = int(c.execute(
                        "INSERT INTO feedback (created_at, session_id, message_id, helpful, comment, question, source_id)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (now, session_id, message_id, int(helpful), comment, question, intent)).lastrowid or 0)
                if idempotency_key is not None:
                    c.execute("INSERT INTO feedback_idempotency (key, feedback_id, created_at) VALUES (?, ?, ?)",
                              (idempotency_key, row_id, now))
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
        return Rating(row_id, existing is None)

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])

    def recent(self, limit: int = 20) -> list[dict[str, object]]:
        with self._lock:
            cur = self._conn.execute("SELECT * FROM feedback ORDER BY id DESC LIMIT ?", (limit,))
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class PostgresFeedbackStore:
    """PostgreSQL through psycopg 3 and a small connection pool (one per worker process)."""

    def __init__(self, url: str, max_size: int = 8) -> None:
        from psycopg_pool import ConnectionPool

        self.url = url
        self._pool = ConnectionPool(url, min_size=1, max_size=max_size, open=True, timeout=10,
                                    kwargs={"connect_timeout": 5})
        self._pool.wait(timeout=10)

    def migrate(self) -> int:
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(746301)")  # workers and replicas migrate one at a time
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            version = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]  # type: ignore[index]
            for n, statements in enumerate(POSTGRES_MIGRATIONS[version:], version + 1):
                for sql in statements:
                    conn.execute(sql)  # type: ignore[arg-type]
                conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (n,))
                logger.info("feedback schema migrated", extra={"version": n, "store": "postgresql"})
        return len(POSTGRES_MIGRATIONS)

    def rate(self, session_id: str, message_id: str, helpful: bool, comment: str | None, question: str | None,
             intent: str | None, idempotency_key: str | None = None) -> Rating:
        now = time.time()
        with self._pool.connection() as conn, conn.transaction():
            if idempotency_key is not None:
                # serialise retries of one key; the first to commit wins, the others read its result
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (idempotency_key,))
                hit = conn.execute("SELECT feedback_id FROM feedback_idempotency WHERE key=%s",
                                   (idempotency_key,)).fetchone()
                if hit:
                    return Rating(int(hit[0]), False)
            row = conn.execute(
                "INSERT INTO feedback (created_at, session_id, message_id, helpful, comment, question, source_id)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (session_id, message_id) DO UPDATE SET helpful=EXCLUDED.helpful,"
                " comment=COALESCE(EXCLUDED.comment, feedback.comment), updated_at=%s"
                " RETURNING id, (xmax = 0) AS inserted",
                (now, session_id, message_id, helpful, comment, question, intent, now)).fetchone()
            assert row is not None
            if idempotency_key is not None:
                conn.execute("INSERT INTO feedback_idempotency (key, feedback_id, created_at) VALUES (%s, %s, %s)",
                             (idempotency_key, row[0], now))
        return Rating(int(row[0]), bool(row[1]))

    def count(self) -> int:
        with self._pool.connection() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])  # type: ignore[index]

    def recent(self, limit: int = 20) -> list[dict[str, object]]:
        with self._pool.connection() as conn:
            cur = conn.execute("SELECT * FROM feedback ORDER BY id DESC LIMIT %s", (limit,))
            names = [d.name for d in cur.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def close(self) -> None:
        self._pool.close()


def open_feedback_store(database_url: str | None, sqlite_path: Path) -> FeedbackStore:
    """The configured store, migrated. Raises on an unreachable database (startup fails fast)."""
    store: FeedbackStore = PostgresFeedbackStore(database_url) if database_url else SQLiteFeedbackStore(sqlite_path)
    store.migrate()
    return store
