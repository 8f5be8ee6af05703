"""MinHash signatures equal to datasketch 2.0.0's, computed corpus-wide with numpy.

datasketch's default ``MinHash(num_perm, seed)`` (scheme ``"affine32"``) does, per item ``x``:

    h   = sha1_hash32(x)                       # first 4 bytes of SHA-1, little-endian
    h   = fmix32(h)                            # MurmurHash3 finalizer, a bijection of uint32
    phv = a * h + b   (mod 2**32, a odd)       # one affine permutation per signature slot
    sig = min over items of phv                # empty set: all slots 2**32 - 1

with ``(a, b)`` drawn from ``np.random.RandomState(seed)``. ``"affine64"`` is the same over
uint64 with ``sha1_hash64``. :class:`MinHashSigner` takes ``(a, b)`` from a datasketch template
``MinHash`` (so the permutations are datasketch's own), hashes every shingle of a batch of
documents into one array (one ``sha1`` call per shingle, no per-item numpy call), applies the
finalizer and permutations as a ``(shingles, num_perm)`` matrix in bounded chunks and reduces
per document with ``np.minimum.reduceat``. Signatures are bit-identical to calling
``MinHash.update`` per shingle (``tests/test_dedup.py``); the ``"legacy"`` scheme and custom
``hashfunc`` are not supported. ``benchmarks/bench_dedup.py bench`` (2,000 documents of 400
words, 2 cores, same run): 11-14x datasketch's ``update`` loop, 1.3-1.7x ``MinHash.bulk``; what
remains is one ``hashlib.sha1`` call per shingle (~0.5 us), which identical values require.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from itertools import chain
from typing import Literal

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

Scheme = Literal["affine32", "affine64"]
_WIDTH: dict[str, int] = {"affine32": 32, "affine64": 64}
_DTYPE: dict[str, type[np.unsignedinteger]] = {"affine32": np.uint32, "affine64": np.uint64}
# MurmurHash3 finalizer constants (shift, mul, shift, mul, shift) per width, as in datasketch
_FMIX: dict[int, tuple[int, int, int, int, int]] = {
    32: (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16),
    64: (33, 0xFF51AFD7ED558CCD, 33, 0xC4CEB9FE1A85EC53, 33),
}
_CHUNK_ROWS = 4_096  # shingles per (rows, num_perm) matrix: 2 MB at num_perm=128 (cache-sized; measured)


def _as_bytes(item: str | bytes) -> bytes:
    return item.encode("utf-8") if isinstance(item, str) else item


def fmix(values: np.ndarray, width: int) -> np.ndarray:
    """MurmurHash3 finalizer over an unsigned array of ``width`` bits (wrapping arithmetic)."""
    dtype = values.dtype.type
    s1, m1, s2, m2, s3 = (dtype(c) for c in _FMIX[width])
    values = values ^ (values >> s1)
    values = values * m1
    values = values ^ (values >> s2)
    values = values * m2
    return values ^ (values >> s3)


def sha1_hashes(items: Iterable[str | bytes], width: int = 32) -> np.ndarray:
    """datasketch's ``sha1_hash32``/``sha1_hash64`` of every item (str is UTF-8 encoded), as one array."""
    nbytes, sha1 = width // 8, hashlib.sha1
    digests = b"".join([sha1(x.encode("utf-8") if isinstance(x, str) else x).digest() for x in items])
    raw = np.frombuffer(digests, dtype=np.uint8).reshape(-1, 20)[:, :nbytes]
    return np.ascontiguousarray(raw).view(f"<u{nbytes}").ravel().astype(_DTYPE[f"affine{width}"])


