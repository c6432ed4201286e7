"""Retrieval: the store (Qdrant), the embedders, the sparse encoder, corpus statistics and hybrid search."""
