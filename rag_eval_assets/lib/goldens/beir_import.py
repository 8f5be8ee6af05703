"""``rag-eval import-beir DIR``: a BEIR dataset folder as a corpus, an ontology and a golden set.

Input, as BEIR publishes it: ``corpus.jsonl`` (``{_id, title?, text, metadata?}``),
``queries.jsonl`` (``{_id, text, metadata?}``), ``qrels/<split>.tsv`` (header ``query-id
corpus-id score``) and, for some sets, ``corpus_metadata.tsv`` (``doc_id`` then columns, e.g.
SciFact's ``structured_abstract``). Output under ``out``:

- ``corpus/<a>/<b>/<name>.txt``: one UTF-8 document per corpus entry, the title on the first
  line, a blank line, then the text (the text alone when the title is empty). ``<name>`` is the
  corpus id made filesystem-safe (``safe_name``: collision-free even on case-insensitive file
  systems); the i-th entry goes to folder ``<a>/<b>`` = ``i // 10**6`` / ``i // 1000 % 1000``,
  so no folder holds more than 1,000 entries, whatever the corpus size.
- ``corpus/_metadata.jsonl``: ``{path, title?, doc_class, <bool fields>?, beir_id}``; ``doc_class``
  is ``beir_document`` unless the entry (``doc_class`` or ``metadata.doc_class``) or
  ``corpus_metadata.tsv`` (a ``doc_class`` column) gives one. ``beir_id`` is the original id
  (not an ontology field: kept so results can be traced back to the dataset).
- ``ontology.yaml``: ``doc_class`` (required, flat ``values``: the classes used) and each
  ``corpus_metadata.tsv`` column whose every value is True/False as an optional ``type: bool``.
- ``golden/retrieval/queries.jsonl`` (every query, judged or not; ``metadata`` keeps only our
  optional keys ``answer``/``intent``/``doc_class`` when present) and
  ``golden/retrieval/qrels/<split>.tsv`` whose corpus ids are our doc ids
  (``doc_id_for(<corpus-relative path>)``).

The corpus is streamed: memory holds the judged corpus ids, 8 bytes per entry (to detect a
repeated corpus id; the first entry is kept, the later files removed) and
``corpus_metadata.tsv``, never the texts. Malformed rows are skipped and counted in the
summary with the first examples (``file:line: message``). ``out`` must be empty or written by
an earlier import (``MARKER``); an interrupted import leaves the marker, so a plain re-run
overwrites it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rag_eval_assets.lib.documents import METADATA_FILENAME, doc_id_for
from rag_eval_assets.lib.goldens.retrieval import QRELS_DIR, QUERIES, QUERY_METADATA, load_qrels, load_queries
from rag_eval_assets.lib.goldens.rows import GoldenSetError, Row, check_type, read_rows

MARKER = ".rag_eval_beir_import.json"
DEFAULT_CLASS = "beir_document"
FOLDER_SIZE = 1000  # entries per folder: listable by any file browser
MAX_NAME = 80  # characters of the id kept in a file name
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_RESERVED_KEYS = {"path", "title", "doc_class", "beir_id"}
_BOOLS = {"true": True, "false": False}


@dataclass
class Problems:
    """Skipped input rows: a count and the first examples."""

    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, error: GoldenSetError | str, n: int = 1) -> None:
        self.count += n
        if len(self.examples) < 5:
            self.examples.append(str(error))


def safe_name(beir_id: str, taken: set[str]) -> str:
    """A file stem for ``beir_id`` unique within ``taken`` (case-folded stems of the folder).

    Characters outside ``[A-Za-z0-9._-]`` become ``_``, leading/trailing ``._-`` are dropped (a
    name starting with ``_`` or ``.`` is not a document), at most ``MAX_NAME`` characters are
    kept; when that changed the id, or the stem is a Windows device name or already taken, a
    hash of the id is appended (then a counter, should that be taken too).
    """
    base = _UNSAFE.sub("_", beir_id).strip("._-")[:MAX_NAME] or "doc"
    name = base
    if base != beir_id or base.lower() in _RESERVED or base.casefold() in taken:
        name = f"{base}-{hashlib.sha1(beir_id.encode('utf-8')).hexdigest()[:8]}"
    stem, n = name, 2
    while name.casefold() in taken:
        name, n = f"{stem}-{n}", n + 1
    taken.add(name.casefold())
    return name


def _hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def _repeated(hashes: array) -> set[int]:
    """Values occurring more than once in an array of 64-bit integers."""
    import numpy as np

    values = np.sort(np.frombuffer(hashes, dtype=np.uint64)) if len(hashes) else np.zeros(0, np.uint64)
    return set(values[1:][values[1:] == values[:-1]].tolist())


def _corpus_rows(path: Path, problems: Problems) -> Iterator[tuple[str, str, str, Any]]:
    """(id, title, text, class or None) of each good line of corpus.jsonl, streamed."""
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                row = Row(path, lineno, json.loads(raw))
                beir_id, text = str(row.get("_id", (str, int))), row.get("text")
                title = " ".join(row.get("title", str, "").split())
            except GoldenSetError as exc:
                problems.add(exc)
                continue
            except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
                problems.add(GoldenSetError(path, lineno, f"bad JSON: {exc}"))
                continue
            meta = row.data.get("metadata")
            classes = (row.data.get("doc_class"), meta.get("doc_class") if isinstance(meta, dict) else None)
            yield beir_id, title, text, next((c for c in classes if isinstance(c, str) and c.strip()), None)


def _corpus_metadata(path: Path, problems: Problems) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """corpus_metadata.tsv: (beir id -> {column: value}, the columns whose every value is a bool)."""
    if not path.is_file():
        return {}, []
    errors: list[GoldenSetError] = []
    out: dict[str, dict[str, Any]] = {}
    for row in read_rows(path, "tsv", ("doc_id",), errors):
        beir_id = row.data["doc_id"].strip()
        if beir_id in out:
            errors.append(row.error(f"duplicate doc_id {beir_id!r}"))
            continue
        out[beir_id] = {k.strip(): _BOOLS.get(v.strip().lower(), v.strip()) for k, v in row.data.items()
                        if k.strip() and k != "doc_id" and v.strip()}
    for e in errors:
        problems.add(e)
    columns = {k for fields in out.values() for k in fields} - _RESERVED_KEYS
    bools = sorted(c for c in columns if all(isinstance(f[c], bool) for f in out.values() if c in f))
    return out, bools


def _prepare_out(out: Path) -> None:
    """Refuse a non-empty ``out`` that an import did not write; clear what an import wrote."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not (out / MARKER).is_file():
            raise ValueError(f"{out} is not empty and was not written by `rag-eval import-beir` (no {MARKER}): "
                             "choose another --out or empty it")
        for name in ("corpus", "golden"):
            shutil.rmtree(out / name, ignore_errors=True)
        (out / "ontology.yaml").unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="")
    os.replace(tmp, path)


