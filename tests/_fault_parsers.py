"""Parser plug-ins that misbehave, for the isolation tests (``parse_document(path, "_fault_parsers:Hang")``).
The parse worker imports them by name (``package.module:Class``), as it would a user's parser."""

import os
import signal
import time


class _Base:
    formats = frozenset({"pdf", "html", "txt", "md"})
    requires: dict = {}

    def version(self) -> str:
        return "test"

    def ocrs_itself(self, options) -> bool:  # noqa: ANN001
        return True


class Hang(_Base):
    name = "_fault_parsers:Hang"

    def parse(self, src, options):  # noqa: ANN001, ANN201
        time.sleep(600)


class Crash(_Base):
    name = "_fault_parsers:Crash"

    def parse(self, src, options):  # noqa: ANN001, ANN201
        os.kill(os.getpid(), signal.SIGSEGV)


class Boom(_Base):
    """Raises an unexpected exception (a bug in a parser): an ``error`` failure, retried."""

    name = "_fault_parsers:Boom"

    def parse(self, src, options):  # noqa: ANN001, ANN201
        raise RuntimeError("unexpected parser bug")
