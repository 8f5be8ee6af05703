"""Per-document time limit and crash isolation: one persistent worker subprocess per parser.

A worker is spawned on first use, imports its parser and warms it up (docling builds its
converter, unstructured loads spaCy) before it takes documents, so heavy converters are built
once per worker, not per document; the start-up does not count against a document's time limit.
A document that runs past ``timeout_s`` kills the worker (``timeout`` failure) and a worker that
dies (segfault, OOM kill) yields an ``error`` failure naming the signal; either way the next
document gets a fresh worker. Calls to one parser are serialized (one worker each).
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from rag_eval_assets.lib.documents import ParsedDocument, ParseFailure

STARTUP_TIMEOUT_S = 600.0  # imports + warm-up of the heaviest parser (docling, unstructured)
_WORKERS: dict[str, "Worker"] = {}
_LOCK = threading.Lock()


def _worker_main(parser_name: str, read_fd: int, write_fd: int) -> None:
    """Loop of a worker process: receive (path, options), send back a ParsedDocument."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    os.dup2(2, 1)  # libraries that print (pymupdf4llm) write to stderr, never into the protocol
    inbox, conn = Connection(read_fd, writable=False), Connection(write_fd, readable=False)
    from rag_eval_assets.lib.parsers import base

    base.apply_offline_env()
    try:
        parser = base.get_parser(parser_name)
        if base.missing_requirement(parser) is None and hasattr(parser, "warmup"):
            parser.warmup()
    except Exception:  # noqa: BLE001 - the per-document call reports the typed failure
        pass
    conn.send("ready")
    while True:
        try:
            msg = inbox.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        path, options = msg
        conn.send(base.run_parser(path, parser_name, options))


def base_offline_env() -> dict[str, str]:
    from rag_eval_assets.lib.parsers import base

    return dict(base.OFFLINE_ENV)


def _signal_name(exitcode: int | None) -> str:
    if exitcode is None:
        return "no exit code"
    if exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"


class Worker:
    """One persistent subprocess running one parser."""

    def __init__(self, parser_name: str) -> None:
        self.parser_name = parser_name
        self.proc: subprocess.Popen | None = None
        self.conn: Connection | None = None  # results from the worker
        self.outbox: Connection | None = None  # documents to the worker
        self.lock = threading.Lock()
        self.starts = 0

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        """Start a fresh interpreter (no fork of the caller, which may hold threads, and no
        re-import of the caller's ``__main__`` as multiprocessing's spawn does); wait until ready."""
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        entry = f"from {__name__} import _worker_main; _worker_main({self.parser_name!r}, {to_child_r}, {from_child_w})"
        cmd = [sys.executable, "-c", entry]
        try:
            self.proc = subprocess.Popen(cmd, pass_fds=(to_child_r, from_child_w), stdin=subprocess.DEVNULL,
                                         env={**base_offline_env(), **os.environ})
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self.outbox = Connection(to_child_w, readable=False)
        self.conn = Connection(from_child_r, writable=False)
        self.starts += 1
        try:
            ready = self.conn.poll(STARTUP_TIMEOUT_S) and self.conn.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.stop()
            raise RuntimeError(f"parser worker {self.parser_name!r} did not start")

    def stop(self) -> None:
        """Kill the worker (if any) and forget it."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait(10)
        for conn in (self.conn, self.outbox):
            if conn is not None:
                conn.close()
        self.proc = self.conn = self.outbox = None

    def close(self) -> None:
        """Ask the worker to exit, then make sure it did."""
        if self.alive():
            try:
                self.outbox.send(None)
                self.proc.wait(2)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
        self.stop()

    def parse(self, path: str | Path, options: dict[str, Any], timeout_s: float | None) -> ParsedDocument:
        """Parse in the worker; a hang past ``timeout_s`` or a crash becomes a typed failure."""
        return next(self.parse_many([path], options, timeout_s))

    def parse_many(self, paths: Iterable[str | Path], options: dict[str, Any], timeout_s: float | None,
                   window: int = 2) -> Iterator[ParsedDocument]:
        """Parse documents in order, keeping ``window`` of them queued in the worker so the pipe
        round trip overlaps with parsing. Each result waits at most ``timeout_s`` from the moment
        it is asked for; after a timeout or crash the worker restarts and the queue is re-sent."""
        todo = [str(p) for p in paths]
        sent = done = 0
        with self.lock:
            try:
                while done < len(todo):
                    start = time.perf_counter()
                    try:
                        if not self.alive():
                            self.stop()
                            self.start()
                            sent = done
                        while sent < len(todo) and sent - done < window:
                            self.outbox.send((todo[sent], options))
                            sent += 1
                    except (OSError, ValueError, RuntimeError) as exc:
                        self.stop()
                        yield self._failed(todo[done], "error", f"parser worker unavailable: {exc}", start)
                        done = sent = done + 1
                        continue
                    if not self.conn.poll(timeout_s):
                        self.stop()
                        yield self._failed(todo[done], "timeout", f"no result within {timeout_s:g} s (worker killed)", start)
                        done = sent = done + 1
                        continue
                    try:
                        doc = self.conn.recv()
                    except (EOFError, OSError) as exc:
                        try:
                            code = self.proc.wait(10)
                        except subprocess.TimeoutExpired:
                            code = None
                        self.stop()
                        why = _signal_name(code)
                        yield self._failed(todo[done], "error", f"parser worker crashed ({why}) on this document: {exc!r}", start)
                        done = sent = done + 1
                        continue
                    done += 1
                    yield doc
            finally:
                if sent > done:  # the caller stopped early: results still queued would leak into the next call
                    self.stop()

    def _failed(self, path: str | Path, kind: str, message: str, start: float) -> ParsedDocument:
        return ParsedDocument(parser=self.parser_name, source=str(path), failure=ParseFailure(kind, message),
                              seconds=time.perf_counter() - start)


def worker(parser_name: str) -> Worker:
    """The process-wide worker of a parser (created, not started, on first request)."""
    with _LOCK:
        if parser_name not in _WORKERS:
            _WORKERS[parser_name] = Worker(parser_name)
        return _WORKERS[parser_name]


def shutdown_workers() -> None:
    """Stop every worker subprocess (also registered at interpreter exit)."""
    with _LOCK:
        workers = list(_WORKERS.values())
        _WORKERS.clear()
    for w in workers:
        w.close()


atexit.register(shutdown_workers)
