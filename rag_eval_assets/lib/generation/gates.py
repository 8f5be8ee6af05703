"""Release gate over case outcomes grouped by slice (workflow).

The pass rate is reported overall and per slice; release is blocked while any slice's pass
rate is below the gate (default 0.95), whatever the overall rate. No outcomes: not allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


def slice_pass_rates(outcomes: Iterable[tuple[str, bool]]) -> tuple[float, dict[str, float]]:
    """(overall pass rate, slice -> pass rate) from ``(slice, passed)`` pairs (0.0 when empty)."""
    by_slice: dict[str, list[bool]] = {}
    for name, passed in outcomes:
        by_slice.setdefault(name, []).append(bool(passed))
    flat = [p for results in by_slice.values() for p in results]
    overall = sum(flat) / len(flat) if flat else 0.0
    return overall, {name: sum(r) / len(r) for name, r in sorted(by_slice.items())}


@dataclass(frozen=True)
class GateDecision:
    """Release decision: ``blocking_slices`` are the slices below the gate."""

    allowed: bool
    overall: float
    by_slice: dict[str, float] = field(default_factory=dict)
    blocking_slices: list[str] = field(default_factory=list)
    reason: str = ""


def release_gate(outcomes: Iterable[tuple[str, bool]], min_slice_pass_rate: float = 0.95) -> GateDecision:
    """Allow release only when every slice's pass rate is >= ``min_slice_pass_rate``."""
    overall, by_slice = slice_pass_rates(outcomes)
    if not by_slice:
        return GateDecision(False, overall, by_slice, [], "no cases evaluated")
    blocking = [name for name, rate in by_slice.items() if rate < min_slice_pass_rate]
    if blocking:
        detail = ", ".join(f"{name} {by_slice[name]:.2f}" for name in blocking)
        reason = f"slices below {min_slice_pass_rate:.2f}: {detail} (overall {overall:.2f})"
    else:
        reason = f"every slice >= {min_slice_pass_rate:.2f} (overall {overall:.2f})"
    return GateDecision(not blocking, overall, by_slice, blocking, reason)
