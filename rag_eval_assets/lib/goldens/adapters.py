"""Public benchmarks read in their native formats, as golden data (no conversion scripts).

PubTabNet (table HTML, expected TEDS), FUNSD and SROIE (OCR text), BEIR (retrieval),
presidio-research (PII spans) and the scrapinghub article-extraction benchmark (boilerplate).
They share the line-numbered reader of ``rows``, so malformed input raises GoldenSetError
naming file and line, and they return the shapes of ``formats`` where it makes sense.
``default_evaldata_root()`` finds the shared evaluation data (``RAG_EVAL_EVALDATA`` overrides).
"""

from __future__ import annotations

import gzip
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from rag_eval_assets.lib.goldens.formats import load_qrels, load_queries
from rag_eval_assets.lib.goldens.rows import GoldenSetError, Row, check_type, put_unique, read_rows

EVALDATA_ENV = "RAG_EVAL_EVALDATA"
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")


def default_evaldata_root() -> Path:
    """``$RAG_EVAL_EVALDATA``, else ``../shared/evaldata`` next to the project root (may not exist)."""
    if os.environ.get(EVALDATA_ENV):
        return Path(os.environ[EVALDATA_ENV])
    return (Path(__file__).resolve().parents[3] / ".." / "shared" / "evaldata").resolve()


def _image_for(folder: Path, stem: str) -> Path | None:
    return next((p for s in _IMAGE_SUFFIXES if (p := folder / f"{stem}{s}").is_file()), None)


# ---------------------------------------------------------------- PubTabNet

def pubtabnet_html(structure_tokens: Sequence[str], cells: Sequence[Sequence[str]]) -> str:
    """PubTabNet's rule: cell tokens go after each ``<td>`` or ``>`` (closing ``<td ...``)
    structure token; single-character tokens are HTML-escaped; wrapped in
    ``<html><body><table>...</table></body></html>`` as the ICDAR reference HTML is.
    """
    code = list(structure_tokens)
    slots = [i for i, tag in enumerate(code) if tag in ("<td>", ">")]
    if len(slots) != len(cells):
        raise ValueError(f"{len(slots)} <td> slots but {len(cells)} cells")
    for i, tokens in zip(reversed(slots), reversed(cells)):
        if tokens:
            code.insert(i + 1, "".join(escape(t) if len(t) == 1 else t for t in tokens))
    return f"<html><body><table>{''.join(code)}</table></body></html>"


def _pubtabnet_row_html(row: Row) -> tuple[str, str]:
    annotation = row.get("html", dict)
    sub = Row(row.path, row.line, annotation)
    tokens = Row(row.path, row.line, sub.get("structure", dict)).get("tokens", list)
    cells = [Row(row.path, row.line, c).get("tokens", list) for c in sub.get("cells", list)]
    if not all(check_type(t, str) for seq in (tokens, *cells) for t in seq):
        raise row.error("structure and cell tokens must be strings")
    try:
        return row.get("filename"), pubtabnet_html(tokens, cells)
    except ValueError as exc:
        raise row.error(str(exc)) from exc


def load_pubtabnet_html(path: str | Path) -> dict[str, str]:
    """filename -> table HTML, from a PubTabNet 2.0 JSONL (HTML built by ``pubtabnet_html``)
    or a JSON object ``{filename: html}`` / ``{filename: {"html": ..., ...}}`` (ICDAR
    ``sample_gt.json`` / ``sample_pred.json``).
    """
    path = Path(path)
    out: dict[str, str] = {}
    for row in read_rows(path):
        if row.key is None and isinstance(row.data, dict):
            filename, html = _pubtabnet_row_html(row)
        else:
            filename = row.key
            html = row.get("html") if isinstance(row.data, dict) else row.data
            if filename is None or not isinstance(html, str):
                raise row.error("expected {filename: html string or {html: ...}}")
        put_unique(out, filename, html, row, "filename")
    return out


def load_expected_teds(path: str | Path) -> dict[str, float]:
    """filename -> reference TEDS score in [0, 1] (expected_teds.json)."""
    out: dict[str, float] = {}
    for row in read_rows(path, "json"):
        if row.key is None or not check_type(row.data, float) or not 0 <= row.data <= 1:
            raise row.error(f"expected {{filename: score in [0, 1]}}, got {row.data!r:.40}")
        out[row.key] = float(row.data)
    return out


# ---------------------------------------------------------------- FUNSD / SROIE

@dataclass(frozen=True)
class Word:
    """A word (or text line) with its box ``(left, top, right, bottom)`` in pixels."""

    text: str
    box: tuple[int, int, int, int]
    label: str | None = None


@dataclass(frozen=True)
class OcrPage:
    """OCR ground truth of one image: ``text`` in reading order, ``bag`` order-free."""

    image_id: str
    image_path: Path | None
    words: list[Word]
    text: str
    bag: Counter[str] = field(default_factory=Counter)
    fields: dict[str, str] = field(default_factory=dict)


