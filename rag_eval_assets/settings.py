"""Deployment settings: the one place that reads ``RAG_EVAL_*`` environment variables.

``Settings.from_env()`` reads them once and validates every value before any work starts: an
unknown parser, a primary parser that is not enabled, a missing corpus or golden folder, an
unreadable ontology, an unwritable storage root or a bad number raise ``SettingsError`` whose
one-line message names the variable and its value (the CLI prints it and exits 2; Dagster shows
it as the code location's load error). Definitions, the CLI and the sensor all receive the same
``Settings`` object; nothing reads the environment at import time.

Other environment access, and why: parser worker processes and the embedding model get
offline defaults (``HF_HUB_OFFLINE``, ``DO_NOT_TRACK``, ``OMP_THREAD_LIMIT``; set with
``setdefault``, so a caller's value wins) because those libraries read them directly;
``DAGSTER_HOME`` is Dagster's own; an LLM judge reads its API key from the variable named by
``generation_eval_config.api_key_env``; tests and benchmarks read ``RAG_EVAL_EVALDATA``; FAISS
gets ``OMP_WAIT_POLICY=PASSIVE`` for its first import only (``lib.indexing.faiss_index``);
tesseract reads ``TESSDATA_PREFIX`` when set.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ONTOLOGY = PROJECT_ROOT / "ontology" / "ontology.yaml"


class SettingsError(ValueError):
    """An invalid setting; ``str()`` is one line naming the variable and its value."""


def _split(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.split(",") if p.strip())


@dataclass(frozen=True)
class Settings:
    """Deployment settings (see docs/configuration.md); defaults run the embedded sample."""

    corpus_root: str = str(PROJECT_ROOT / "sample_corpus")
    golden_root: str = str(PROJECT_ROOT / "golden_sets" / "sample")
    ontology_path: str = str(DEFAULT_ONTOLOGY)
    storage_root: str = str(PROJECT_ROOT / ".rag_eval" / "storage")
    nightly_cron: str = "0 2 * * *"
    timezone: str = "UTC"
    batch_size: int = 50
    max_concurrent: int = 2  # steps of one run in parallel (multiprocess executor)
    max_concurrent_runs: int = 1  # runs at once on the instance `rag-eval` creates (queued beyond)
    sensor_interval_s: int = 60
    parsers: tuple[str, ...] = ("pymupdf", "pymupdf4llm", "docling", "unstructured", "ocr")
    primary_parser: str = "docling"
    parse_routes: str = "auto"  # "auto" (by the scorecard's evidence) or JSON {doc_class: parser} ("*": others)
    parse_timeout_s: float = 120.0
    docling_artifacts_path: str = ""
    embed_model: str = "minilm"
    chunk_strategy: str = "structural"  # structural | recursive | semantic
    chunk_size: int = 256  # tokens per chunk (MiniLM reads at most 256 word pieces)
    pii_detection: str = "ner"  # ner (spaCy NER + patterns) | patterns (patterns only)
    index_kind: str = "hnsw"  # the vector index served and evaluated: hnsw | ivf | flat (exact)
    evaldata_root: str = ""  # public benchmark folders for the real-data parser scorecard
    access_field: str = ""  # bool ontology field the querying role must have true (e.g. "permitted"); "" = none
    current_field: str = "current"  # ontology field that marks the current release of a document
    executor: str = "in_process"  # where document runs execute: in_process | celery (workers, docs/scaling.md)
    celery_broker: str = "redis://localhost:6379/0"  # Celery broker URL (executor=celery)
    celery_backend: str = "redis://localhost:6379/1"  # Celery result backend URL (executor=celery)

    #: settings where an explicitly empty variable means "none" (e.g. no golden sets at all)
    MAY_BE_EMPTY = frozenset({"golden_root", "docling_artifacts_path", "evaldata_root", "access_field",
                              "current_field", "parse_routes"})

    #: settings with a fixed set of values (the first is the default)
    CHOICES = {"embed_model": ("minilm", "hashing"), "chunk_strategy": ("structural", "recursive", "semantic"),
               "pii_detection": ("ner", "patterns"), "index_kind": ("hnsw", "ivf", "flat"),
               "executor": ("in_process", "celery")}

    ENV = {
        "corpus_root": "RAG_EVAL_CORPUS_ROOT",
        "golden_root": "RAG_EVAL_GOLDEN_ROOT",
        "ontology_path": "RAG_EVAL_ONTOLOGY",
        "storage_root": "RAG_EVAL_STORAGE_ROOT",
        "nightly_cron": "RAG_EVAL_NIGHTLY_CRON",
        "timezone": "RAG_EVAL_TIMEZONE",
        "batch_size": "RAG_EVAL_BATCH_SIZE",
        "max_concurrent": "RAG_EVAL_MAX_CONCURRENT",
        "max_concurrent_runs": "RAG_EVAL_MAX_CONCURRENT_RUNS",
        "sensor_interval_s": "RAG_EVAL_SENSOR_INTERVAL_S",
        "parsers": "RAG_EVAL_PARSERS",
        "primary_parser": "RAG_EVAL_PRIMARY_PARSER",
        "parse_routes": "RAG_EVAL_PARSE_ROUTES",
        "parse_timeout_s": "RAG_EVAL_PARSE_TIMEOUT_S",
        "docling_artifacts_path": "RAG_EVAL_DOCLING_ARTIFACTS",
        "embed_model": "RAG_EVAL_EMBED_MODEL",
        "chunk_strategy": "RAG_EVAL_CHUNK_STRATEGY",
        "chunk_size": "RAG_EVAL_CHUNK_SIZE",
        "pii_detection": "RAG_EVAL_PII_DETECTION",
        "index_kind": "RAG_EVAL_INDEX_KIND",
        "evaldata_root": "RAG_EVAL_EVALDATA",
        "access_field": "RAG_EVAL_ACCESS_FIELD",
        "current_field": "RAG_EVAL_CURRENT_FIELD",
        "executor": "RAG_EVAL_EXECUTOR",
        "celery_broker": "RAG_EVAL_CELERY_BROKER",
        "celery_backend": "RAG_EVAL_CELERY_BACKEND",
    }

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, *, validate: bool = True) -> "Settings":
        """Read the ``RAG_EVAL_*`` variables (``environ`` instead of ``os.environ`` when given)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            var = cls.ENV.get(f.name)
            if var is None or var not in env:
                continue
            if env[var] == "" and f.name not in cls.MAY_BE_EMPTY:  # empty = unset, except where "" means none
                continue
            raw = env[var]
            default = getattr(cls, f.name)
            try:
                values[f.name] = _split(raw) if isinstance(default, tuple) else type(default)(raw)
            except ValueError:
                raise SettingsError(f"{var}={raw!r}: expected {type(default).__name__}") from None
        settings = cls(**values)
        if validate:
            settings.validate()
        return settings

    def to_json(self) -> str:
        """The settings as JSON (what a Celery worker rebuilds the definitions from)."""
        return json.dumps({f.name: getattr(self, f.name) for f in fields(self)}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Settings":
        values = json.loads(text)
        return cls(**{f.name: tuple(values[f.name]) if isinstance(getattr(cls, f.name), tuple) else values[f.name]
                      for f in fields(cls) if f.name in values})

    def var(self, name: str) -> str:
        return self.ENV.get(name, name)

    def _fail(self, name: str, message: str) -> SettingsError:
        value = getattr(self, name)
        shown = ",".join(value) if isinstance(value, tuple) else value
        return SettingsError(f"{self.var(name)}={shown!r}: {message}")

    def routes(self) -> dict[str, str] | None:
        """The fixed route table (``{"*": primary}`` by default), or None for ``auto``."""
        if self.parse_routes.strip() == "auto":
            return None
        table = json.loads(self.parse_routes) if self.parse_routes.strip() else {}
        if not isinstance(table, dict):
            raise ValueError("not an object")
        return {"*": self.primary_parser, **table}

    def validate(self, check_paths: bool = True) -> None:
        """Raise SettingsError for the first invalid value (one line, variable and value)."""
        from rag_eval_assets.lib.parsers.base import REGISTRY, is_parser_name

        for name in ("batch_size", "max_concurrent", "max_concurrent_runs", "sensor_interval_s", "chunk_size"):
            if getattr(self, name) < 1:
                raise self._fail(name, "must be at least 1")
        if not self.parse_timeout_s > 0:
            raise self._fail("parse_timeout_s", "must be a positive number of seconds")
        if not self.parsers:
            raise self._fail("parsers", "name at least one parser")
        for p in self.parsers:
            if not is_parser_name(p):
                raise self._fail("parsers", f"unknown parser {p!r} (known: {', '.join(REGISTRY)})")
        if self.primary_parser not in self.parsers:
            raise self._fail("primary_parser", f"not among the enabled parsers {list(self.parsers)}")
        try:
            routes = self.routes()
        except ValueError as exc:
            raise self._fail("parse_routes", f"not JSON ({exc}); use {{\"doc_class\": \"parser\"}} or auto") from None
        for cls_, parser in (routes or {}).items():
            if parser not in self.parsers:
                raise self._fail("parse_routes", f"class {cls_!r} routes to {parser!r}, which is not enabled")
        for name, allowed in self.CHOICES.items():
            if getattr(self, name) not in allowed:
                raise self._fail(name, f"expected {', '.join(allowed[:-1])} or {allowed[-1]}")
        if self.executor == "celery":
            import importlib.util

            if importlib.util.find_spec("dagster_celery") is None:
                raise self._fail("executor", "needs dagster-celery: pip install -e '.[distributed]'")
        self._check_schedule()
        if check_paths:
            self._check_paths()

    def _check_schedule(self) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        from dagster._utils.schedules import is_valid_cron_string

        if not is_valid_cron_string(self.nightly_cron):
            raise self._fail("nightly_cron", "not a valid cron expression")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise self._fail("timezone", "not an IANA time zone such as UTC or Europe/Berlin") from None

    def _check_paths(self) -> None:
        from rag_eval_assets.lib.ontology import Ontology, OntologyError

        if not Path(self.corpus_root).is_dir():
            raise self._fail("corpus_root", "is not a folder")
        if self.golden_root and not Path(self.golden_root).is_dir():
            raise self._fail("golden_root", "is not a folder (set it empty for a corpus without golden sets)")
        try:
            ontology = Ontology.load(self.ontology_path)
        except OntologyError as exc:
            raise self._fail("ontology_path", str(exc).split(": ", 1)[-1]) from None
        for name in ("access_field", "current_field"):
            value = getattr(self, name)
            if value and value in ontology.fields and not ontology.fields[value].is_bool:
                raise self._fail(name, "must name a `type: bool` field of the ontology")
        if self.evaldata_root and not Path(self.evaldata_root).is_dir():
            raise self._fail("evaldata_root", "is not a folder")
        from rag_eval_assets.lib.storage import is_remote

        if not is_remote(self.storage_root):
            root = Path(self.storage_root.removeprefix("file://"))
            try:
                root.mkdir(parents=True, exist_ok=True)
                with tempfile.NamedTemporaryFile(dir=root, prefix=".write-test-"):
                    pass
            except OSError as exc:
                raise self._fail("storage_root", f"is not writable ({exc.strerror or exc})") from None

    def describe(self) -> list[dict[str, Any]]:
        """Every setting with its variable and value (for docs and `rag-eval settings`)."""
        return [{"setting": f.name, "variable": self.var(f.name), "value": getattr(self, f.name)}
                for f in fields(self) if f.name in self.ENV]


__all__ = ["PROJECT_ROOT", "Settings", "SettingsError"]
