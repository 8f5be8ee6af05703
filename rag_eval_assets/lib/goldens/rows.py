"""GoldenSetError and the one line-numbered reader shared by every golden-set loader.

``read_rows`` turns a JSONL, CSV, TSV, JSON or plain-lines file into ``Row`` objects that know
their file and 1-based line, so a loader validates a row with ``row.get(...)`` /
``row.span(...)`` and every failure becomes a ``GoldenSetError`` reading ``path:line: message``.

Errors: every reader and loader takes ``errors`` (``Errors``): None raises the first
GoldenSetError (the strict mode, for tests and public benchmarks); a list collects every error
while the bad rows are skipped and the good rows kept (``GoldenSet.load``). A loader validates
each row inside ``with report_to(errors):``. A problem that concerns the whole file (unreadable,
not UTF-8 text at all, a CSV/TSV header without the required columns, a JSON top level that is
neither object nor array) is one error with line None, and the file gives no rows.

Format notes:
- Files are decoded as UTF-8 (a leading BOM is dropped); an undecodable line is reported at
  its line and skipped.
- JSONL and plain lines are split on ``\\n`` only (not ``str.splitlines``: U+2028 and friends are
  legal inside JSON strings); a trailing ``\\r`` is dropped; blank lines are skipped; a line that
  is not JSON is a row error.
- CSV/TSV: the first record is the header; each later record is a dict keyed by it and must
  have exactly as many columns; the line of a record is the line where it starts.
- JSON: one row per member of the top-level object (``row.key`` set) or array, with the line
  where the member's value starts; a duplicated object key is a row error (the first is kept);
  a syntax error ends the file at its line (the members before it are kept).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection, Iterator, MutableMapping
from contextlib import contextmanager
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



#: Where a loader's errors go: None raises the first one; a list collects them all (the bad
#: rows are skipped, the good rows of the same file kept).
Errors = list[GoldenSetError] | None


@contextmanager
def report_to(errors: Errors) -> Iterator[None]:
    """Run one row's validation: a GoldenSetError inside is appended to ``errors`` (and the
    rest of the block, i.e. the row, is skipped) or raised when ``errors`` is None.

    A loader mutates its output only at the end of the block, so a skipped row leaves nothing.
    """
    try:
        yield
    except GoldenSetError as exc:
        if errors is None:
            raise
        errors.append(exc)


def _report(errors: Errors, error: GoldenSetError) -> None:
    if errors is None:
        raise error
    errors.append(error)


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


_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16/32: not UTF-8 text at all


def _decode_rows_text(path: Path, errors: Errors) -> str | None:
    """A row file's text. An undecodable line is reported at its line and blanked (its row
    is skipped); a file that is not UTF-8 text at all (a UTF-16/32 BOM, NUL bytes, or more
    than half of its non-blank lines undecodable) is one error with line None (result None)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        _report(errors, GoldenSetError(path, None, f"cannot read: {exc.strerror or exc}"))
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        first = exc
    lines, bad = raw.split(b"\n"), []
    for lineno, chunk in enumerate(lines, start=1):
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad.append((lineno, exc))
    non_blank = sum(1 for chunk in lines if chunk.strip())
    if raw.startswith(_WIDE_BOMS) or b"\x00" in raw or 2 * len(bad) > non_blank:
        _report(errors, GoldenSetError(path, None, f"not UTF-8 text ({first.reason} at line {bad[0][0]}; "
                                                   f"{len(bad)} of {non_blank} lines undecodable)"))
        return None
    for lineno, exc in bad:
        _report(errors, GoldenSetError(path, lineno, f"not valid utf-8: {exc.reason}"))
    blank = {lineno for lineno, _ in bad}
    return "\n".join("" if i in blank else chunk.decode("utf-8") for i, chunk in enumerate(lines, start=1))


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


