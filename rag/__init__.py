"""Footnote's core: settings, store, retrieval, answers with citations. Imports neither ingest nor ui."""
