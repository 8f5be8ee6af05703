"""TEDS / TEDS-S (rag_eval_assets.lib.metrics.tables) and the tree edit distance behind it.

Pinned: PubTabNet val_mini scores from the reference ``metric.py`` (evaldata). Oracles: a
textbook Zhang–Shasha (below) for the tree edit distance, and the reference formulation in
``benchmarks/bench_teds.py`` (apted + distance, skipped when those are not installed).
"""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from rag_eval_assets.lib.goldens import load_expected_teds, load_pubtabnet_html
from rag_eval_assets.lib.metrics import tables
from rag_eval_assets.lib.metrics._ted import zhang_shasha
from rag_eval_assets.lib.metrics.tables import teds, teds_s

ROOT = Path(__file__).resolve().parents[1]


def _table(*rows: str, head: str = "") -> str:
    """``<html><body><table>`` with an optional thead row and tbody rows of ``<td>`` markup."""
    thead = f"<thead><tr>{head}</tr></thead>" if head else ""
    body = "".join(f"<tr>{row}</tr>" for row in rows)
    return f"<html><body><table>{thead}<tbody>{body}</tbody></table></body></html>"


GRID = _table("<td>Age</td><td>abcd</td>", "<td>Sex</td><td>12</td>")


@pytest.fixture(scope="module")
def reference() -> ModuleType:
    """The reference formulation (PubTabNet's metric.py semantics) from the benchmark script."""
    pytest.importorskip("apted", reason="apted is needed for the reference TEDS oracle")
    pytest.importorskip("distance", reason="distance is needed for the reference TEDS oracle")
    spec = importlib.util.spec_from_file_location("bench_teds", ROOT / "benchmarks" / "bench_teds.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


# ---------------------------------------------------------------- pinned reference values

@pytest.mark.evaldata
def test_val_mini_equals_pubtabnet_reference(evaldata: Path) -> None:
    folder = evaldata / "tables" / "pubtabnet" / "val_mini"
    preds = load_pubtabnet_html(folder / "sample_pred.json")
    gts = load_pubtabnet_html(folder / "sample_gt.json")
    expected = load_expected_teds(folder / "expected_teds.json")
    assert len(expected) == 7
    for name, score in expected.items():
        assert teds(preds[name], gts[name]) == pytest.approx(score, abs=1e-6), name


@pytest.mark.evaldata
def test_train_examples_identity_and_reference_teds_s(evaldata: Path, reference: ModuleType) -> None:
    gts = load_pubtabnet_html(evaldata / "tables" / "pubtabnet" / "train_examples" / "gt_html_derived.json")
    assert len(gts) >= 7
    for name, html in gts.items():
        assert teds(html, html) == 1.0 and teds_s(html, html) == 1.0, name
        pred = reference.perturb(html)
        ours = teds_s(pred, html)
        assert ours < 1.0
        assert ours == pytest.approx(reference.reference_teds(pred, html, True), abs=1e-9), name


# ---------------------------------------------------------------- hand-computed cases

def test_one_changed_cell_in_2x2_table() -> None:
    pred = GRID.replace("abcd", "abcx")
    # 7 nodes below <table> (tbody, 2 tr, 4 td); renaming td(abcd) -> td(abcx) costs 1 edit / 4 tokens
    assert teds(pred, GRID) == pytest.approx(1 - 0.25 / 7)
    assert teds_s(pred, GRID) == 1.0


def test_identity_symmetry_and_structure_only() -> None:
    other = _table("<td>x</td><td>y</td>", "<td>z</td><td colspan=\"2\">w</td>")
    assert teds(GRID, GRID) == 1.0
    assert teds(GRID, other) == teds(other, GRID) < 1.0
    relabelled = GRID.replace("Age", "Height").replace("12", "<b>twelve</b>")
    assert teds(relabelled, GRID) < 1.0
    assert teds_s(relabelled, GRID) == teds(relabelled, GRID, structure_only=True) == 1.0
    # a span change is structure: TEDS-S sees it
    assert teds_s(GRID.replace("<td>12</td>", "<td rowspan=\"2\">12</td>"), GRID) == pytest.approx(1 - 1 / 7)


def test_thead_tbody_are_nodes_as_written() -> None:
    plain = "<table><tr><td>a</td></tr></table>"
    with_tbody = "<table><tbody><tr><td>a</td></tr></tbody></table>"
    assert teds(plain, with_tbody) == pytest.approx(1 - 1 / 3)  # insert tbody; 3 nodes below table
    header_in_thead = "<table><thead><tr><td>h</td></tr></thead><tbody><tr><td>a</td></tr></tbody></table>"
    header_in_tbody = "<table><tbody><tr><td>h</td></tr><tr><td>a</td></tr></tbody></table>"
    # delete thead and tbody, insert one tbody around both rows: 3 edits over 6 nodes
    assert teds(header_in_thead, header_in_tbody) == pytest.approx(0.5)


def test_node_count_includes_elements_inside_cells() -> None:
    bold = "<table><tr><td><b>a</b></td></tr></table>"
    # tree: table/tr/td on both sides; counts 3 (tr, td, b) vs 2; cell tokens [<b>, a, </b>] vs [a]
    assert teds(bold, "<table><tr><td>a</td></tr></table>") == pytest.approx(1 - (2 / 3) / 3)


# ---------------------------------------------------------------- inputs the reference scores 0.0

def test_bare_table_is_scored_not_zero() -> None:
    bare = "<table><tr><td>a</td><td>b</td></tr></table>"
    assert teds(bare, bare) == 1.0
    assert teds(bare, f"<html><body>{bare}</body></html>") == 1.0
    assert teds(f"<div>{bare}</div>", bare) == 1.0


def test_no_table_empty_and_bad_input_raise() -> None:
    for bad in ("", "   ", "<p>no table here</p>", "plain text"):
        with pytest.raises(ValueError, match="table|empty"):
            teds(bad, GRID)
    with pytest.raises(TypeError):
        teds(None, GRID)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="colspan"):
        teds(GRID.replace("<td>12</td>", "<td colspan=\"two\">12</td>"), GRID)


