"""A retrieval-based Chinese FAQ bot for people whose 借呗 repayment is overdue."""

from __future__ import annotations

__version__ = "0.1.0"