def _splits(folder: Path, splits: list[str] | None) -> list[Path]:
    available = sorted((folder / "qrels").glob("*.tsv"))
    if splits is None:
        return available
    names = {p.stem: p for p in available}
    missing = [s for s in splits if s.removesuffix(".tsv") not in names]
    if missing:
        raise ValueError(f"{folder / 'qrels'} has no split {missing} (available: {sorted(names) or 'none'})")
    return [names[s.removesuffix(".tsv")] for s in dict.fromkeys(splits)]


def import_beir(folder: str | Path, out: str | Path | None = None, splits: list[str] | None = None) -> str:
    """Import the BEIR dataset ``folder`` into ``out`` (default ``./<folder name>``); see the
    module doc. ``splits``: qrels splits to import (default: every ``qrels/*.tsv``). Returns a
    summary with counts, paths and the environment variables to set."""
    folder = Path(folder).resolve()
    if not (folder / "corpus.jsonl").is_file():
        raise ValueError(f"{folder} is not a BEIR dataset folder: no corpus.jsonl")
    split_paths = _splits(folder, splits)
    out = (Path(out) if out is not None else Path.cwd() / folder.name).resolve()
    if any(p == folder or p in folder.parents for p in (out / "corpus", out / "golden")):
        raise ValueError(f"{out}: the dataset folder {folder} lies in what the import writes")
    _prepare_out(out)
    (out / MARKER).write_text(json.dumps({"source": str(folder), "complete": False}), encoding="utf-8")
    problems = Problems()
    # judgments and queries first: they are small, and say which corpus ids need a doc id
    errors: list[GoldenSetError] = []
    queries, query_meta = load_queries(folder / "queries.jsonl", metadata_types={}, errors=errors)
    qrels = {p.stem: load_qrels(p, errors) for p in split_paths}
    for e in errors:
        problems.add(e)
    wanted = {d for judged in qrels.values() for rel in judged.values() for d in rel}
    corpus = _write_corpus(folder, out / "corpus", wanted, problems)
    ontology = {"doc_class": {"required": True, "description": "Document class (BEIR corpus entries).",
                              "values": corpus.classes}}
    for name in corpus.bool_fields:
        ontology[name] = {"required": False, "type": "bool", "description": f"{name} (from corpus_metadata.tsv)."}
    _write_atomic(out / "ontology.yaml", f"# written by rag-eval import-beir from {folder.name}; edit freely\n"
                  + yaml.safe_dump(ontology, sort_keys=False, allow_unicode=True))
    split_counts = _write_golden(out / "golden", queries, query_meta, qrels, corpus.doc_ids, problems)
    summary = {"source": str(folder), "complete": True, "documents": corpus.count, "classes": corpus.classes,
               "bool_fields": corpus.bool_fields, "queries": len(queries), "splits": split_counts,
               "skipped_rows": problems.count}
    (out / MARKER).write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return _summary(folder, out, summary, problems)


