"""Which documents are processed: one function, read by the CLI, the sensor and the assets.

A document is processed for a stage when that stage's output exists for the document's
*expected version*: a digest of its content hash and of everything the stage's output depends
on (the metadata row for the record, the parser and its options, the route, the clean / chunk
/ embed configuration), chained through the stages. Nothing else is remembered: a run killed
at any point, a document whose step raised, a file edited twice or a configuration change all
leave some expected output missing, so the next ``rag-eval run``, ``backfill --changed`` or
sensor tick processes exactly those documents again.

Stage chain per document::

    document_records ─┬─ parsed_<parser> (every enabled parser)
                      └─ parsed_documents (the routed parser's output) ─ cleaned_documents ─ chunks ─ embeddings

A final failure is an output too (a corrupt PDF, invalid metadata): the chain stops there and
the document counts as processed until its content, metadata or configuration changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rag_eval_assets.lib.outputs import DocOutput, Outputs, digest

RECORDS = "document_records"
PARSED = "parsed_documents"
CLEANED = "cleaned_documents"
CHUNKS = "chunks"
EMBEDDINGS = "embeddings"
DOWNSTREAM = (PARSED, CLEANED, CHUNKS, EMBEDDINGS)
STAGE_VERSION = "2"  # bump when every stored per-document output must be rebuilt


def parse_asset(parser: str) -> str:
    return f"parsed_{parser}"


@dataclass(frozen=True)
class PipelineConfig:
    """What per-document outputs depend on besides the document itself (fingerprints)."""

    parsers: tuple[str, ...]
    route: Mapping[str, str]  # doc_class -> parser; "*" = every other class
    parser_fp: Mapping[str, str] = field(default_factory=dict)  # parser -> options digest
    clean_fp: str = ""
    chunk_fp: str = ""
    embed_fp: str = ""
    ontology_fp: str = ""

    def route_for(self, doc_class: str) -> str:
        return self.route.get(doc_class) or self.route["*"]

    def assets(self) -> list[str]:
        """Per-document assets in processing order."""
        return [RECORDS, *(parse_asset(p) for p in self.parsers), *DOWNSTREAM]


@dataclass(frozen=True)
class DocumentInput:
    """A current corpus document as the state sees it."""

    doc_id: str
    relpath: str
    sha256: str
    doc_class: str = "unknown"
    metadata: Mapping[str, Any] | None = None  # the document's metadata row as read
    metadata_error: str | None = None  # why the row is missing or invalid (then not processed)


def _h(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def expected_versions(doc: DocumentInput, cfg: PipelineConfig) -> dict[str, str]:
    """asset -> the version its output must have for this document now."""
    meta = json.dumps(doc.metadata, sort_keys=True, default=str) if doc.metadata is not None else "-"
    out = {RECORDS: _h(STAGE_VERSION, "records", doc.sha256, meta, doc.metadata_error or "", cfg.ontology_fp)}
    for p in cfg.parsers:
        out[parse_asset(p)] = _h(STAGE_VERSION, "parse", doc.sha256, p, cfg.parser_fp.get(p, ""))
    route = cfg.route_for(doc.doc_class)
    routed = out.get(parse_asset(route)) or _h(STAGE_VERSION, "parse", doc.sha256, route, cfg.parser_fp.get(route, ""))
    out[PARSED] = _h(STAGE_VERSION, "route", routed, route)
    out[CLEANED] = _h(STAGE_VERSION, "clean", out[PARSED], cfg.clean_fp)
    out[CHUNKS] = _h(STAGE_VERSION, "chunk", out[CLEANED], cfg.chunk_fp)
    out[EMBEDDINGS] = _h(STAGE_VERSION, "embed", out[CHUNKS], cfg.embed_fp)
    return out


Listings = Mapping[str, Mapping[str, Sequence[DocOutput]]]


def _status(listings: Listings, asset: str, doc_id: str, version: str) -> DocOutput | None:
    return next((o for o in listings.get(asset, {}).get(doc_id, ()) if o.version == version), None)


def missing_stages(doc: DocumentInput, cfg: PipelineConfig, listings: Listings,
                   exp: Mapping[str, str] | None = None) -> list[str]:
    """Assets whose output for ``doc`` is missing at its expected version, in order. Stages
    after a final failure (invalid metadata, a failed route) are not expected. ``exp``: the
    document's expected versions when already computed."""
    exp = exp if exp is not None else expected_versions(doc, cfg)
    record = _status(listings, RECORDS, doc.doc_id, exp[RECORDS])
    if record is None:
        return cfg.assets()
    if record.failed:
        return []
    missing = [parse_asset(p) for p in cfg.parsers if _status(listings, parse_asset(p), doc.doc_id,
                                                              exp[parse_asset(p)]) is None]
    for i, asset in enumerate(DOWNSTREAM):
        found = _status(listings, asset, doc.doc_id, exp[asset])
        if found is None:
            return missing + list(DOWNSTREAM[i:])
        if found.failed:
            break
    return missing


def listings(outputs: Outputs, cfg: PipelineConfig) -> dict[str, Mapping[str, Sequence[DocOutput]]]:
    """One folder listing per per-document asset."""
    return {asset: outputs.listing(asset) for asset in cfg.assets()}


def pending(outputs: Outputs, docs: Mapping[str, DocumentInput], cfg: PipelineConfig,
            force: bool = False) -> dict[str, list[str]]:
    """doc_id -> missing assets, for every document with work left (all of them with ``force``)."""
    if force:
        return {d: cfg.assets() for d in sorted(docs)}
    lists = listings(outputs, cfg)
    out = {}
    for doc_id in sorted(docs):
        todo = missing_stages(docs[doc_id], cfg, lists)
        if todo:
            out[doc_id] = todo
    return out


def current_outputs(outputs: Outputs, docs: Mapping[str, DocumentInput], cfg: PipelineConfig,
                    asset: str, lists: Listings | None = None,
                    expected: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, DocOutput]:
    """doc_id -> the output of ``asset`` at the document's expected version (ok or failed)."""
    lists = lists if lists is not None else {asset: outputs.listing(asset)}
    found = {}
    for doc_id, doc in docs.items():
        exp = expected[doc_id] if expected is not None else expected_versions(doc, cfg)
        hit = _status(lists, asset, doc_id, exp[asset])
        if hit is not None:
            found[doc_id] = hit
    return found


def outputs_digest(docs: Mapping[str, DocumentInput], cfg: PipelineConfig, lists: Listings,
                   expected: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """Digest of which expected per-document outputs exist for the current documents (and
    whether they failed): with the golden files and settings, what a corpus refresh reads
    (``resources.refresh_digest``); equal digests mean a refresh would read the same inputs."""
    parts = []
    for doc_id in sorted(docs):
        exp = expected[doc_id] if expected is not None else expected_versions(docs[doc_id], cfg)
        for asset in cfg.assets():
            hit = _status(lists, asset, doc_id, exp[asset])
            parts.append((doc_id, asset, hit.version if hit else None, hit.failed if hit else None))
    return digest(parts)
