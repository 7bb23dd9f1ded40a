"""Offline evaluation: answer quality, calculator accuracy and speed, for BM25, dense and hybrid."""
