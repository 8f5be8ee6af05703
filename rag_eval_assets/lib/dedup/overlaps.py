"""Exact shingle overlaps ``|A ∩ B|`` of document pairs, kept between runs.

Verification (step 3 of ``clusters``) intersects the shingle sets of every candidate pair; on a
templated corpus the candidates grow with the square of the documents of one topic (215,000 pairs
of 1,878 documents at ``rag-eval sample --size 2000``, 8 s of set intersections per match). The
overlap of two documents depends only on their two texts and the sketch settings, so it is kept
under the documents' sketch keys (``SketchParams.cache_key``: content hash + settings) and a run
after a small change intersects only the pairs that involve a new or changed document. Jaccard
and containment are computed from the overlap and the two set sizes with the same integer
arithmetic as ``shingles.jaccard`` / ``shingles.containment``, so results are bit-identical to a
run without the cache.

Stored as arrays (``to_bytes`` / ``from_bytes``: one ``.npz``): the key table, and per pair the two
key indices and the overlap, sorted by a 64-bit pair code for vectorized lookups.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Sequence

import numpy as np

_FORMAT = 1


class OverlapCache:
    """Pair of sketch keys -> exact overlap, with vectorized ``get_many`` / ``put_many``."""

    def __init__(self, keys: Sequence[str] = (), codes: np.ndarray | None = None,
                 overlaps: np.ndarray | None = None) -> None:
        self.keys: list[str] = list(keys)
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.codes = np.zeros(0, np.int64) if codes is None else np.asarray(codes, np.int64)
        self.overlaps = np.zeros(0, np.int64) if overlaps is None else np.asarray(overlaps, np.int64)
        self.loaded = len(self.codes)
        self.added = 0
        self._pending: dict[int, int] = {}  # code -> overlap, merged into the arrays when read in bulk

    def __len__(self) -> int:
        self._merge()
        return len(self.codes)

    def _merge(self) -> None:
        """Fold the pending additions into the sorted arrays (one sort, not one per addition)."""
        if self._pending:
            codes = np.concatenate((self.codes, np.fromiter(self._pending, np.int64, len(self._pending))))
            values = np.concatenate((self.overlaps, np.fromiter(self._pending.values(), np.int64, len(self._pending))))
            codes, first = np.unique(codes, return_index=True)  # sorted; an existing code keeps its value
            self.codes, self.overlaps = codes, values[first]
            self._pending = {}

    def _key_id(self, key: str, add: bool) -> int:
        i = self.index.get(key)
        if i is None and add:
            i = self.index[key] = len(self.keys)
            self.keys.append(key)
        return -1 if i is None else i

    def _pair_codes(self, pairs: Sequence[tuple[str, str]], add: bool) -> np.ndarray:
        """64-bit code per pair (order-free: smaller key id in the high half); -1 when a key is unknown."""
        ids = np.array([(self._key_id(a, add), self._key_id(b, add)) for a, b in pairs], np.int64).reshape(-1, 2)
        lo, hi = ids.min(axis=1), ids.max(axis=1)
        return np.where(lo < 0, -1, (lo << 32) | hi)

    def get_many(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Overlap per pair of sketch keys, -1 where unknown."""
        out = np.full(len(pairs), -1, np.int64)
        if not pairs:
            return out
        codes = self._pair_codes(pairs, add=False)
        if len(self.codes):
            pos = np.searchsorted(self.codes, codes).clip(max=len(self.codes) - 1)
            hit = (codes >= 0) & (self.codes[pos] == codes)
            out[hit] = self.overlaps[pos[hit]]
        if self._pending:
            for i in np.flatnonzero(out < 0).tolist():
                out[i] = self._pending.get(int(codes[i]), -1)
        return out

    def put_many(self, pairs: Sequence[tuple[str, str]], overlaps: Sequence[int]) -> None:
        """Add overlaps; a pair already known keeps its value (an overlap never changes)."""
        if not pairs:
            return
        for code, value in zip(self._pair_codes(pairs, add=True).tolist(), overlaps, strict=True):
            self._pending.setdefault(code, int(value))
        self.added += len(pairs)

    def pruned(self, keep: Collection[str]) -> OverlapCache:
        """Only the pairs whose two keys are in ``keep`` (documents that still exist), re-indexed."""
        self._merge()
        keys = sorted(k for k in set(keep) if k in self.index)
        new_id = np.full(len(self.keys), -1, np.int64)
        new_id[[self.index[k] for k in keys]] = np.arange(len(keys))
        a, b = new_id[self.codes >> 32], new_id[self.codes & 0xFFFFFFFF]
        mask = (a >= 0) & (b >= 0)
        a, b = a[mask], b[mask]
        codes = (np.minimum(a, b) << 32) | np.maximum(a, b)
        order = np.argsort(codes)
        return OverlapCache(keys, codes[order], self.overlaps[mask][order])

    def to_bytes(self) -> bytes:
        self._merge()
        buf = io.BytesIO()
        np.savez(buf, format=np.array([_FORMAT]), keys=np.array(self.keys, dtype=str),
                 codes=self.codes, overlaps=self.overlaps)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> OverlapCache:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            if int(z["format"][0]) != _FORMAT:
                return cls()
            return cls([str(k) for k in z["keys"]], z["codes"], z["overlaps"])
