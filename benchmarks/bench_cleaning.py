"""Cleaning benchmark: throughput of each cleaning step, with ratios against a baseline
measured in the same run.

- PII: chars/s of ``detect_pii`` with spaCy NER (baseline) vs pattern-only (``nlp=False``) and
  with the ontology allow-list;
- language: build time, texts/s and peak resident memory of the detector restricted to the
  ontology's languages (baseline: the detector before issue 15) vs lingua over all 75 languages
  in low-accuracy mode (the default), with short-text refinement ("mixed") and in high-accuracy
  mode (1.3 GB); each variant runs in its own process (so its memory is its own) on the same
  texts, plus accuracy on lingua's sentences of 13 major languages (8 ontology + nl pl zh ja ar);
- boilerplate: pages/s of ``extract_main_text`` in balanced mode (baseline) vs precision/recall;
- unicode: chars/s of ``normalize_unicode`` (its own baseline; for scale).

Inputs: the committed sample (golden_sets/sample, sample_corpus) and, when present,
../shared/evaldata (presidio synthetic sentences, lingua sentences, AEB pages).
Each engine is built once (its build time is reported) and every timing repeats ``--repeat``
times, keeping the best.

Usage: ``python benchmarks/bench_cleaning.py [--repeat N] [--skip-all-languages]``
(``--skip-all-languages`` leaves out the 1.3 GB high-accuracy variant).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
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
    pii_allow_list,
)
from rag_eval_assets.lib.cleaning import language as lang
from rag_eval_assets.lib.cleaning.pii import analyzer
from rag_eval_assets.lib.goldens import (
    GoldenSet,
    default_evaldata_root,
    load_aeb,
    load_presidio_spans,
)

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
    allow = pii_allow_list()
    for variant, nlp, allow_list in (("spaCy NER + patterns", True, None), ("patterns only", False, None),
                                     ("spaCy + ontology allow-list", True, allow)):
        build = _built(lambda nlp=nlp: analyzer(nlp))
        seconds = _best(lambda nlp=nlp, a=allow_list: [detect_pii(t, nlp=nlp, allow_list=a) for t in texts], repeat)
        rows.append(("pii", variant, build, chars, "chars/s", chars / seconds))
    return rows


MAJOR_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "ru", "el", "nl", "pl", "zh", "ja", "ar")
LANGUAGE_VARIANTS = {  # name -> (languages, accuracy); the first is the baseline
    "8 ontology languages, high (before)": ("ontology", "high"),
    "all 75, low accuracy (default)": (None, "low"),
    "all 75, mixed (short-text refinement)": (None, "mixed"),
    "all 75, high accuracy": (None, "high"),
}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def language_variant(name: str, repeat: int) -> dict[str, float]:
    """One language variant, measured in this (fresh) process: build s, texts/s, peak RSS after
    the timed texts and after the 13-language accuracy run, and that accuracy."""
    languages, accuracy = LANGUAGE_VARIANTS[name]
    codes = list(ontology_languages()) if languages == "ontology" else None
    texts = _inputs()["language"]
    build = _built(lambda: lang.detector(codes) if codes else lang.detector("all", low_accuracy=accuracy != "high"))
    seconds = _best(lambda: [lang.detect_language(t, codes, accuracy=accuracy) for t in texts], repeat)
    rss_texts = _rss_mb()
    out = {"build": build, "items": len(texts), "rate": len(texts) / seconds, "rss_texts": rss_texts}
    sentences = default_evaldata_root() / "langid" / "lingua" / "sentences"
    if sentences.is_dir():
        gold = [(code, line) for code in MAJOR_LANGUAGES
                for line in (sentences / f"{code}.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
        hits = sum(lang.detect_language(line, codes, accuracy=accuracy) == code for code, line in gold)
        out.update(accuracy13=hits / len(gold), rss_after_accuracy=_rss_mb())
    return out


def bench_language(repeat: int, all_languages: bool) -> tuple[list[Row], list[str]]:
    """Every variant in its own subprocess (memory is per process); rows + a memory/accuracy note."""
    rows: list[Row] = []
    notes = []
    for name in LANGUAGE_VARIANTS:
        if not all_languages and name == "all 75, high accuracy":
            continue
        out = subprocess.run([sys.executable, __file__, "--language-variant", name, "--repeat", str(repeat)],
                             capture_output=True, text=True, check=True)
        m = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(("language", name, m["build"], int(m["items"]), "texts/s", m["rate"]))
        acc = f"accuracy 13 major {m['accuracy13']:.4f}, peak RSS {m['rss_after_accuracy']:,.0f} MB after it" \
            if "accuracy13" in m else "no evaldata: accuracy not measured"
        notes.append(f"  {name}: peak RSS {m['rss_texts']:,.0f} MB after the timed texts; {acc}")
    return rows, notes


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
    parser.add_argument("--skip-all-languages", action="store_true", help="skip the 1.3 GB high-accuracy detector")
    parser.add_argument("--language-variant", help=argparse.SUPPRESS)  # child process of bench_language
    args = parser.parse_args(argv)
    if args.language_variant:
        print(json.dumps(language_variant(args.language_variant, args.repeat)))
        return
    inputs = _inputs()
    language_rows, notes = bench_language(args.repeat, not args.skip_all_languages)
    rows = (bench_pii(inputs["pii"], args.repeat)
            + language_rows
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
    print("\nlanguage memory and accuracy (each variant in its own process):")
    print("\n".join(notes))


if __name__ == "__main__":
    main()
