"""Durable feedback storage in SQLite (WAL mode, one committed transaction per record)."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at  REAL    NOT NULL,
    session_id  TEXT    NOT NULL,
    message_id  TEXT    NOT NULL,
    helpful     INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    comment     TEXT,
    question    TEXT,
    source_id   TEXT
);
CREATE INDEX IF NOT EXISTS feedback_message ON feedback (message_id);
"""


class FeedbackStore:
    """Append-only feedback table; safe to call from the server's worker threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.executescript(SCHEMA)
        self._lock = threading.Lock()

    def add(self, session_id: str, message_id: str, helpful: bool, comment: str | None = None,
            question: str | None = None, source_id: str | None = None) -> int:
        """Insert one record and commit it before returning its id."""
        with self._lock:
            cur = self._conn.execute(
                "INSERT INTO feedback (created_at, session_id, message_id, helpful, comment, question, source_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (time.time(), session_id, message_id, int(helpful), comment, question, source_id))
            return int(cur.lastrowid or 0)

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])

    def recent(self, limit: int = 20) -> list[dict[str, object]]:
        with self._lock:
            self._conn.row_factory = sqlite3.Row
            try:
                rows = self._conn.execute("SELECT * FROM feedback ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
            finally:
                self._conn.row_factory = None
        return [dict(r) for r in rows]

    def close(self) -> None:
        with self._lock:
            self._conn.close()
