"""Exact ordered tree edit distance (Zhang–Shasha), vectorized with numpy.

Unit insert / delete costs, any non-negative rename cost matrix. Same minimum as APTED (both
are exact), computed differently:

- trees are numbered in postorder, either left-to-right or mirrored (children reversed; the
  distance of two mirrored trees is the same), whichever has the cheaper keyroots — for HTML
  tables (``thead`` then ``tbody``) the mirrored order avoids ``tbody`` as a second big keyroot;
- pairs involving a single-node subtree are closed-form:
  ``d({a}, T) = min(|T| + 1, |T| - 1 + min_{x in T} rename(a, x))``;
- the other keyroot pairs are independent within one "level sum" (a keyroot's level is the
  nesting depth of the non-leaf keyroots below it), so pairs of one level sum run together as
  a batch of forest-distance tables, one numpy step per row (each pair iterates over its
  smaller subtree): with ``fd`` stored as ``fd[r][c] - r - c`` the in-row recurrence
  ``fd[r][c] = min(fd[r][c-1] + 1, ...)`` becomes a cumulative minimum (``_run_batch``).

Floating-point sums may be added in another order than APTED's: results agree to ~1e-15.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_MAX_BATCH_CELLS = 4_000_000  # fd cells of one numpy batch (~32 MB of float64)


@dataclass(frozen=True)
class _Postorder:
    """A tree numbered 1..n in postorder (0 = the empty forest)."""

    order: np.ndarray  # order[k - 1] = node id (as given) of postorder number k
    lml: np.ndarray  # leftmost leaf descendant (postorder), lml[0] = 0
    size: np.ndarray  # subtree size, size[0] = 0
    parent: np.ndarray  # parent (postorder), 0 for the root
    depth: np.ndarray  # root = 0
    keyroots: np.ndarray  # non-leaf keyroots (postorder)
    levels: np.ndarray  # their level: 0 = no non-leaf keyroot strictly below

    @property
    def n(self) -> int:
        return len(self.order)

    @classmethod
    def build(cls, children: Sequence[Sequence[int]], mirror: bool) -> _Postorder:
        n = len(children)
        order: list[int] = []
        stack: list[tuple[int, bool]] = [(0, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            stack.append((node, True))
            kids = children[node]
            stack.extend((kid, False) for kid in (kids if mirror else reversed(kids)))
        number = [0] * n
        for k, node in enumerate(order, start=1):
            number[node] = k
        lml, parent, depth = [0] * (n + 1), [0] * (n + 1), [0] * (n + 1)
        keyroot = [False] * (n + 1)
        keyroot[n] = True
        for k, node in enumerate(order, start=1):
            kids = [number[kid] for kid in (reversed(children[node]) if mirror else children[node])]
            lml[k] = lml[kids[0]] if kids else k
            for i, kid in enumerate(kids):
                parent[kid], keyroot[kid] = k, i > 0
        best = [-1] * (n + 1)  # highest level of a non-leaf keyroot in the subtree, -1 = none
        keyroots: list[int] = []
        levels: list[int] = []
        for k in range(1, n + 1):  # children come before their parent
            if keyroot[k] and lml[k] != k:
                best[k] += 1
                keyroots.append(k)
                levels.append(best[k])
            if k < n:
                best[parent[k]] = max(best[parent[k]], best[k])
        for k in range(n - 1, 0, -1):  # parents have higher postorder numbers
            depth[k] = depth[parent[k]] + 1
        lml_arr = np.asarray(lml, dtype=np.int64)
        size = np.arange(n + 1, dtype=np.int64) - lml_arr + 1
        size[0] = 0
        return cls(np.asarray(order, dtype=np.int64), lml_arr, size,
                   np.asarray(parent, dtype=np.int64), np.asarray(depth, dtype=np.int64),
                   np.asarray(keyroots, dtype=np.int64), np.asarray(levels, dtype=np.int64))


def _subtree_min(values: np.ndarray, tree: _Postorder) -> np.ndarray:
    """``out[k] = min(values[x] for x in subtree(k))`` along axis 0 (postorder rows 1..n).

    Depth by depth from the bottom; the nodes of one depth, in postorder, come grouped by
    parent, so each parent takes the ``minimum.reduceat`` of its children's group."""
    out = values.copy()
    for depth in range(int(tree.depth.max()), 0, -1):
        nodes = np.flatnonzero(tree.depth == depth)
        parents = tree.parent[nodes]
        starts = np.flatnonzero(np.diff(parents, prepend=-1))
        heads = parents[starts]
        out[heads] = np.minimum(out[heads], np.minimum.reduceat(out[nodes], starts, axis=0))
    return out