def reading_order_text(words: Iterable[Word]) -> str:
    """Text of boxed words in reading order: lines top to bottom, words left to right.

    Words (empty ones dropped) are sorted by (top, left); a word joins the current line when
    its vertical centre lies within the line's vertical extent (union of its words' boxes),
    otherwise it starts a new line. Words of a line are joined by a space, lines by ``\\n``.
    """
    lines: list[tuple[list[Word], float, float]] = []
    for word in sorted((w for w in words if w.text.strip()), key=lambda w: (w.box[1], w.box[0])):
        centre = (word.box[1] + word.box[3]) / 2
        if lines and lines[-1][1] <= centre <= lines[-1][2]:
            members, top, bottom = lines[-1]
            lines[-1] = (members + [word], top, max(bottom, word.box[3]))
        else:
            lines.append(([word], word.box[1], word.box[3]))
    return "\n".join(" ".join(w.text.strip() for w in sorted(m, key=lambda w: w.box[0])) for m, _, _ in lines)


def _box(row: Row, value: Any, n: int = 4) -> tuple[int, ...]:
    if not isinstance(value, list) or len(value) != n or not all(check_type(v, int) for v in value):
        raise row.error(f"expected a box of {n} integers, got {value!r:.60}")
    return tuple(value)


def _ocr_page(image_id: str, image_path: Path | None, words: list[Word], text: str | None = None,
              **extra: Any) -> OcrPage:
    """An OcrPage; ``text`` defaults to ``reading_order_text(words)``; bag = stripped word texts."""
    bag = Counter(w.text.strip() for w in words if w.text.strip())
    text = reading_order_text(words) if text is None else text
    return OcrPage(image_id, image_path, words, text, bag, **extra)


def load_funsd(folder: str | Path) -> dict[str, OcrPage]:
    """FUNSD ``annotations/<id>.json`` (+ ``images/<id>.png``): id -> words of every entity."""
    folder = Path(folder)
    out: dict[str, OcrPage] = {}
    for path in sorted((folder / "annotations").glob("*.json")):
        form = next((r for r in read_rows(path, "json") if r.key == "form"), None)
        if form is None or not isinstance(form.data, list):
            raise GoldenSetError(path, form and form.line, "expected {\"form\": [entities]}")
        words: list[Word] = []
        for entity in form.data:
            sub = Row(path, form.line, entity)
            for w in sub.get("words", list):
                ws = Row(path, form.line, w)
                box = _box(ws, ws.get("box", list))
                words.append(Word(ws.get("text"), box, sub.get("label", str, None)))  # type: ignore[arg-type]
        out[path.stem] = _ocr_page(path.stem, _image_for(folder / "images", path.stem), words)
    return out


def load_sroie(folder: str | Path) -> dict[str, OcrPage]:
    """SROIE ``box/<id>.csv`` lines ``x1,y1,...,x4,y4,TEXT`` (TEXT may hold commas), plus
    ``img/<id>.jpg`` and the ``key/<id>.json`` fields: id -> text lines (box = their bounds).
    ``text`` keeps the annotation's line order (one line per CSV row, text as written).
    """
    folder = Path(folder)
    out: dict[str, OcrPage] = {}
    for path in sorted((folder / "box").glob("*.csv")):
        lines: list[Word] = []
        for row in read_rows(path, "lines"):
            parts = row.data.split(",", 8)
            if len(parts) != 9:
                raise row.error(f"expected 8 coordinates then text, got {len(parts)} fields")
            try:
                quad = [int(p) for p in parts[:8]]
            except ValueError:
                raise row.error(f"coordinates must be integers: {parts[:8]}") from None
            xs, ys = quad[0::2], quad[1::2]
            lines.append(Word(parts[8], (min(xs), min(ys), max(xs), max(ys))))
        key_path = folder / "key" / f"{path.stem}.json"
        fields = {r.key: r.data for r in read_rows(key_path, "json")} if key_path.is_file() else {}
        out[path.stem] = _ocr_page(path.stem, _image_for(folder / "img", path.stem), lines,
                                   "\n".join(w.text for w in lines),
                                   fields={k: str(v) for k, v in fields.items() if k})
    return out


# ---------------------------------------------------------------- BEIR

@dataclass(frozen=True)
class BeirDataset:
    corpus: dict[str, dict[str, str]]  # doc_id -> {"title", "text"}
    queries: dict[str, str]  # qid -> text (only queries judged in the split, as BEIR does)
    qrels: dict[str, dict[str, int]]  # qid -> {doc_id: grade}


def load_beir_corpus(path: str | Path) -> dict[str, dict[str, str]]:
    """BEIR corpus.jsonl: doc_id -> {"title", "text"} (title may be empty)."""
    out: dict[str, dict[str, str]] = {}
    for row in read_rows(path, "jsonl"):
        doc = {"title": row.get("title", str, ""), "text": row.get("text")}
        put_unique(out, row.get("_id"), doc, row, "doc id")
    return out