def test_empty_tables() -> None:
    assert teds("<table></table>", "<table></table>") == 1.0  # documented; the reference divides by 0
    assert teds("<table></table>", GRID) == 0.0  # all 7 nodes inserted: a real score


# ---------------------------------------------------------------- against the reference formulation

ORACLE_CASES = [
    (GRID, GRID.replace("abcd", "abcx")),
    ("<html><body><table><tr><td>a</td></tr></table></body></html>", _table("<td>a</td>")),
    (_table("<td>1</td><td rowspan=\"2\">x<sup>2</sup></td>", "<td>3</td>", head="<th><b>H</b></th><td>K</td>"),
     _table("<td>1</td><td>x2</td>", "<td>3</td><td>4</td>", head="<td><b>H</b></td><td>K</td>")),
    (_table("<td colspan=\"2\"><i>p</i> &lt; 0.05</td>", "<td>a</td><td>b</td>"),
     _table("<td colspan=\"2\">p &lt; 0.05</td>", "<td>a</td>", "<td>b</td>")),
    (_table(*[f"<td>r{i}</td><td>{i * 7}</td><td>x</td>" for i in range(6)], head="<td>h</td><td>v</td><td>u</td>"),
     _table(*[f"<td>r{i}</td><td>{i * 7 + 1}</td>" for i in range(7)], head="<td>h</td><td>v</td>")),
]


@pytest.mark.parametrize("structure_only", [False, True])
@pytest.mark.parametrize("pred,true", ORACLE_CASES)
def test_matches_reference_formulation(reference: ModuleType, pred: str, true: str, structure_only: bool) -> None:
    expected = reference.reference_teds(pred, true, structure_only)
    assert 0.0 < expected
    assert teds(pred, true, structure_only=structure_only) == pytest.approx(expected, abs=1e-12)


def test_cell_costs_equal_the_distance_package(reference: ModuleType) -> None:
    import distance
    from lxml import etree

    # "\ue000" is the first code point tags would get: the encoding must skip it
    html = _table("<td>a<b>b</b>c</td><td>abc</td><td></td><td>\ue000x</td><td><b>\ue000</b></td>")
    tree = tables.table_tree(html)
    costs = tables._rename_costs(tree, tree)
    td_ids = [i for i, key in enumerate(tree.keys) if key[0] == "td"]
    elements = etree.fromstring(html, etree.HTMLParser()).xpath("//td")
    tokens = {i: reference._ref_tokens(element, [])[1:-1] for i, element in zip(td_ids, elements, strict=True)}
    for i in td_ids:
        for j in td_ids:
            a, b = tokens[i], tokens[j]
            assert costs[i, j] == (float(distance.levenshtein(a, b)) / max(len(a), len(b)) if a or b else 0.0)
    assert costs[td_ids[3], td_ids[4]] > 0.0


