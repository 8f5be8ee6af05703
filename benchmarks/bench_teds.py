"""TEDS benchmark: PubTabNet's reference formulation vs ``rag_eval_assets.lib.metrics.tables``.

Runs both on the same tables in the same process and prints, per table, both scores, both
times and the speed ratio (reference time / our time), then the totals:

- ``val_mini``: TEDS(sample_pred, sample_gt), checked against ``expected_teds.json``;
- ``train_examples``: TEDS and TEDS-S of each ground-truth table against a perturbed copy
  (every third cell's text reversed, the last row dropped), so the edit distance is non-trivial.

The reference formulation below restates ``src/metric.py`` of ibm-aur-nlp/PubTabNet (apted tree
edit distance, ``distance.levenshtein`` rename cost, lxml parsing, ``body/table``, node count
``.//*``) without its ``parallel``/``tqdm`` imports; ``tests/test_metrics_tables.py`` loads it
from here as an oracle. Needs ``apted`` and ``distance`` (not runtime dependencies).

Usage: ``python benchmarks/bench_teds.py [--repeat N]``
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import distance
from apted import APTED, Config
from apted.helpers import Tree
from lxml import html as lxml_html

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# ---------------------------------------------------------------- reference (PubTabNet)

class _RefTree(Tree):
    def __init__(self, tag: Any, colspan: int | None, rowspan: int | None, content: list[str] | None) -> None:
        self.tag, self.colspan, self.rowspan, self.content = tag, colspan, rowspan, content
        self.children: list[_RefTree] = []


class _RefConfig(Config):
    def rename(self, node1: _RefTree, node2: _RefTree) -> float:
        if (node1.tag, node1.colspan, node1.rowspan) != (node2.tag, node2.colspan, node2.rowspan):
            return 1.0
        if node1.tag == "td" and (node1.content or node2.content):
            return float(distance.levenshtein(node1.content, node2.content)) / max(
                len(node1.content), len(node2.content))
        return 0.0


def _ref_tokens(node: Any, out: list[str]) -> list[str]:
    out.append(f"<{node.tag}>")
    if node.text is not None:
        out += list(node.text)
    for child in node.getchildren():
        _ref_tokens(child, out)
    if node.tag != "unk":
        out.append(f"</{node.tag}>")
    if node.tag != "td" and node.tail is not None:
        out += list(node.tail)
    return out


def _ref_tree(node: Any, structure_only: bool) -> _RefTree:
    if node.tag == "td":
        cell = [] if structure_only else _ref_tokens(node, [])[1:-1]
        return _RefTree("td", int(node.attrib.get("colspan", "1")), int(node.attrib.get("rowspan", "1")), cell)
    tree = _RefTree(node.tag, None, None, None)
    tree.children = [_ref_tree(child, structure_only) for child in node.getchildren()]
    return tree


def reference_teds(pred: str, true: str, structure_only: bool = False) -> float:
    """PubTabNet ``TEDS(structure_only).evaluate(pred, true)``, same semantics (0.0 without a table)."""
    if not pred or not true:
        return 0.0
    parser = lxml_html.HTMLParser(remove_comments=True, encoding="utf-8")
    # metric.py passes the parser positionally, i.e. as ``base_url``: lxml 6 raises TypeError on that.
    pred_doc, true_doc = lxml_html.fromstring(pred, parser=parser), lxml_html.fromstring(true, parser=parser)
    if not (pred_doc.xpath("body/table") and true_doc.xpath("body/table")):
        return 0.0
    pred_table, true_table = pred_doc.xpath("body/table")[0], true_doc.xpath("body/table")[0]
    n_nodes = max(len(pred_table.xpath(".//*")), len(true_table.xpath(".//*")))
    ted = APTED(_ref_tree(pred_table, structure_only), _ref_tree(true_table, structure_only),
                _RefConfig()).compute_edit_distance()
    return 1.0 - float(ted) / n_nodes


# ---------------------------------------------------------------- benchmark

def perturb(table_html: str) -> str:
    """A deterministic imperfect prediction: every third cell's text reversed, last row dropped."""
    count = iter(range(10**9))
    html = re.sub(r"(<td[^>]*>)([^<]*)(</td>)",
                  lambda m: m.group(1) + (m.group(2)[::-1] if next(count) % 3 == 0 else m.group(2)) + m.group(3),
                  table_html)
    last_row = html.rfind("<tr>")
    return html[:last_row] + html[html.find("</tr>", last_row) + len("</tr>"):] if last_row >= 0 else html


