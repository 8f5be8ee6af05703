"""Parsers of the parse stage behind one entry point.

>>> doc = parse_document("report.pdf", "pymupdf")             # doctest: +SKIP
>>> doc.ok, doc.text[:40], [b.kind for b in doc.blocks][:3]     # doctest: +SKIP

``parse_document(path, parser, *, timeout_s=60, isolation="process", **options)`` returns a
``ParsedDocument`` (text in reading order, typed blocks with page and section path, tables as
PubTabNet HTML, parser version, seconds, ``ocr_pages``) or one with a typed ``failure``
(encrypted, corrupt, empty, unsupported, timeout, missing_dependency, error); it never raises
for a bad input file; ``parse_documents(paths, parser, ...)`` does the same for many files,
pipelined through the worker. Parsers: ``pymupdf``, ``pymupdf4llm``, ``docling``, ``unstructured``,
``ocr``. ``available_parsers()`` lists them; ``parser_status()`` says which are usable here and
why not. Options common to all: ``ocr`` (route text-less pages to tesseract, default True),
``ocr_lang`` ("eng"), ``ocr_dpi`` (200), ``password``; per parser: pymupdf ``structure``
(font heuristics, default True), pymupdf4llm ``use_layout`` (True), docling ``artifacts_path``,
unstructured ``strategy`` ("auto" | "fast" | "ocr_only").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from rag_eval_assets.lib.documents import ParsedDocument
from rag_eval_assets.lib.parsers.base import (
    REGISTRY,
    get_parser,
    is_parser_name,
    missing_requirement,
    run_parser,
)
from rag_eval_assets.lib.parsers.isolation import shutdown_workers, worker

ISOLATION_MODES = ("process", "none")

__all__ = ["ISOLATION_MODES", "available_parsers", "parse_document", "parse_documents", "parser_status",
           "shutdown_workers", "usable_parsers"]


def available_parsers() -> list[str]:
    """Names of every registered parser (usable here or not; see ``parser_status``)."""
    return list(REGISTRY)


def parser_status() -> dict[str, str | None]:
    """name -> None when the parser can run here, else the reason (the missing pip package or
    data). Imports no heavy library."""
    return {name: missing_requirement(get_parser(name)) for name in REGISTRY}


def usable_parsers() -> list[str]:
    """Registered parsers whose dependencies are installed here."""
    return [name for name, reason in parser_status().items() if reason is None]


def parse_document(path: str | Path, parser: str, *, timeout_s: float | None = 60,
                   isolation: str = "process", **options: Any) -> ParsedDocument:
    """Parse one file with the named parser; failures are returned, never raised.

    ``isolation="process"`` (default) runs the parser in its persistent worker subprocess, which
    enforces ``timeout_s`` (None: no limit) and survives crashes; ``"none"`` runs in this
    process (cheapest; ``timeout_s`` is then not enforced and a native crash kills the caller).
    Raises ValueError only for an unknown parser name or isolation mode (caller bugs).
    """
    _check(parser, isolation)
    if isolation == "none":
        return run_parser(path, parser, options)
    return worker(parser).parse(path, options, timeout_s)


def parse_documents(paths: Iterable[str | Path], parser: str, *, timeout_s: float | None = 60,
                    isolation: str = "process", **options: Any) -> Iterator[ParsedDocument]:
    """``parse_document`` over many files, results in input order. With ``isolation="process"``
    two documents are kept queued in the worker, hiding the pipe round trip (the cheapest way
    to run a cheap parser such as pymupdf with isolation); the time limit of each document runs
    from when its result is awaited."""
    _check(parser, isolation)
    if isolation == "none":
        return (run_parser(p, parser, options) for p in paths)
    return worker(parser).parse_many(paths, options, timeout_s)


def _check(parser: str, isolation: str) -> None:
    if not is_parser_name(parser):
        raise ValueError(f"unknown parser {parser!r}; known: {available_parsers()} or a 'package.module:Class' plug-in")
    if isolation not in ISOLATION_MODES:
        raise ValueError(f"isolation {isolation!r} not in {ISOLATION_MODES}")
