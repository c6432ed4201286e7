"""What the corpus holds, term by term: document frequencies for weighting and the refusal gate."""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from rag import sparse


@dataclass(frozen=True)
class CorpusStats:
    """Chunk-level document frequency of every term."""

    df: dict[str, int]
    n: int
    compounds: list[str] = field(default_factory=list)  # sorted, for prefix lookups

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> CorpusStats:
        """Count terms over chunk texts."""
        df: Counter[str] = Counter()
        n = 0
        for text in texts:
            n += 1
            df.update(set(sparse.terms(text)))
        compounds = sorted(t for t in df if "-" in t or "." in t or "'" in t)
        return cls(dict(df), n, compounds)

    def has(self, term: str) -> bool:
        """Whether the term occurs anywhere, whole or as the start of a longer name (qwen2.5-omni-7b)."""
        if term in self.df:
            return True
        i = bisect.bisect_left(self.compounds, term)
        return i < len(self.compounds) and self.compounds[i].startswith(term)

    def idf(self, term: str) -> float:
        """BM25's idf; unseen terms get the highest."""
        d = self.df.get(term, 0)
        return math.log(1 + (self.n - d + 0.5) / (d + 0.5))