def _single_node_distances(rename: np.ndarray, t1: _Postorder, t2: _Postorder) -> np.ndarray:
    """Tree distances ``td`` filled where either subtree is a single node (closed form)."""
    td = np.zeros_like(rename)
    leaves1 = np.flatnonzero(t1.size == 1)
    leaves2 = np.flatnonzero(t2.size == 1)
    best2 = _subtree_min(rename[leaves1].T, t2).T  # (leaves1, n2 + 1)
    td[leaves1] = np.minimum(t2.size + 1.0, t2.size - 1.0 + best2)
    best1 = _subtree_min(rename[:, leaves2], t1)  # (n1 + 1, leaves2)
    td[:, leaves2] = np.minimum(t1.size[:, None] + 1.0, t1.size[:, None] - 1.0 + best1)
    return td


class _Side:
    """One side (rows or columns) of a batch of keyroot pairs, in the combined numbering
    (tree 1 = 0..n1, tree 2 = offset..offset+n2); padded to the largest subtree."""

    def __init__(self, keyroot: np.ndarray, lml: np.ndarray, size: np.ndarray) -> None:
        self.width = int(size[keyroot].max())
        steps = np.arange(self.width)
        first = lml[keyroot][:, None]
        self.valid = steps < size[keyroot][:, None]
        self.node = np.where(self.valid, first + steps, keyroot[:, None])  # (pair, step)
        self.before = lml[self.node] - first  # fd index of the forest left of l(node)
        self.path = np.nonzero((self.before == 0) & self.valid)  # nodes on the keyroots' left paths


