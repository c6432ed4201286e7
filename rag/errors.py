"""Footnote's errors: each says what went wrong and what to do."""


class FootnoteError(Exception):
    """Base of every error Footnote reports to a user."""


class BadQuestion(FootnoteError):
    """The question is empty, too long or otherwise unusable."""


class StoreBusy(FootnoteError):
    """Another process holds the embedded Qdrant store."""


class StoreUnavailable(FootnoteError):
    """The Qdrant server cannot be reached."""


class StoreMismatch(FootnoteError):
    """The collection was built with another embedding model."""


class EmptyStore(FootnoteError):
    """Nothing has been ingested yet."""


class LLMUnavailable(FootnoteError):
    """The OpenAI-compatible server failed, timed out or gave unusable output."""


class BadDocument(FootnoteError):
    """A document cannot be ingested (empty, binary, not UTF-8, too large)."""


class UnknownDocument(FootnoteError):
    """No document with that source name is in the store."""


class ConfigError(FootnoteError):
    """A setting has a value Footnote cannot use."""


class CuratedDocument(FootnoteError):
    """A contributed upload or deletion would replace or remove a curated document."""


class NotAllowed(FootnoteError):
    """The caller may not do this (e.g. upload curated documents without the operator's API key)."""