def _timed(fn: Callable[[], float], repeat: int) -> tuple[float, float]:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return value, best


def _cases(evaldata: Path) -> list[tuple[str, str, str, bool, float | None]]:
    from rag_eval_assets.lib.goldens import load_expected_teds, load_pubtabnet_html

    val = evaldata / "tables" / "pubtabnet" / "val_mini"
    preds, gts = load_pubtabnet_html(val / "sample_pred.json"), load_pubtabnet_html(val / "sample_gt.json")
    expected = load_expected_teds(val / "expected_teds.json")
    cases = [(f"val_mini/{name}", preds[name], gts[name], False, expected.get(name)) for name in sorted(gts)]
    train = load_pubtabnet_html(evaldata / "tables" / "pubtabnet" / "train_examples" / "gt_html_derived.json")
    for name in sorted(train):
        for structure_only in (False, True):
            cases.append((f"train/{name}{' (S)' if structure_only else ''}", perturb(train[name]), train[name],
                          structure_only, None))
    return cases


def main(argv: list[str] | None = None) -> int:
    from rag_eval_assets.lib.goldens import default_evaldata_root
    from rag_eval_assets.lib.metrics.tables import teds

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="best of N timings per table (default 1)")
    args = parser.parse_args(argv)
    evaldata = default_evaldata_root()
    if not evaldata.is_dir():
        print(f"evaldata folder {evaldata} is absent; nothing to benchmark", file=sys.stderr)
        return 2
    teds("<table><tr><td>warm</td></tr></table>", "<table><tr><td>up</td></tr></table>")
    print(f"{'table':<42}{'nodes':>6}{'reference':>12}{'ours':>12}{'|diff|':>9}"
          f"{'ref s':>9}{'ours s':>9}{'ratio':>8}")
    groups: dict[str, list[tuple[float, float]]] = {}
    worst_diff = 0.0
    for name, pred, true, structure_only, expected in _cases(evaldata):
        ref_value, ref_time = _timed(partial(reference_teds, pred, true, structure_only), args.repeat)
        our_value, our_time = _timed(partial(teds, pred, true, structure_only=structure_only), args.repeat)
        nodes = len(lxml_html.fromstring(true).xpath("//table//*"))
        diff = max(abs(ref_value - our_value), abs(expected - our_value) if expected is not None else 0.0)
        worst_diff = max(worst_diff, diff)
        group = name.split("/")[0] + (" TEDS-S" if structure_only else " TEDS")
        groups.setdefault(group, []).append((ref_time, our_time))
        print(f"{name:<42}{nodes:>6}{ref_value:>12.6f}{our_value:>12.6f}{diff:>9.1e}"
              f"{ref_time:>9.3f}{our_time:>9.4f}{ref_time / our_time:>7.0f}x")
    print()
    for group, times in groups.items():
        ref_total, our_total = sum(t for t, _ in times), sum(t for _, t in times)
        print(f"{group:<22} reference {ref_total:7.2f} s  ours {our_total:6.3f} s  total ratio "
              f"{ref_total / our_total:5.0f}x  min per-table ratio {min(r / o for r, o in times):4.0f}x")
    print(f"max |ours - reference| (and vs expected_teds.json) = {worst_diff:.1e}")
    return 0 if worst_diff <= 1e-6 else 1


if __name__ == "__main__":
    raise SystemExit(main())