@dataclass
class _Corpus:
    count: int  # documents written
    classes: list[str]
    bool_fields: list[str]
    doc_ids: dict[str, str]  # judged corpus id -> our doc id


def _write_corpus(folder: Path, corpus: Path, wanted: set[str], problems: Problems) -> _Corpus:
    """Stream corpus.jsonl into one text file per entry plus ``_metadata.jsonl``."""
    extra, bool_fields = _corpus_metadata(folder / "corpus_metadata.tsv", problems)
    meta_tmp = corpus / f".{METADATA_FILENAME}.tmp"
    hashes, classes, taken, doc_ids, count = array("Q"), set(), set[str](), {}, 0
    corpus.mkdir(parents=True)
    with open(meta_tmp, "w", encoding="utf-8") as meta:
        for beir_id, title, text, doc_class in _corpus_rows(folder / "corpus.jsonl", problems):
            if count % FOLDER_SIZE == 0:
                taken = set()  # a new folder
            sub = f"{count // FOLDER_SIZE ** 2:03d}/{count // FOLDER_SIZE % FOLDER_SIZE:03d}"
            rel = f"{sub}/{safe_name(beir_id, taken)}.txt"
            (corpus / sub).mkdir(parents=True, exist_ok=True)
            (corpus / rel).write_bytes((f"{title}\n\n{text}" if title else text).encode("utf-8"))
            fields = extra.get(beir_id, {})
            doc_class = doc_class or fields.get("doc_class") or DEFAULT_CLASS
            classes.add(doc_class)
            row = {"path": rel, **({"title": title} if title else {}), "doc_class": doc_class,
                   **{k: fields[k] for k in bool_fields if k in fields}, "beir_id": beir_id}
            meta.write(json.dumps(row, ensure_ascii=False) + "\n")
            hashes.append(_hash64(beir_id))
            if beir_id in wanted and beir_id not in doc_ids:
                doc_ids[beir_id] = doc_id_for(rel)
            count += 1
    count -= _drop_repeated(corpus, meta_tmp, _repeated(hashes), problems)
    os.replace(meta_tmp, corpus / METADATA_FILENAME)
    return _Corpus(count, sorted(classes) or [DEFAULT_CLASS], bool_fields, doc_ids)


