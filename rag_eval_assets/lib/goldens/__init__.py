"""Golden sets: loaders with validation for our formats, adapters for public benchmarks.

- ``formats``: one loader per file of golden_sets/README.md (absent file -> empty result).
- ``adapters``: PubTabNet, FUNSD, SROIE, BEIR, presidio-research, AEB in their native formats.
- ``catalog.GoldenSet.load(root)``: everything at once, collecting per-file errors.
- ``rows``: GoldenSetError (``path:line: message``) and the shared line-numbered reader.
"""

from rag_eval_assets.lib.goldens.adapters import (
    BeirDataset,
    OcrPage,
    PresidioSample,
    Word,
    default_evaldata_root,
    load_aeb,
    load_beir,
    load_beir_corpus,
    load_beir_corpus_metadata,
    load_expected_teds,
    load_funsd,
    load_presidio_spans,
    load_pubtabnet_html,
    load_sroie,
    pubtabnet_html,
    reading_order_text,
)
from rag_eval_assets.lib.goldens.catalog import GoldenSet
from rag_eval_assets.lib.goldens.formats import (
    DedupPair,
    DocumentRecord,
    FilterCase,
    Heading,
    PiiSpan,
    TableRef,
    load_all_qrels,
    load_boilerplate,
    load_dedup_clusters,
    load_dedup_pairs,
    load_documents,
    load_filters,
    load_headings,
    load_language_labels,
    load_page_references,
    load_parse_references,
    load_pii_spans,
    load_qrels,
    load_queries,
    load_tables,
)
from rag_eval_assets.lib.goldens.rows import GoldenSetError, Row, read_rows

__all__ = [
    "BeirDataset", "DedupPair", "DocumentRecord", "FilterCase", "GoldenSet", "GoldenSetError",
    "Heading", "OcrPage", "PiiSpan", "PresidioSample", "Row", "TableRef", "Word",
    "default_evaldata_root", "load_aeb", "load_all_qrels", "load_beir", "load_beir_corpus",
    "load_beir_corpus_metadata", "load_boilerplate", "load_dedup_clusters", "load_dedup_pairs",
    "load_documents", "load_expected_teds", "load_filters", "load_funsd", "load_headings",
    "load_language_labels", "load_page_references", "load_parse_references", "load_pii_spans",
    "load_presidio_spans", "load_pubtabnet_html", "load_qrels", "load_queries", "load_sroie",
    "load_tables", "pubtabnet_html", "read_rows", "reading_order_text",
]
