"""When a sweep may be reused instead of recomputed.

Sweeps (chunk size × overlap, ANN efSearch / nprobe) are evidence for configuration choices:
they change when the configuration or the golden queries change, not when 1 % of the documents
do. ``reusable`` says whether a stored sweep still stands: same configuration digest, and at
most ``max_changed_share`` of its input documents added, removed or changed since it ran.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def changed_share(previous: Mapping[str, str], current: Mapping[str, str]) -> float:
    """(documents added + removed + changed) / documents now (1.0 when there were none)."""
    if not previous:
        return 1.0
    changed = sum(1 for d in set(previous) | set(current) if previous.get(d) != current.get(d))
    return changed / max(len(current), 1)


def reusable(stored: Mapping[str, Any] | None, config: str, inputs: Mapping[str, str],
             max_changed_share: float) -> tuple[bool, float]:
    """(reuse?, changed share) for a stored ``{"config": ..., "inputs": {...}}`` record."""
    if not stored or stored.get("config") != config:
        return False, 1.0
    share = changed_share(stored.get("inputs") or {}, inputs)
    return share <= max_changed_share, share
