"""Retrieval: sparse (BM25), dense (sentence embeddings) and their fusion."""
