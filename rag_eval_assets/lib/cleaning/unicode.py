"""Unicode normalization: invisible characters removed, NFC applied, NFKC drift reported.

``normalize_unicode(text)`` removes three kinds of invisible characters and counts each:

- zero-width: U+200B ZWSP, U+200C ZWNJ, U+200D ZWJ, U+2060 WORD JOINER, U+FEFF BOM / ZWNBSP
  (ZWJ/ZWNJ carry meaning in emoji sequences and some scripts, none of the ontology's);
- bidi controls: U+061C ALM, U+200E LRM, U+200F RLM, U+202A..U+202E embeddings/overrides,
  U+2066..U+2069 isolates (the "Trojan Source" characters);
- other invisible: U+00AD SOFT HYPHEN, U+034F CGJ, U+115F/U+1160/U+3164/U+FFA0 Hangul fillers,
  U+180E, U+2061..U+2064 invisible operators, U+FFF9..U+FFFB annotation marks, tag characters
  U+E0000..U+E007F, and control characters (category Cc) that are not whitespace.

then applies NFC. The drift signal ``nfkc_differs`` says whether the clean text's NFKC form
differs from its NFC form (ligatures, full-width forms, super/subscripts, NBSP...): text whose
meaning may change under compatibility folding. The share of documents per class with drift is
the caller's aggregate. The report holds counts only, never text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass

__all__ = ["UnicodeReport", "invisible_kind", "normalize_unicode"]

ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f" + "".join(map(chr, range(0x202A, 0x202F)))
                          + "".join(map(chr, range(0x2066, 0x206A))))
OTHER_INVISIBLE = frozenset("\u00ad\u034f\u115f\u1160\u3164\uffa0\u180e\u2061\u2062\u2063\u2064"
                            "\ufff9\ufffa\ufffb" + "".join(map(chr, range(0xE0000, 0xE0080)))
                            + "".join(c for c in map(chr, range(0xA0)) if unicodedata.category(c) == "Cc"
                                      and not c.isspace()))
_INVISIBLE_RE = re.compile("[" + "".join(map(re.escape, sorted(ZERO_WIDTH | BIDI_CONTROLS | OTHER_INVISIBLE))) + "]")


@dataclass(frozen=True)
class UnicodeReport:
    """What ``normalize_unicode`` changed in one text (counts and flags only)."""

    zero_width: int = 0
    bidi_controls: int = 0
    other_invisible: int = 0
    nfc_changed: bool = False  # NFC changed the text (after removal)
    nfkc_differs: bool = False  # NFKC(clean) != clean: compatibility-character drift

    @property
    def removed(self) -> int:
        return self.zero_width + self.bidi_controls + self.other_invisible

    def to_json(self) -> dict[str, int | bool]:
        return {**asdict(self), "removed": self.removed}


def invisible_kind(char: str) -> str | None:
    """``"zero_width"``, ``"bidi_controls"``, ``"other_invisible"`` or None for a visible char."""
    if char in ZERO_WIDTH:
        return "zero_width"
    if char in BIDI_CONTROLS:
        return "bidi_controls"
    if char in OTHER_INVISIBLE:
        return "other_invisible"
    return None


def normalize_unicode(text: str) -> tuple[str, UnicodeReport]:
    """Remove invisible characters, apply NFC; return the clean text and its report."""
    counts = {"zero_width": 0, "bidi_controls": 0, "other_invisible": 0}
    for match in _INVISIBLE_RE.finditer(text):
        counts[invisible_kind(match.group())] += 1  # type: ignore[index]
    stripped = _INVISIBLE_RE.sub("", text) if any(counts.values()) else text
    clean = unicodedata.normalize("NFC", stripped)
    report = UnicodeReport(**counts, nfc_changed=clean != stripped,
                           nfkc_differs=unicodedata.normalize("NFKC", clean) != clean)
    return clean, report
