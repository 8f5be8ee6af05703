"""GoldenSetError and the one line-numbered reader shared by every golden-set loader.

``read_rows`` turns a JSONL, CSV, TSV, JSON or plain-lines file into ``Row`` objects that know
their file and 1-based line, so a loader validates a row with ``row.get(...)`` /
``row.span(...)`` and every failure becomes a ``GoldenSetError`` reading ``path:line: message``.

Format notes:
- Files are decoded as UTF-8 (a leading BOM is dropped); an undecodable byte is reported at
  its line.
- JSONL and plain lines are split on ``\\n`` only (not ``str.splitlines``: U+2028 and friends are
  legal inside JSON strings); a trailing ``\\r`` is dropped; blank lines are skipped.
- CSV/TSV: the first record is the header; each later record is a dict keyed by it and must
  have exactly as many columns; the line of a record is the line where it starts.
- JSON: one row per member of the top-level object (``row.key`` set) or array, with the line
  where the member's value starts; duplicate object keys are an error.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection, Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_MISSING: Any = object()
_FORMATS = {".jsonl": "jsonl", ".csv": "csv", ".tsv": "tsv", ".json": "json", ".txt": "lines"}


class GoldenSetError(ValueError):
    """A malformed golden-set file or row: ``str()`` reads ``path:line: message``.

    ``line`` is 1-based, or None when the problem concerns the whole file.
    """

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        super().__init__(str(path), line, message)  # args kept so the error pickles
        self.path = str(path)
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


def _type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {str: "string", int: "integer", float: "number", bool: "boolean", dict: "object",
             list: "array", type(None): "null"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def check_type(value: Any, kind: type | tuple[type, ...]) -> bool:
    """isinstance, except that a bool is not an int and an int is a float (JSON semantics)."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool):
        return bool in kinds
    if isinstance(value, int) and float in kinds:
        return True
    return isinstance(value, kinds)


@dataclass(frozen=True)
class Row:
    """One record of a golden file with its location; its methods validate and raise."""

    path: Path
    line: int | None
    data: Any
    key: str | None = None
    text_cells: bool = False  # CSV/TSV: every value is a string, numbers are parsed

    def error(self, message: str) -> GoldenSetError:
        return GoldenSetError(self.path, self.line, message)

    def get(self, name: str, kind: type | tuple[type, ...] = str, default: Any = _MISSING) -> Any:
        """``data[name]`` checked against ``kind``; absent (or null) gives ``default`` if given."""
        if not isinstance(self.data, dict):
            raise self.error(f"expected a JSON object, got {_type_name(type(self.data))}")
        value = self.data.get(name)
        if value is None and default is not _MISSING:
            return default
        if name not in self.data:
            raise self.error(f"missing key {name!r}")
        if not check_type(value, kind):
            raise self.error(f"{name!r}: expected {_type_name(kind)}, got {value!r:.60}")
        return value

    def integer(self, name: str, minimum: int | None = None) -> int:
        """An integer field (a JSON int, or a CSV/TSV cell holding one), optionally bounded."""
        value = self.get(name, (int, str) if self.text_cells else int)
        try:
            number = int(value) if isinstance(value, str) else value
        except ValueError:
            raise self.error(f"{name!r}: expected an integer, got {value!r:.60}") from None
        if minimum is not None and number < minimum:
            raise self.error(f"{name!r}: must be >= {minimum}, got {number}")
        return number

    def choice(self, name: str, allowed: Collection[str]) -> str:
        """A string field restricted to ``allowed`` (an unknown label is an error)."""
        value = self.get(name, str)
        if value not in allowed:
            raise self.error(f"{name!r}: unknown label {value!r} (expected one of {sorted(allowed)})")
        return value

    def span(self, start_key: str, end_key: str, text_length: int | None = None) -> tuple[int, int]:
        """A non-empty character span ``[start, end)``, inside ``text_length`` when given."""
        start, end = self.integer(start_key), self.integer(end_key)
        if start < 0 or end <= start:
            raise self.error(f"bad span [{start}, {end}): need 0 <= {start_key} < {end_key}")
        if text_length is not None and end > text_length:
            raise self.error(f"span [{start}, {end}) ends past the text ({text_length} chars)")
        return start, end


def put_unique(out: MutableMapping[Any, Any], key: Any, value: Any, row: Row, what: str) -> None:
    """``out[key] = value``, raising at ``row`` when ``key`` is already present."""
    if key in out:
        raise row.error(f"duplicate {what} {key!r}")
    out[key] = value


