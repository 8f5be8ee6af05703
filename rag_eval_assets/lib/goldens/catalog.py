"""GoldenSet: every golden file of one folder, loaded with every error collected.

``GoldenSet.load(root)`` never aborts on malformed data: each bad row is a GoldenSetError in
``errors`` naming file and 1-based line, the row is skipped, and the good rows of the same file
are used (a bad ``pii.jsonl`` row costs that span only). A whole-file problem (unreadable, not
UTF-8 text, a CSV/TSV header without the required columns) is one error with line None and
that file gives no data. Duplicates are errors, the first occurrence kept (see ``formats``).
Cross-file checks (PII spans inside their parse reference, qrels and filters naming known
queries) are reported the same way. This is what the Dagster golden-set asset calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag_eval_assets.lib.goldens import formats as f
from rag_eval_assets.lib.goldens.rows import GoldenSetError


@dataclass
class GoldenSet:
    """References and labels of one golden-set folder (absent files give empty data)."""

    root: Path
    documents: dict[str, f.DocumentRecord] = field(default_factory=dict)
    parse: dict[str, str] = field(default_factory=dict)
    pages: dict[str, dict[int, str]] = field(default_factory=dict)
    headings: dict[str, list[f.Heading]] = field(default_factory=dict)
    tables: dict[str, list[f.TableRef]] = field(default_factory=dict)
    boilerplate: dict[str, str] = field(default_factory=dict)
    language: dict[str, str] = field(default_factory=dict)
    dedup_pairs: list[f.DedupPair] = field(default_factory=list)
    dedup_clusters: dict[str, str] = field(default_factory=dict)
    pii: dict[str, list[f.PiiSpan]] = field(default_factory=dict)
    pii_annotated: frozenset[str] = frozenset()  # documents whose PII is fully annotated (pii_annotated.json)
    queries: dict[str, str] = field(default_factory=dict)
    query_metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
    qrels: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)  # split -> qrels
    filters: list[f.FilterCase] = field(default_factory=list)
    errors: list[GoldenSetError] = field(default_factory=list)

    @classmethod
    def empty(cls) -> "GoldenSet":
        """No golden sets at all (no folder configured): every reference kind is empty."""
        return cls(Path(""))

    def check_fields(self, ontology: Any) -> None:
        """Filters naming fields the ontology does not have are errors (the rows stay usable)."""
        fields = set(getattr(ontology, "fields", {}))
        for case in self.filters:
            bad = sorted(set(case.predicate) - fields) + sorted(set(case.correct_predicate or {}) - fields)
            if bad:
                self.errors.append(GoldenSetError(self.root / f.FILTERS, getattr(case, "line", None),
                                                  f"query {case.query_id}: unknown ontology fields {bad}"))

    def unresolved_documents(self, corpus_docs: set[str]) -> dict[str, list[str]]:
        """Per golden file, document ids it names that are not documents of the corpus (a typo,
        or a golden set wider than the corpus)."""
        named = {f.PARSE_DIR: set(self.parse), f.PII: set(self.pii), f.HEADINGS: set(self.headings),
                 f.TABLES: set(self.tables), f.BOILERPLATE: set(self.boilerplate), f.LANGUAGE: set(self.language)}
        for split, qrels in self.qrels.items():
            named[f"{f.QRELS_DIR}/{split}.tsv"] = {d for rel in qrels.values() for d in rel}
        return {name: sorted(ids - corpus_docs) for name, ids in sorted(named.items()) if ids - corpus_docs}

    @classmethod
    def load(cls, root: str | Path) -> "GoldenSet":
        """Load every file present under ``root``: good rows kept, every bad row in ``errors``."""
        gs = cls(Path(root))
        if not gs.root.is_dir():
            gs.errors.append(GoldenSetError(gs.root, None, "golden-set folder does not exist"))
            return gs
        r, errors = gs.root, gs.errors
        gs.documents = f.load_documents(r, errors)
        gs.parse = f.load_parse_references(r, errors)
        gs.pages = f.load_page_references(r, errors)
        gs.headings = f.load_headings(r, errors)
        gs.tables = f.load_tables(r, errors)
        gs.boilerplate = f.load_boilerplate(r, errors)
        gs.language = f.load_language_labels(r, errors)
        gs.dedup_pairs = f.load_dedup_pairs(r, errors)
        gs.dedup_clusters = f.load_dedup_clusters(r, errors)
        gs.pii = f.load_pii_spans(r, texts=gs.parse, errors=errors)
        gs.pii_annotated = f.load_pii_annotated(r, texts=gs.parse, errors=errors)
        gs.queries, gs.query_metadata = f.load_queries(r / f.QUERIES, errors=errors)
        gs.qrels = f.load_all_qrels(r, errors)
        gs.filters = f.load_filters(r, errors)
        gs._check_query_ids()
        return gs

    def _check_query_ids(self) -> None:
        """qrels and filters must name queries of queries.jsonl (when it loaded): one error per
        qrels file (with the count), one per filter case (with its line); the rows stay."""
        if not self.queries:
            return
        for split, qrels in self.qrels.items():
            unknown = sorted(set(qrels) - set(self.queries))
            if unknown:
                self.errors.append(GoldenSetError(self.root / f.QRELS_DIR / f"{split}.tsv", None,
                                                  f"{len(unknown)} query ids not in {f.QUERIES}: {unknown[:5]}"))
        for case in self.filters:
            if case.query_id not in self.queries:
                self.errors.append(GoldenSetError(self.root / f.FILTERS, case.line,
                                                  f"query id {case.query_id!r} not in {f.QUERIES}"))

    def summary(self) -> dict[str, int]:
        """Counts per kind of data (0 = no reference for that stage) plus the error count."""
        return {
            "documents": len(self.documents),
            "parse": len(self.parse),
            "pages": sum(len(p) for p in self.pages.values()),
            "headings": sum(len(h) for h in self.headings.values()),
            "tables": sum(len(t) for t in self.tables.values()),
            "boilerplate": len(self.boilerplate),
            "language": len(self.language),
            "dedup_pairs": len(self.dedup_pairs),
            "dedup_clusters": len(set(self.dedup_clusters.values())),
            "pii_spans": sum(len(s) for s in self.pii.values()),
            "queries": len(self.queries),
            "qrels": sum(len(d) for q in self.qrels.values() for d in q.values()),
            "filters": len(self.filters),
            "errors": len(self.errors),
        }