class _Matrices:
    """Rename costs and tree distances of all node pairs (postorder, 0 = empty), flat, in both
    orientations: ``[i1, j2]`` at ``i1 * (n2 + 1) + j2``, its transpose ``[j2, i1]`` after."""

    def __init__(self, costs: np.ndarray, td: np.ndarray) -> None:
        self.shape = costs.shape
        self.offset = costs.shape[0]  # combined number of tree 2's node 0
        self.cost = np.concatenate([costs.ravel(), costs.T.ravel()])
        self.td = np.concatenate([td.ravel(), td.T.ravel()])

    def positions(self, rows: _Side, cols: _Side, flip: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Flat positions as ``row_part[pair, step] + col_part[pair, step]``."""
        (n1, n2), flip2 = self.shape, flip[:, None]
        row_part = np.where(flip2, self.cost.size // 2 + (rows.node - self.offset) * n1, rows.node * n2)
        return row_part, np.where(flip2, cols.node, cols.node - self.offset)

    def store(self, node1: np.ndarray, node2: np.ndarray, values: np.ndarray) -> None:
        """``td[node1, node2] = values`` (combined numbering) in both orientations."""
        (n1, n2), node2 = self.shape, node2 - self.offset
        self.td[node1 * n2 + node2] = values
        self.td[self.cost.size // 2 + node2 * n1 + node1] = values


def _path_pairs(rows: _Side, cols: _Side, pairs: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pair, row step, column step) of every cell where both nodes are on their keyroot's left
    path (the cells that compare two trees rather than two forests)."""
    row_pair, row_step = rows.path
    col_pair, col_step = cols.path
    col_count = np.bincount(col_pair, minlength=pairs)
    col_start = np.cumsum(col_count) - col_count
    repeats = col_count[row_pair]
    entry = np.repeat(np.arange(len(row_pair)), repeats)
    within = np.arange(len(entry)) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    return row_pair[entry], row_step[entry], col_step[col_start[row_pair[entry]] + within]


def _run_batch(rows: _Side, cols: _Side, flip: np.ndarray, mats: _Matrices) -> None:
    """Forest distances of a batch of independent keyroot pairs; stores their tree distances.

    ``fd[r][c] = min(fd[r-1][c] + 1, fd[r][c-1] + 1, fd[source] + add)`` where, for two trees,
    ``source = (r-1, c-1)`` and ``add = rename``, else ``source = (l(r)-1, l(c)-1)`` and
    ``add = td``. It is stored shifted, ``F[r][c] = fd[r][c] - r - c`` (0 on both borders), so
    a row is ``cummin(min(F[r-1], F[source] + add'))`` along the columns: four numpy calls.
    Axes: (row step, pair, column step).
    """
    pairs, height, width = len(flip), rows.width, cols.width
    row_part, col_part = mats.positions(rows, cols, flip)
    add = mats.td.take(row_part.T[:, :, None] + col_part[None, :, :])
    add += (rows.before - np.arange(1, height + 1)).T[:, :, None]
    add += (cols.before - np.arange(1, width + 1))[None, :, :]
    source = ((rows.before.T * pairs + np.arange(pairs)) * (width + 1))[:, :, None] + cols.before[None, :, :]
    p, r, c = _path_pairs(rows, cols, pairs)
    add[r, p, c] = mats.cost.take(row_part[p, r] + col_part[p, c]) - 2.0
    source[r, p, c] = (r * pairs + p) * (width + 1) + c
    shifted = np.zeros((height + 1, pairs, width + 1))
    flat = shifted.reshape(-1)
    for step in range(height):
        best = flat.take(source[step])
        best += add[step]
        row = shifted[step + 1]
        np.minimum(shifted[step, :, 1:], best, out=row[:, 1:])
        np.minimum.accumulate(row, axis=1, out=row)
    row_node, col_node, flipped = rows.node[p, r], cols.node[p, c], flip[p]
    mats.store(np.where(flipped, col_node, row_node), np.where(flipped, row_node, col_node),
               shifted[r + 1, p, c + 1] + r + c + 2.0)


def _mirror_is_cheaper(children1: Sequence[Sequence[int]], children2: Sequence[Sequence[int]]) -> bool:
    """Whether right-to-left keyroots (all children but the last) weigh less than left-to-right
    ones (all but the first), by the Zhang–Shasha cost ``sum of keyroot subtree sizes`` product."""
    def costs(children: Sequence[Sequence[int]]) -> tuple[int, int]:
        order, size = [0], [1] * len(children)
        for node in order:  # breadth first: parents before children
            order.extend(children[node])
        for node in reversed(order):
            size[node] += sum(size[kid] for kid in children[node])
        left = sum(size[k] for kids in children for k in kids[1:] if size[k] > 1)
        right = sum(size[k] for kids in children for k in kids[:-1] if size[k] > 1)
        return len(children) + left, len(children) + right
    (left1, right1), (left2, right2) = costs(children1), costs(children2)
    return right1 * right2 < left1 * left2


def _step_cost(rows: int, pairs: int, cols: int) -> float:
    """Relative time of a batch: one numpy step per row, ~1000 cells cost about one step."""
    return rows * (1.0 + pairs * cols / 1000.0)


def _batches(level_sum: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> list[np.ndarray]:
    """Keyroot pairs grouped into batches: level sums in increasing order (a batch only reads
    distances of lower level sums); within one, pairs sorted by row count and merged greedily
    while one padded batch is cheaper than two (``_step_cost``) and under ``_MAX_BATCH_CELLS``."""
    parts: dict[tuple[int, int], list[int]] = {}
    widths: dict[tuple[int, int], int] = {}
    for index, (total, h, w) in enumerate(zip(level_sum.tolist(), rows.tolist(), cols.tolist(), strict=True)):
        parts.setdefault((total, h), []).append(index)
        widths[total, h] = max(widths.get((total, h), 0), w)
    out: list[list[int]] = []
    current = (-1, 0, 0, 0)  # level sum, height, pairs, width of the open batch
    for (total, h), members in sorted(parts.items()):
        w, c = widths[total, h], len(members)
        level, height, count, width = current
        merged = (h, count + c, max(width, w))
        if (level == total and _step_cost(*merged) <= _step_cost(height, count, width) + _step_cost(h, c, w)
                and h * (count + c) * max(width, w) <= _MAX_BATCH_CELLS):
            out[-1].extend(members)
            current = (total, *merged)
        else:
            out.append(list(members))
            current = (total, h, c, w)
    chunks = []
    for batch in map(np.asarray, out):  # a part alone may exceed the cap: split it by pairs
        cells = len(batch) * int(rows[batch].max() * cols[batch].max())
        chunks.extend(np.array_split(batch, min(len(batch), -(-cells // _MAX_BATCH_CELLS))))
    return chunks


def tree_edit_distance(children1: Sequence[Sequence[int]], children2: Sequence[Sequence[int]],
                       rename: np.ndarray) -> float:
    """Exact tree edit distance with unit insert/delete and ``rename[i, j]`` (node ids as given).

    Trees are child lists over node ids ``0..n-1`` with root 0; ``rename`` has shape
    ``(n1, n2)`` and non-negative entries. Cost: O(n1 n2 min(depth, leaves)^2) arithmetic in
    numpy and about ``sum over batches of min(subtree sizes)`` Python steps.
    """
    rename = np.asarray(rename, dtype=np.float64)
    if rename.shape != (len(children1), len(children2)):
        raise ValueError(f"rename has shape {rename.shape}, trees have {len(children1)} and {len(children2)} nodes")
    mirror = _mirror_is_cheaper(children1, children2)
    t1, t2 = _Postorder.build(children1, mirror), _Postorder.build(children2, mirror)
    n1, n2 = t1.n, t2.n
    costs = np.zeros((n1 + 1, n2 + 1))
    costs[1:, 1:] = rename[np.ix_(t1.order, t2.order)]
    mats = _Matrices(costs, _single_node_distances(costs, t1, t2))
    offset = n1 + 1
    lml = np.concatenate([t1.lml, t2.lml + offset])
    size = np.concatenate([t1.size, t2.size])
    a = np.repeat(t1.keyroots, len(t2.keyroots))
    b = np.tile(t2.keyroots, len(t1.keyroots)) + offset
    level_sum = np.repeat(t1.levels, len(t2.levels)) + np.tile(t2.levels, len(t1.levels))
    flip = size[a] > size[b]  # rows = the smaller subtree
    row_keys, col_keys = np.where(flip, b, a), np.where(flip, a, b)
    for group in _batches(level_sum, size[row_keys], size[col_keys]):
        _run_batch(_Side(row_keys[group], lml, size), _Side(col_keys[group], lml, size), flip[group], mats)
    return float(mats.td[n1 * (n2 + 1) + n2])