def _write_golden(golden: Path, queries: dict[str, str], query_meta: dict[str, dict[str, Any]],
                  qrels: dict[str, dict[str, dict[str, int]]], doc_ids: dict[str, str],
                  problems: Problems) -> dict[str, tuple[int, int]]:
    """queries.jsonl (every query) and qrels/<split>.tsv over our doc ids: split -> (judged
    queries, judgments). Judgments naming an unknown query or corpus id are skipped."""
    lines = []
    for qid, text in queries.items():
        kept = {k: v for k, v in query_meta.get(qid, {}).items()
                if k in QUERY_METADATA and check_type(v, QUERY_METADATA[k])}
        lines.append(json.dumps({"_id": qid, "text": text, **({"metadata": kept} if kept else {})},
                                ensure_ascii=False))
    _write_atomic(golden / QUERIES, "".join(f"{line}\n" for line in lines))
    counts = {}
    for split, judged in qrels.items():
        rows, unknown_q, unknown_d, judged_q = [], 0, 0, set()
        for qid, rel in judged.items():
            for beir_id, grade in rel.items():
                if qid not in queries:
                    unknown_q += 1
                elif beir_id not in doc_ids:
                    unknown_d += 1
                else:
                    rows.append(f"{qid}\t{doc_ids[beir_id]}\t{grade}\n")
                    judged_q.add(qid)
        for n, what in ((unknown_q, "a query id not in queries.jsonl"), (unknown_d, "a corpus id not in corpus.jsonl")):
            if n:
                problems.add(f"qrels/{split}.tsv: {n} judgments name {what}: skipped", n)
        _write_atomic(golden / QRELS_DIR / f"{split}.tsv", "query-id\tcorpus-id\tscore\n" + "".join(rows))
        counts[split] = (len(judged_q), len(rows))
    return counts


def _drop_repeated(corpus: Path, meta_tmp: Path, repeated: set[int], problems: Problems) -> int:
    """Remove the files and metadata rows of every later entry of a repeated corpus id."""
    if not repeated:
        return 0
    seen: set[str] = set()
    dropped = 0
    kept_tmp = meta_tmp.with_name(meta_tmp.name + ".2")
    with open(meta_tmp, encoding="utf-8") as src, open(kept_tmp, "w", encoding="utf-8") as dst:
        for line in src:
            row = json.loads(line)
            if _hash64(row["beir_id"]) in repeated:
                if row["beir_id"] in seen:
                    (corpus / row["path"]).unlink()
                    problems.add(f"corpus.jsonl: corpus id {row['beir_id']!r} repeated: the first entry is kept")
                    dropped += 1
                    continue
                seen.add(row["beir_id"])
            dst.write(line)
    os.replace(kept_tmp, meta_tmp)
    return dropped


def _summary(folder: Path, out: Path, s: dict[str, Any], problems: Problems) -> str:
    corpus, golden, ontology = out / "corpus", out / "golden", out / "ontology.yaml"
    splits = "; ".join(f"{k}: {q:,} judged queries, {n:,} judgments" for k, (q, n) in s["splits"].items()) or "none"
    lines = [
        f"imported BEIR dataset {folder.name} ({folder})",
        f"  corpus:   {corpus}: {s['documents']:,} documents with {METADATA_FILENAME} "
        f"(doc_class: {', '.join(s['classes'][:10])}{', ...' if len(s['classes']) > 10 else ''})",
        f"  ontology: {ontology}: doc_class" + "".join(f", {b} (bool)" for b in s["bool_fields"]),
        f"  golden:   {golden}: {s['queries']:,} queries; qrels {splits}",
    ]
    if problems.count:
        lines.append(f"  skipped:  {problems.count:,} malformed or dangling rows, e.g.")
        lines += [f"    {e}" for e in problems.examples]
    lines += ["set these, then run `rag-eval run --dry-run` and `rag-eval run`:",
              f"  export RAG_EVAL_CORPUS_ROOT={shlex.quote(str(corpus))}",
              f"  export RAG_EVAL_GOLDEN_ROOT={shlex.quote(str(golden))}",
              f"  export RAG_EVAL_ONTOLOGY={shlex.quote(str(ontology))}"]
    return "\n".join(lines)
