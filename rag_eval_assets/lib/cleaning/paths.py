"""Masking file paths before they reach Dagster metadata, logs or the report.

A file name can carry PII (``john-q-public_ssn_078-05-1120.txt``). ``mask_path`` replaces what
looks like an identifier in a path: e-mail addresses, and any run of 7 or more digits (with
``-``, ``.``, ``_`` or spaces between them: SSNs, phone, card and account numbers), by a tag.
It is deliberately wider than a PII detector (a version or date of 7+ digits is masked too):
paths are shown next to the document id, which stays exact. Plain Python, no model.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DIGITS = re.compile(r"\d(?:[\s._-]*\d){6,}")


def mask_path(path: str) -> str:
    """``path`` with e-mail addresses and long digit runs replaced by ``<EMAIL_ADDRESS>`` /
    ``<NUMBER>``; everything else kept (folder structure and extension stay readable)."""
    masked = _EMAIL.sub("<EMAIL_ADDRESS>", path)
    return _DIGITS.sub("<NUMBER>", masked)