def load_beir(folder: str | Path, split: str = "train") -> BeirDataset:
    """A BEIR folder (corpus.jsonl, queries.jsonl, qrels/<split>.tsv), like BEIR's loader.

    Every judged query must exist in queries.jsonl and every judged doc in the corpus.
    """
    folder = Path(folder)
    qrels_path = folder / "qrels" / f"{split}.tsv"
    if not qrels_path.is_file():
        raise GoldenSetError(qrels_path, None, f"no qrels for split {split!r}")
    corpus = load_beir_corpus(folder / "corpus.jsonl")
    all_queries, _ = load_queries(folder / "queries.jsonl", metadata_types={})
    qrels = load_qrels(qrels_path)
    missing_q = sorted(set(qrels) - set(all_queries))
    missing_d = sorted({d for judged in qrels.values() for d in judged} - set(corpus))
    if missing_q or missing_d:
        raise GoldenSetError(qrels_path, None, f"unknown query ids {missing_q[:5]} / doc ids "
                             f"{missing_d[:5]} ({len(missing_q)} / {len(missing_d)})")
    return BeirDataset(corpus, {q: all_queries[q] for q in qrels}, qrels)


def load_beir_corpus_metadata(path: str | Path) -> dict[str, dict[str, Any]]:
    """A TSV ``doc_id<TAB>field...`` (e.g. SciFact corpus_metadata.tsv): doc_id -> fields.

    ``True``/``False`` cells become booleans (``structured_abstract``); others stay strings.
    ``path`` may be the TSV itself or the folder holding ``corpus_metadata.tsv``.
    """
    path = Path(path)
    path = path / "corpus_metadata.tsv" if path.is_dir() else path
    booleans = {"true": True, "false": False}
    out: dict[str, dict[str, Any]] = {}
    for row in read_rows(path, "tsv", ("doc_id",)):
        fields = {k: booleans.get(v.strip().lower(), v) for k, v in row.data.items() if k != "doc_id"}
        put_unique(out, row.get("doc_id").strip(), fields, row, "doc_id")
    return out


# ---------------------------------------------------------------- presidio-research

@dataclass(frozen=True)
class PresidioSample:
    full_text: str
    spans: list[tuple[int, int, str]]  # (start, end, entity_type), sorted
    template_id: int | None = None


def load_presidio_spans(path: str | Path) -> list[PresidioSample]:
    """presidio-research JSON ``[{full_text, spans: [{entity_type, entity_value,
    start_position, end_position}], ...}]``; each span must lie inside its text and cover
    ``entity_value`` exactly.
    """
    out: list[PresidioSample] = []
    for row in read_rows(path, "json"):
        text = row.get("full_text")
        spans = []
        for i, item in enumerate(row.get("spans", list)):
            sub = Row(row.path, row.line, item)
            try:
                start, end = sub.span("start_position", "end_position", len(text))
                value = sub.get("entity_value", str, None)
                if value is not None and text[start:end] != value:
                    raise sub.error(f"text[{start}:{end}] = {text[start:end]!r:.40} != {value!r:.40}")
                spans.append((start, end, sub.get("entity_type")))
            except GoldenSetError as exc:
                raise row.error(f"spans[{i}]: {exc.message}") from exc
        out.append(PresidioSample(text, sorted(spans), row.get("template_id", int, None)))
    return out


# ---------------------------------------------------------------- scrapinghub AEB

def load_aeb(folder: str | Path) -> dict[str, tuple[str, str]]:
    """article-extraction-benchmark: id -> (html text, reference articleBody).

    The HTML is read as the benchmark's extractors do (``gzip.open(path, "rt",
    encoding="utf8")``: strict UTF-8, universal newlines); ids of ``html/<id>.html.gz`` and
    ``ground-truth.json`` must match, as the benchmark's ``evaluate.py`` requires.
    """
    folder = Path(folder)
    truth: dict[str, str] = {}
    for row in read_rows(folder / "ground-truth.json", "json"):
        if row.key is None:
            raise row.error("expected {id: {articleBody, url}} at top level")
        truth[row.key] = row.get("articleBody", str, "")
    out: dict[str, tuple[str, str]] = {}
    for path in sorted((folder / "html").glob("*.html.gz")):
        item_id = path.name.split(".")[0]
        if item_id not in truth:
            raise GoldenSetError(path, None, "no entry in ground-truth.json")
        try:
            with gzip.open(path, "rt", encoding="utf8") as fh:
                out[item_id] = (fh.read(), truth[item_id])
        except (OSError, UnicodeDecodeError, EOFError) as exc:
            raise GoldenSetError(path, None, f"cannot read as gzipped UTF-8: {exc}") from exc
    missing = sorted(set(truth) - set(out))
    if missing:
        raise GoldenSetError(folder / "ground-truth.json", None,
                             f"{len(missing)} ids have no html/<id>.html.gz, e.g. {missing[:3]}")
    return out