def _json_members(path: Path, text: str, errors: Errors) -> Iterator[Row]:
    """Rows for the members of a top-level JSON object or array, each with its own line.

    A duplicated object key is a row error (the first member is kept); a syntax error ends
    the file there (the members before it are kept, the error says the rest is not read).
    """
    decoder, line_of = json.JSONDecoder(), _LineCounter(text)

    def skip(pos: int) -> int:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        return pos

    def syntax(pos: int, message: str) -> GoldenSetError:
        return GoldenSetError(path, line_of(pos), f"bad JSON: {message} (the rest of the file is not read)")

    def decode(pos: int) -> tuple[Any, int]:
        try:
            return decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise syntax(exc.pos, exc.msg) from exc

    pos = skip(0)
    if pos == len(text) or text[pos] not in "{[":
        _report(errors, GoldenSetError(path, None, "expected a JSON object or array at top level"))
        return
    close, is_object, seen = "}" if text[pos] == "{" else "]", text[pos] == "{", set[str]()
    try:
        pos = skip(pos + 1)
        if pos < len(text) and text[pos] == close:
            pos = skip(pos + 1)
        else:
            while True:
                key = None
                if is_object:
                    key, pos = decode(pos)
                    if not isinstance(key, str):
                        raise syntax(pos, "object key must be a string")
                    pos = skip(pos)
                    if text[pos:pos + 1] != ":":
                        raise syntax(pos, "expected ':'")
                    pos = skip(pos + 1)
                line = line_of(pos)
                value, pos = decode(pos)
                row = Row(path, line, value, key)
                if key is not None and key in seen:
                    _report(errors, row.error(f"duplicate key {key!r} (the first one is used)"))
                else:
                    if key is not None:
                        seen.add(key)
                    yield row
                pos = skip(pos)
                if text[pos:pos + 1] == close:
                    pos = skip(pos + 1)
                    break
                if text[pos:pos + 1] != ",":
                    raise syntax(pos, f"expected ',' or '{close}'")
                pos = skip(pos + 1)
    except GoldenSetError as exc:
        _report(errors, exc)
        return
    if pos != len(text):
        _report(errors, GoldenSetError(path, line_of(pos), "bad JSON: extra data after the top-level value"))


def _table_rows(path: Path, text: str, delimiter: str, columns: Collection[str], errors: Errors) -> Iterator[Row]:
    """Records of a CSV/TSV text as rows keyed by the header. A bad header is a whole-file error
    (line None, no rows); a record with the wrong number of columns or bad quoting is skipped."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    kind = "TSV" if delimiter == "\t" else "CSV"
    header: list[str] | None = None
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            _report(errors, GoldenSetError(path, start, f"bad {kind}: {exc}"))
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not record or (len(record) == 1 and not record[0].strip()):
            continue
        if header is None:
            header = [c.strip() for c in record]
            missing = [c for c in columns if c not in header]
            if missing:
                _report(errors, GoldenSetError(path, None, f"header (line {line}) lacks columns {missing} "
                                                           f"(got {header}): no row of the file is used"))
                return
            continue
        if len(record) != len(header):
            _report(errors, GoldenSetError(path, line, f"expected {len(header)} columns, got {len(record)}"))
            continue
        yield Row(path, line, dict(zip(header, record)), text_cells=True)
    if header is None:
        _report(errors, GoldenSetError(path, None, "empty file: no header"))


def _line_rows(path: Path, text: str, parse_json: bool, errors: Errors) -> Iterator[Row]:
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
            _report(errors, GoldenSetError(path, lineno, f"bad JSON: {exc.msg} (column {exc.colno})"))
            continue
        yield Row(path, lineno, data)


def read_rows(path: str | Path, fmt: str | None = None, columns: Collection[str] = (),
              errors: Errors = None) -> Iterator[Row]:
    """Line-numbered rows of a golden file; ``fmt`` defaults from the suffix.

    fmt is ``jsonl``, ``csv``, ``tsv``, ``json`` (members of the top-level value) or ``lines``
    (raw text lines). ``columns`` are the header names a CSV/TSV file must have. ``errors``:
    None raises the first GoldenSetError; a list receives every error while the good rows are
    still yielded (a whole-file problem: one error with line None, and no rows).
    """
    path = Path(path)
    fmt = fmt or _FORMATS.get(path.suffix.lower())
    if fmt not in ("csv", "tsv", "json", "jsonl", "lines"):
        if fmt is None:
            _report(errors, GoldenSetError(path, None, f"unknown golden file format {path.suffix!r}"))
            return
        raise ValueError(f"unknown format {fmt!r}")
    text = _decode_rows_text(path, errors)
    if text is None:
        return
    text = text.removeprefix("\ufeff")
    if fmt in ("csv", "tsv"):
        yield from _table_rows(path, text, "," if fmt == "csv" else "\t", columns, errors)
    elif fmt == "json":
        yield from _json_members(path, text, errors)
    else:
        yield from _line_rows(path, text, fmt == "jsonl", errors)
