"""What changed in a corpus since the last scan, and how to batch the work it causes.

Pure functions used by the corpus sensor and the ``rag-eval backfill --changed`` command:
the previous state is a mapping ``doc_id -> content sha256`` and the new one is a fresh scan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CorpusChanges:
    """Documents added, modified and deleted between two corpus states."""

    added: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    @property
    def to_process(self) -> list[str]:
        """Documents whose per-document stages must run (new or changed content)."""
        return sorted(self.added + self.modified)

    def __bool__(self) -> bool:
        return bool(self.added or self.modified or self.deleted)


def diff_states(previous: Mapping[str, str], current: Mapping[str, str]) -> CorpusChanges:
    """Compare two ``doc_id -> sha256`` states."""
    added = sorted(k for k in current if k not in previous)
    modified = sorted(k for k in current if k in previous and previous[k] != current[k])
    deleted = sorted(k for k in previous if k not in current)
    return CorpusChanges(added, modified, deleted)


def contiguous_batches(ordered_keys: Sequence[str], wanted: Sequence[str],
                       max_per_batch: int) -> list[tuple[str, str]]:
    """Group ``wanted`` keys into ranges of consecutive keys of ``ordered_keys``.

    A Dagster run covers one partition or one contiguous partition range, so scattered edits
    give one run each while a bulk load (new partitions are appended together) gives runs of
    ``max_per_batch`` documents. Returns (first, last) key pairs, in partition order.
    """
    if max_per_batch < 1:
        raise ValueError("max_per_batch must be >= 1")
    position = {k: i for i, k in enumerate(ordered_keys)}
    missing = [k for k in wanted if k not in position]
    if missing:
        raise KeyError(f"keys not among the partitions: {missing[:5]}")
    idx = sorted({position[k] for k in wanted})
    batches: list[tuple[str, str]] = []
    start = prev = None
    count = 0
    for i in idx:
        if start is not None and i == prev + 1 and count < max_per_batch:
            prev, count = i, count + 1
            continue
        if start is not None:
            batches.append((ordered_keys[start], ordered_keys[prev]))
        start = prev = i
        count = 1
    if start is not None:
        batches.append((ordered_keys[start], ordered_keys[prev]))
    return batches