class MinHashSigner:
    """Computes datasketch-identical MinHash signatures for many shingle sets at once.

    ``num_perm`` (default 128, datasketch's default: standard error of the Jaccard estimate
    ``sqrt(J(1-J)/num_perm)`` <= 0.044) and ``seed`` (default 1, datasketch's) must match
    everywhere signatures are compared.
    """

    def __init__(self, num_perm: int = 128, seed: int = 1, scheme: Scheme = "affine32") -> None:
        if scheme not in _WIDTH:
            raise ValueError(f"scheme must be one of {sorted(_WIDTH)}, got {scheme!r}")
        self.num_perm, self.seed, self.scheme = num_perm, seed, scheme
        self.width = _WIDTH[scheme]
        self.dtype = _DTYPE[scheme]
        template = MinHash(num_perm=num_perm, seed=seed, scheme=scheme)
        self.a, self.b = (np.asarray(p, dtype=self.dtype) for p in template.permutations)
        self.empty_value = self.dtype(np.iinfo(self.dtype).max)

    def signatures(self, shingle_sets: Sequence[Iterable[str | bytes]]) -> np.ndarray:
        """``(len(shingle_sets), num_perm)`` array; row ``i`` equals datasketch's ``hashvalues``.

        Repeated items are harmless (the MinHash of a multiset equals that of its set).
        """
        items = [s if isinstance(s, Collection) else list(s) for s in shingle_sets]
        out = np.full((len(items), self.num_perm), self.empty_value, dtype=self.dtype)
        start = 0
        while start < len(items):
            stop, rows = start, 0  # a batch of whole documents of about _CHUNK_ROWS shingles
            while stop < len(items) and (rows == 0 or rows + len(items[stop]) <= _CHUNK_ROWS):
                rows += len(items[stop])
                stop += 1
            self._fill(items[start:stop], out[start:stop])
            start = stop
        return out

    def _fill(self, docs: Sequence[Collection[str | bytes]], out: np.ndarray) -> None:
        lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
        nonempty = lengths > 0
        if not nonempty.any():
            return
        hv = fmix(sha1_hashes(chain.from_iterable(docs), self.width), self.width)
        if len(hv) > _CHUNK_ROWS:  # a single large document: running minimum over row chunks
            out[0] = np.min([self._permute(hv[i:i + _CHUNK_ROWS]).min(axis=0)
                             for i in range(0, len(hv), _CHUNK_ROWS)], axis=0)
            return
        offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))[nonempty]
        out[nonempty] = np.minimum.reduceat(self._permute(hv), offsets, axis=0)

    def _permute(self, hv: np.ndarray) -> np.ndarray:
        """``(rows, num_perm)`` matrix ``a * h + b``; unsigned arithmetic wraps mod 2**width."""
        phv = hv[:, None] * self.a[None, :]
        phv += self.b
        return phv

    def signature(self, shingles: Iterable[str | bytes]) -> np.ndarray:
        """Signature of one shingle set."""
        return self.signatures([shingles])[0]

    def to_minhash(self, hashvalues: np.ndarray) -> LeanMinHash:
        """A datasketch ``LeanMinHash`` over a signature row (for ``MinHashLSH`` and ensembles)."""
        return LeanMinHash(seed=self.seed, hashvalues=hashvalues, scheme=self.scheme)


def estimated_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """MinHash estimate of the Jaccard resemblance: the share of equal slots."""
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)


def datasketch_signatures(shingle_sets: Iterable[Iterable[str | bytes]], num_perm: int = 128,
                          seed: int = 1, scheme: Scheme = "affine32") -> np.ndarray:
    """Reference: datasketch's per-document ``MinHash`` + ``update`` loop (slow; tests and benchmark)."""
    rows = []
    for shingles in shingle_sets:
        m = MinHash(num_perm=num_perm, seed=seed, scheme=scheme)
        for x in shingles:
            m.update(_as_bytes(x))
        rows.append(m.hashvalues)
    return np.array(rows, dtype=_DTYPE[scheme]).reshape(-1, num_perm)


def lsh_candidate_pairs(keys: Sequence[str], minhashes: Sequence[MinHash], threshold: float,
                        num_perm: int, weights: tuple[float, float] = (0.5, 0.5)) -> set[tuple[str, str]]:
    """Candidate pairs ``(a, b)`` with ``a < b`` that share an LSH band (``MinHashLSH``).

    ``weights`` = datasketch's (false-positive, false-negative) weights that choose bands x rows.
    """
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=weights)
    with lsh.insertion_session() as session:
        for key, mh in zip(keys, minhashes, strict=True):
            session.insert(key, mh, check_duplication=False)
    pairs: set[tuple[str, str]] = set()
    for key, mh in zip(keys, minhashes, strict=True):
        for other in lsh.query(mh):
            if other != key:
                pairs.add((key, other) if key < other else (other, key))
    return pairs