# ---------------------------------------------------------------- tree edit distance

def _textbook_zhang_shasha(children1: list[list[int]], children2: list[list[int]], rename: np.ndarray) -> float:
    """Zhang & Shasha (1989) as printed: keyroots, forest distance per keyroot pair."""
    def postorder(children: list[list[int]]) -> tuple[list[int], list[int], list[int]]:
        order: list[int] = []

        def visit(node: int) -> None:
            for kid in children[node]:
                visit(kid)
            order.append(node)
        visit(0)
        number = {node: k for k, node in enumerate(order)}
        lml = [0] * len(order)
        for k, node in enumerate(order):
            lml[k] = lml[number[children[node][0]]] if children[node] else k
        keyroots = sorted({max(k for k in range(len(order)) if lml[k] == leaf) for leaf in set(lml)})
        return order, lml, keyroots

    (o1, l1, k1), (o2, l2, k2) = postorder(children1), postorder(children2)
    td = np.zeros((len(o1), len(o2)))
    for a in k1:
        for b in k2:
            m, n = a - l1[a] + 2, b - l2[b] + 2
            fd = np.zeros((m, n))
            fd[:, 0], fd[0, :] = np.arange(m), np.arange(n)
            for x in range(1, m):
                for y in range(1, n):
                    i, j = x + l1[a] - 1, y + l2[b] - 1
                    if l1[i] == l1[a] and l2[j] == l2[b]:
                        fd[x, y] = min(fd[x - 1, y] + 1, fd[x, y - 1] + 1, fd[x - 1, y - 1] + rename[o1[i], o2[j]])
                        td[i, j] = fd[x, y]
                    else:
                        fd[x, y] = min(fd[x - 1, y] + 1, fd[x, y - 1] + 1,
                                       fd[l1[i] - l1[a], l2[j] - l2[b]] + td[i, j])
    return float(td[-1, -1])


def _random_tree(rng: random.Random, n: int) -> list[list[int]]:
    fan = rng.randint(1, 5)
    children: list[list[int]] = [[] for _ in range(n)]
    for node in range(1, n):
        children[rng.randrange(max(0, node - fan), node) if rng.random() < 0.6 else rng.randrange(node)].append(node)
    return children


@pytest.mark.parametrize("max_cells", [zhang_shasha._MAX_BATCH_CELLS, 50])
def test_tree_edit_distance_equals_textbook_zhang_shasha(monkeypatch: pytest.MonkeyPatch, max_cells: int) -> None:
    monkeypatch.setattr(zhang_shasha, "_MAX_BATCH_CELLS", max_cells)  # 50: many small batches
    rng = random.Random(20240611)
    for trial in range(120):
        t1, t2 = _random_tree(rng, rng.randint(1, 25)), _random_tree(rng, rng.randint(1, 25))
        rename = np.array([[rng.random() * (0.3, 1.0, 2.5)[trial % 3] for _ in t2] for _ in t1])
        if trial % 4 == 0:
            rename = np.round(rename)
        ours = zhang_shasha.tree_edit_distance(t1, t2, rename)
        assert ours == pytest.approx(_textbook_zhang_shasha(t1, t2, rename), abs=1e-9), trial


def test_tree_edit_distance_small_cases() -> None:
    one, chain = [[]], [[1], [2], []]
    assert zhang_shasha.tree_edit_distance(one, one, np.array([[0.4]])) == pytest.approx(0.4)
    assert zhang_shasha.tree_edit_distance(one, chain, np.ones((1, 3))) == 3.0  # rename + 2 inserts
    assert zhang_shasha.tree_edit_distance(chain, one, np.zeros((3, 1))) == 2.0
    with pytest.raises(ValueError, match="shape"):
        zhang_shasha.tree_edit_distance(one, chain, np.ones((3, 1)))
