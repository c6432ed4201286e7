"""Footnote's write side: load files, chunk them, embed and upsert into the store."""
