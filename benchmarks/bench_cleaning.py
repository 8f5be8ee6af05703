"""Cleaning benchmark: throughput of each cleaning step, with ratios against a baseline
measured in the same run.

- PII: chars/s of ``detect_pii`` with spaCy NER (baseline) vs pattern-only (``nlp=False``);
- language: build time and texts/s of the detector restricted to the ontology's languages
  (baseline) vs all 75 lingua languages (1.3 GB of models);
- boilerplate: pages/s of ``extract_main_text`` in balanced mode (baseline) vs precision/recall;
- unicode: chars/s of ``normalize_unicode`` (its own baseline; for scale).

Inputs: the committed sample (golden_sets/sample, sample_corpus) and, when present,
../shared/evaldata (presidio synthetic sentences, lingua sentences, AEB pages).
Each engine is built once (its build time is reported) and every timing repeats ``--repeat``
times, keeping the best.

Usage: ``python benchmarks/bench_cleaning.py [--repeat N] [--skip-all-languages]``
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rag_eval_assets.lib.cleaning import (
    detect_pii,
    extract_main_text,
    normalize_unicode,
    ontology_languages,
)
from rag_eval_assets.lib.cleaning import language as lang
from rag_eval_assets.lib.cleaning.pii import analyzer
from rag_eval_assets.lib.goldens import GoldenSet, default_evaldata_root, load_aeb, load_presidio_spans

Row = tuple[str, str, float | None, int, str, float]  # step, variant, build s, items, unit, rate


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _built(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _inputs() -> dict[str, list[str]]:
    """Texts per step: sample corpus first, evaldata added when present."""
    golden = GoldenSet.load(ROOT / "golden_sets" / "sample")
    evaldata = default_evaldata_root()
    pii = [golden.parse[d] for d in golden.pii]
    paragraphs = [p for d in golden.language for p in golden.parse[d].split("\n\n") if len(p.split()) >= 5]
    corpus = ROOT / "sample_corpus"
    pages = [(corpus / golden.documents[d].path).read_text(encoding="utf-8") for d in golden.boilerplate]
    if (synthetic := evaldata / "pii" / "presidio_synthetic" / "synth_dataset_v2.json").is_file():
        pii += [s.full_text for s in load_presidio_spans(synthetic)[:300]]
    if (sentences := evaldata / "langid" / "lingua" / "sentences").is_dir():
        paragraphs += [line for code in ontology_languages()
                       for line in (sentences / f"{code}.txt").read_text(encoding="utf-8").splitlines()[:100]]
    if (aeb := evaldata / "boilerplate" / "scrapinghub_aeb").is_dir():
        pages += [html for html, _ in list(load_aeb(aeb).values())[:40]]
    return {"pii": pii, "language": paragraphs, "boilerplate": pages}


def bench_pii(texts: Sequence[str], repeat: int) -> list[Row]:
    chars = sum(map(len, texts))
    rows: list[Row] = []
    for variant, nlp in (("spaCy NER + patterns", True), ("patterns only", False)):
        build = _built(lambda nlp=nlp: analyzer(nlp))
        seconds = _best(lambda nlp=nlp: [detect_pii(t, nlp=nlp) for t in texts], repeat)
        rows.append(("pii", variant, build, chars, "chars/s", chars / seconds))
    return rows


def bench_language(texts: Sequence[str], repeat: int, all_languages: bool) -> list[Row]:
    rows: list[Row] = []
    variants = [(f"{len(ontology_languages())} ontology languages", None)]
    variants += [("all 75 languages", "all")] if all_languages else []
    for variant, languages in variants:
        build = _built(lambda languages=languages: lang.detector(languages))
        seconds = _best(lambda languages=languages: [lang.detect_language(t, languages) for t in texts], repeat)
        rows.append(("language", variant, build, len(texts), "texts/s", len(texts) / seconds))
    return rows


def bench_boilerplate(pages: Sequence[str], repeat: int) -> list[Row]:
    rows: list[Row] = []
    for mode in ("balanced", "precision", "recall"):
        build = _built(lambda mode=mode: extract_main_text(pages[0], mode)) if mode == "balanced" else None
        seconds = _best(lambda mode=mode: [extract_main_text(p, mode) for p in pages], repeat)
        rows.append(("boilerplate", mode, build, len(pages), "pages/s", len(pages) / seconds))
    return rows


def bench_unicode(texts: Sequence[str], repeat: int) -> list[Row]:
    chars = sum(map(len, texts))
    seconds = _best(lambda: [normalize_unicode(t) for t in texts], repeat)
    return [("unicode", "normalize_unicode", None, chars, "chars/s", chars / seconds)]


def with_ratios(rows: list[Row]) -> list[tuple[str, str, float | None, int, str, float, str]]:
    """Each row plus its rate divided by the first row of its step (the baseline)."""
    out, baseline = [], {}
    for row in rows:
        if row[0] not in baseline:
            baseline[row[0]] = row[5]
            out.append((*row, "baseline"))
        else:
            out.append((*row, f"{row[5] / baseline[row[0]]:.2f}x"))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-all-languages", action="store_true", help="skip the 1.3 GB all-language detector")
    args = parser.parse_args(argv)
    inputs = _inputs()
    rows = (bench_pii(inputs["pii"], args.repeat)
            + bench_language(inputs["language"], args.repeat, not args.skip_all_languages)
            + bench_boilerplate(inputs["boilerplate"], args.repeat)
            + bench_unicode(inputs["language"] + inputs["pii"], args.repeat))
    header = ("step", "variant", "build s", "items", "unit", "rate", "vs baseline")
    table = [header] + [(s, v, "-" if b is None else f"{b:.2f}", str(n), u, f"{r:,.0f}", x)
                        for s, v, b, n, u, r, x in with_ratios(rows)]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for i, r in enumerate(table):
        print("  ".join(c.ljust(w) if j < 2 or j == 4 else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths))))
        if i == 0:
            print("  ".join("-" * w for w in widths))


if __name__ == "__main__":
    main()