def read_text(path: str | Path, encoding: str = "utf-8") -> str:
    """Decode a whole file, reporting an undecodable byte as a GoldenSetError at its line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise GoldenSetError(path, None, f"cannot read: {exc.strerror or exc}") from exc
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise GoldenSetError(path, line, f"not valid {encoding}: {exc.reason}") from exc


class _LineCounter:
    """Maps increasing character offsets of a text to 1-based lines in linear total time."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1

    def __call__(self, pos: int) -> int:
        if pos < self.pos:
            self.pos, self.line = 0, 1
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


def _json_members(path: Path, text: str) -> Iterator[Row]:
    """Rows for the members of a top-level JSON object or array, each with its own line."""
    decoder, line_of = json.JSONDecoder(), _LineCounter(text)

    def skip(pos: int) -> int:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        return pos

    def decode(pos: int) -> tuple[Any, int]:
        try:
            return decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise GoldenSetError(path, exc.lineno, f"bad JSON: {exc.msg}") from exc

    pos = skip(0)
    if pos == len(text) or text[pos] not in "{[":
        raise GoldenSetError(path, line_of(pos), "expected a JSON object or array at top level")
    close, is_object, seen = "}" if text[pos] == "{" else "]", text[pos] == "{", set[str]()
    pos = skip(pos + 1)
    if pos < len(text) and text[pos] == close:
        pos = skip(pos + 1)
    else:
        while True:
            key = None
            if is_object:
                key, pos = decode(pos)
                if not isinstance(key, str):
                    raise GoldenSetError(path, line_of(pos), "bad JSON: object key must be a string")
                pos = skip(pos)
                if text[pos:pos + 1] != ":":
                    raise GoldenSetError(path, line_of(pos), "bad JSON: expected ':'")
                pos = skip(pos + 1)
            line = line_of(pos)
            value, pos = decode(pos)
            row = Row(path, line, value, key)
            if is_object:
                if key in seen:
                    raise row.error(f"duplicate key {key!r}")
                seen.add(key)
            yield row
            pos = skip(pos)
            if text[pos:pos + 1] == close:
                pos = skip(pos + 1)
                break
            if text[pos:pos + 1] != ",":
                raise GoldenSetError(path, line_of(pos), f"bad JSON: expected ',' or '{close}'")
            pos = skip(pos + 1)
    if pos != len(text):
        raise GoldenSetError(path, line_of(pos), "bad JSON: extra data after the top-level value")


def _table_rows(path: Path, text: str, delimiter: str, columns: Collection[str]) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    start = 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            if header is None:
                header = [c.strip() for c in record]
                missing = [c for c in columns if c not in header]
                if missing:
                    raise GoldenSetError(path, line, f"header lacks columns {missing} (got {header})")
                continue
            if len(record) != len(header):
                raise GoldenSetError(path, line, f"expected {len(header)} columns, got {len(record)}")
            yield Row(path, line, dict(zip(header, record)), text_cells=True)
    except csv.Error as exc:
        raise GoldenSetError(path, start, f"bad {'TSV' if delimiter == chr(9) else 'CSV'}: {exc}") from exc
    if header is None:
        raise GoldenSetError(path, None, "empty file: no header")


def _line_rows(path: Path, text: str, parse_json: bool) -> Iterator[Row]:
    for lineno, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        if not parse_json:
            yield Row(path, lineno, line)
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldenSetError(path, lineno, f"bad JSON: {exc.msg} (column {exc.colno})") from exc
        yield Row(path, lineno, data)


def read_rows(path: str | Path, fmt: str | None = None, columns: Collection[str] = ()) -> Iterator[Row]:
    """Line-numbered rows of a golden file; ``fmt`` defaults from the suffix.

    fmt is ``jsonl``, ``csv``, ``tsv``, ``json`` (members of the top-level value) or ``lines``
    (raw text lines). ``columns`` are the header names a CSV/TSV file must have.
    """
    path = Path(path)
    fmt = fmt or _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise GoldenSetError(path, None, f"unknown golden file format {path.suffix!r}")
    text = read_text(path).removeprefix("\ufeff")
    if fmt in ("csv", "tsv"):
        yield from _table_rows(path, text, "," if fmt == "csv" else "\t", columns)
    elif fmt == "json":
        yield from _json_members(path, text)
    elif fmt in ("jsonl", "lines"):
        yield from _line_rows(path, text, parse_json=fmt == "jsonl")
    else:
        raise ValueError(f"unknown format {fmt!r}")
