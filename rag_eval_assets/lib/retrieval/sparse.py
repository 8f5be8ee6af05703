"""Sparse (BM25) retrieval over string ids, on bm25s, with a unicode-aware tokenizer; saved and
loaded atomically.

Library: ``bm25s`` (``benchmarks/bench_bm25.py``, SciFact train, same tokens for all: nDCG@10
0.694 for bm25s, rank-bm25 and tantivy alike; bm25s ~60x rank-bm25's queries/s, in tantivy's
range, at 0.7 MB installed vs tantivy's 18 MB; exact textbook scores (tantivy quantizes document
lengths to one byte), a full score vector per query for filters and fusion, numpy arrays on
disk, nothing downloaded). Its cost per query grows with the corpus (a dense score vector), fine
at evaluation-corpus sizes.

Scoring is Lucene's BM25 (bm25s ``method="lucene"``): Σ over query terms of idf · tf / (tf +
k1·(1 − b + b·|d|/avgdl)), idf = ln(1 + (N − df + 0.5) / (df + 0.5)), float32; k1 = 1.2, b = 0.75
(Lucene's, Elasticsearch's and tantivy's defaults; bm25s's own default k1 is 1.5; the benchmark's
sweep moves SciFact nDCG@10 by < 0.005 over k1 0.9–1.5, b 0.4–0.75). A query term repeated counts
once per occurrence, as in Lucene's bag-of-words queries.

Tokens (``Tokenizer``): NFKC, casefold, the unicode words ``\\w+`` (Cyrillic, Greek, accented
Latin stay whole; CJK runs are not segmented), stopwords dropped (``"english"``: Lucene's
33-word English stop set, as Anserini and bm25s use), then Snowball stemming (PyStemmer) in the
``stemmer`` language, or none. One stemmer per index: words of another script pass through it
unchanged.

Results: only documents sharing at least one term with the query (a Lucene idf is > 0, so that
is score > 0), best first, ties by corpus order; fewer than ``k`` when fewer match, ``[]`` for
a query with no indexed term.

On disk (a folder): bm25s's own files (``bm25s.save``), ``ids.json`` and ``manifest.json``
(params, count, bm25s version, sha256 of every file), each written with ``atomic_write_bytes``
and the manifest last, so ``load`` refuses a half-written or altered set.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rag_eval_assets.lib.storage import atomic_write_bytes
from rag_eval_assets.lib.storage import read_bytes as _read_bytes

TOKEN_PATTERN = r"\w+"
_TOKEN = re.compile(TOKEN_PATTERN)
# Lucene EnglishAnalyzer.ENGLISH_STOP_WORDS_SET (= Anserini's default, bm25s STOPWORDS_EN)
ENGLISH_STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not",
    "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
    "will", "with"})
STOPWORD_SETS = {"english": ENGLISH_STOPWORDS}
DEFAULT_K1, DEFAULT_B, METHOD = 1.2, 0.75, "lucene"
MANIFEST_FILE, IDS_FILE = "manifest.json", "ids.json"
FORMAT = "bm25s-index/1"


def stemmer_languages() -> list[str]:
    """Languages PyStemmer (Snowball) can stem."""
    import Stemmer

    return sorted(Stemmer.algorithms())


def _stopword_set(stopwords: str | Iterable[str] | None) -> frozenset[str]:
    if stopwords is None:
        return frozenset()
    if isinstance(stopwords, str):
        if stopwords not in STOPWORD_SETS:
            raise ValueError(f"unknown stopword list {stopwords!r}; use {sorted(STOPWORD_SETS)} or a collection")
        return STOPWORD_SETS[stopwords]
    return frozenset(unicodedata.normalize("NFKC", w).casefold() for w in stopwords)


@dataclass
class Tokenizer:
    """Text -> BM25 terms: NFKC + casefold, unicode ``\\w+`` words, stopwords out, Snowball stem."""

    stemmer: str | None = "english"
    stopwords: str | Iterable[str] | None = "english"
    _stop: frozenset[str] = field(init=False, repr=False)
    _stem: Any = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        self._stop = _stopword_set(self.stopwords)
        if not isinstance(self.stopwords, str | None):
            self.stopwords = sorted(self._stop)  # a plain, JSON-able list for the manifest
        if self.stemmer is not None:
            try:
                import Stemmer
            except ImportError as exc:  # pragma: no cover - PyStemmer is a dependency
                raise ImportError("stemming needs PyStemmer (pip install PyStemmer)") from exc
            if self.stemmer not in Stemmer.algorithms():
                raise ValueError(f"no Snowball stemmer for {self.stemmer!r}; use one of {stemmer_languages()} or None")
            self._stem = Stemmer.Stemmer(self.stemmer)

    def __call__(self, text: str) -> list[str]:
        words = [w for w in _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold()) if w not in self._stop]
        return self._stem.stemWords(words) if self._stem is not None and words else words

    def many(self, texts: Iterable[str]) -> list[list[str]]:
        """Tokens of each text."""
        return [self(t) for t in texts]


@dataclass
class BM25Index:
    """A bm25s index plus the string id of each row and the tokenizer that made its terms."""

    ids: list[str]
    model: Any  # bm25s.BM25
    tokenizer: Tokenizer
    params: dict[str, Any]

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str], *, k1: float = DEFAULT_K1, b: float = DEFAULT_B,
              stemmer: str | None = "english", stopwords: str | Iterable[str] | None = "english") -> BM25Index:
        """Index ``texts`` under ``ids`` (unique, same length); ValueError when no document has a term."""
        ids = [str(i) for i in ids]
        if len(ids) != len(texts):
            raise ValueError(f"{len(ids)} ids for {len(texts)} texts")
        if not ids:
            raise ValueError("cannot build a BM25 index over an empty corpus")
        if len(set(ids)) != len(ids):
            raise ValueError("ids must be unique")
        import bm25s

        tokenizer = Tokenizer(stemmer, stopwords)
        tokens = tokenizer.many(texts)
        if not any(tokens):
            raise ValueError("no document has an indexable term (all empty or stopwords)")
        model = bm25s.BM25(k1=k1, b=b, method=METHOD)
        model.index(tokens, show_progress=False)
        params = {"k1": k1, "b": b, "method": METHOD, "stemmer": stemmer, "stopwords": tokenizer.stopwords,
                  "token_pattern": TOKEN_PATTERN}
        return cls(ids, model, tokenizer, params)

    def __len__(self) -> int:
        return len(self.ids)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for ``query`` (corpus order; zeros when no term matches)."""
        term_ids = self.model.get_tokens_ids(self.tokenizer(query))
        if not term_ids:
            return np.zeros(len(self), dtype=np.float32)
        return np.asarray(self.model.get_scores_from_ids(term_ids))

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Up to ``k`` ``(id, score)`` pairs, best first, among the documents matching a query term."""
        if k <= 0:
            raise ValueError(f"k must be positive, got {k}")
        scores = self.scores(query)
        rows = np.flatnonzero(scores > 0)
        if len(rows) > k:
            rows = rows[np.argpartition(-scores[rows], k - 1)[:k]]
        rows = rows[np.lexsort((rows, -scores[rows]))]
        return [(self.ids[r], float(scores[r])) for r in rows.tolist()]

    def search_many(self, queries: Iterable[str], k: int) -> list[list[tuple[str, float]]]:
        """``search`` for each query."""
        return [self.search(q, k) for q in queries]

    # --- persistence ---------------------------------------------------------------------
    def save(self, folder: str | Path) -> None:
        """Write bm25s's files, ids and the manifest (last) atomically under ``folder``."""
        import bm25s

        folder = str(folder).rstrip("/")
        with tempfile.TemporaryDirectory() as tmp:
            self.model.save(tmp, show_progress=False)
            blobs = {p.name: p.read_bytes() for p in sorted(Path(tmp).iterdir()) if p.is_file()}
        blobs[IDS_FILE] = json.dumps(self.ids, ensure_ascii=False).encode()
        for name, data in blobs.items():
            atomic_write_bytes(f"{folder}/{name}", data)
        manifest = {"format": FORMAT, "bm25s": bm25s.__version__, "params": self.params, "count": len(self),
                    "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in blobs.items()}}
        atomic_write_bytes(f"{folder}/{MANIFEST_FILE}", json.dumps(manifest, indent=1, sort_keys=True).encode())

    @classmethod
    def load(cls, folder: str | Path) -> BM25Index:
        """Read a saved index; raises ValueError when a file does not match the manifest."""
        import bm25s

        folder = str(folder).rstrip("/")
        manifest = json.loads(_read_bytes(f"{folder}/{MANIFEST_FILE}"))
        if manifest.get("format") != FORMAT:
            raise ValueError(f"{folder}/{MANIFEST_FILE}: not a {FORMAT} manifest")
        blobs = {name: _read_bytes(f"{folder}/{name}") for name in manifest["sha256"]}
        for name, data in blobs.items():
            if hashlib.sha256(data).hexdigest() != manifest["sha256"][name]:
                raise ValueError(f"{folder}/{name} does not match {MANIFEST_FILE} (interrupted write?)")
        ids = json.loads(blobs.pop(IDS_FILE))
        with tempfile.TemporaryDirectory() as tmp:  # bm25s reads local files: load the verified bytes
            for name, data in blobs.items():
                (Path(tmp) / name).write_bytes(data)
            model = bm25s.BM25.load(tmp, show_progress=False)
        params = dict(manifest["params"])
        if len(ids) != manifest["count"] or model.scores["num_docs"] != len(ids):
            raise ValueError(f"{folder}: {len(ids)} ids, {model.scores['num_docs']} indexed rows, "
                             f"manifest count {manifest['count']}")
        return cls(ids, model, Tokenizer(params["stemmer"], params["stopwords"]), params)
