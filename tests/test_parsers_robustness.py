"""Robustness on real malformed files (../shared/evaldata/malformed: qpdf's damaged, encrypted
and fuzzed PDFs with their .out notes, unstructured's odd encodings and formats): every file
ends parsed or as a typed failure within the time limit, for every parser.

CI budget: every file for pymupdf, docling and unstructured (~20 s each on 2 cores), a
stratified subset for the OCR-heavy parsers (ocr, pymupdf4llm: every unstructured file and every
4th qpdf file); ``benchmarks/bench_parse.py --malformed`` runs the full matrix.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from rag_eval_assets.lib.documents import FAILURE_KINDS
from rag_eval_assets.lib.parsers import parse_document, parser_status, shutdown_workers

TIMEOUT_S = 60.0
SLACK_S = 20.0  # worker kill + restart on top of the time limit
FULL = ("pymupdf", "docling", "unstructured")
SUBSET = ("ocr", "pymupdf4llm")
# files whose outcome is known for every parser
EXPECTED = {
    "unstructured/pdf/password.pdf": "encrypted",
    "unstructured/empty.txt": "empty",
    "unstructured/fake-text-all-whitespace.txt": "empty",
    "unstructured/fake-text-utf-16-be.txt": "ok",
    "unstructured/fake-text-utf-32.txt": "ok",
    "unstructured/umlauts-non-utf8.md": "ok",
    "unstructured/password_protected.xlsx": "unsupported",
    "qpdf/enc-long-password.pdf": "encrypted",
    "qpdf/bad1.pdf": "corrupt",
}

pytestmark = pytest.mark.evaldata


def malformed_files(root: Path, subset: bool) -> list[Path]:
    """Files under malformed/ (sorted); ``subset``: all of unstructured/ + every 4th qpdf file."""
    base = root / "malformed"
    files = sorted(p for p in base.rglob("*") if p.is_file() and not p.name.startswith("SOURCE_"))
    if not subset:
        return files
    qpdf = [p for p in files if p.relative_to(base).parts[0] == "qpdf"]
    keep = set(qpdf[::4]) | {base / k for k in EXPECTED}
    return [p for p in files if p.relative_to(base).parts[0] != "qpdf" or p in keep]


@pytest.fixture(scope="module", autouse=True)
def _stop_workers():
    yield
    shutdown_workers()


@pytest.mark.parametrize("parser", FULL + SUBSET)
def test_every_malformed_file_is_parsed_or_a_typed_failure(parser: str, evaldata: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    if reason := parser_status()[parser]:
        pytest.skip(f"parser {parser!r} unusable here: {reason}")
    base = evaldata / "malformed"
    if not base.is_dir():
        pytest.skip(f"{base} is absent")
    files = malformed_files(evaldata, subset=parser in SUBSET)
    outcomes: Counter[str] = Counter()
    slowest = (0.0, "")
    start_all = time.perf_counter()
    problems = []
    for path in files:
        rel = path.relative_to(base).as_posix()
        start = time.perf_counter()
        doc = parse_document(path, parser, timeout_s=TIMEOUT_S)
        wall = time.perf_counter() - start
        kind = doc.failure.kind if doc.failure else "ok"
        outcomes[kind] += 1
        slowest = max(slowest, (wall, rel))
        if doc.failure is not None and doc.failure.kind not in FAILURE_KINDS:
            problems.append(f"{rel}: untyped failure {doc.failure}")
        if wall > TIMEOUT_S + SLACK_S:
            problems.append(f"{rel}: took {wall:.0f} s")
        if rel in EXPECTED and kind != EXPECTED[rel]:
            problems.append(f"{rel}: expected {EXPECTED[rel]}, got {kind} ({doc.failure})")
        if doc.ok and not (doc.text.strip() or doc.tables):
            problems.append(f"{rel}: ok but no text")
    total = time.perf_counter() - start_all
    with capsys.disabled():
        cols = ("ok", *FAILURE_KINDS)
        print(f"\n{parser:<12} files={len(files):>3} " + " ".join(f"{c}={outcomes[c]}" for c in cols)
              + f"  total={total:.1f}s slowest={slowest[0]:.1f}s ({slowest[1]})")
    assert not problems, "\n".join(problems)
