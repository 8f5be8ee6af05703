"""Deterministic sample corpus generator with exact ground truth (golden sets).

``generate(corpus_dir, golden_dir, seed, size)`` plans the documents (``plan``; the parse-hazard
PDF classes in ``hazards``), renders them (PDF via reportlab platypus, or set line by line by
``typeset`` for the hazard classes; scans via pymupdf + pillow; HTML, DOCX, Markdown, text) and writes the
corpus with its ``_metadata.jsonl`` plus every golden file described in golden_sets/README.md.
The same seed gives byte-identical files. No Dagster import here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rag_eval_assets.lib.ontology import Ontology
from rag_eval_assets.sample.model import Doc
from rag_eval_assets.sample.plan import plan_corpus
from rag_eval_assets.sample.queries import build_filters, build_queries
from rag_eval_assets.sample.writer import (
    clear_outputs,
    render_all,
    summary,
    write_corpus,
    write_goldens,
)

__all__ = ["generate", "plan_corpus", "check_plan"]


def check_plan(docs: list[Doc], ontology: Ontology) -> None:
    """Fail fast on inconsistent ground truth: metadata, fact sentences, PII spans."""
    for d in docs:
        errors = ontology.validate_metadata(d.metadata())
        if errors:
            raise ValueError(f"{d.relpath}: invalid metadata {errors}")
        text = d.reference_text()
        for f in d.facts:
            if f.sentence not in text:
                raise ValueError(f"{d.relpath}: fact {f.key} is not in the document text")
        for s in d.pii:
            if text[s.start:s.end] != s.value:
                raise ValueError(f"{d.relpath}: PII span {s.start}-{s.end} does not hold its value")


def generate(corpus_dir: str | Path, golden_dir: str | Path, seed: int = 0, size: int | None = None,
             progress: Callable[[str], None] | None = None, workers: int | None = None) -> dict[str, Any]:
    """Write the sample corpus and its golden sets; return a summary (counts per class, queries)."""
    say = progress or (lambda _msg: None)
    corpus_dir, golden_dir = Path(corpus_dir), Path(golden_dir)
    ontology = Ontology.load()
    t0 = time.perf_counter()
    docs = plan_corpus(seed, size)
    check_plan(docs, ontology)
    say(f"planned {len(docs)} documents in {time.perf_counter() - t0:.1f}s")
    files = render_all(docs, seed, workers if workers is not None else min(4, os.cpu_count() or 1))
    say(f"rendered {len(docs)} documents in {time.perf_counter() - t0:.1f}s")
    records = build_queries(docs, seed)
    filters = build_filters(ontology, records, docs, seed)
    clear_outputs(corpus_dir, golden_dir)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    golden_dir.mkdir(parents=True, exist_ok=True)
    write_corpus(corpus_dir, docs, files)
    write_goldens(golden_dir, docs, records, filters, seed)
    say(f"wrote corpus to {corpus_dir} and golden sets to {golden_dir} in {time.perf_counter() - t0:.1f}s")
    return summary(docs, records)
