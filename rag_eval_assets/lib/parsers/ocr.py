"""Tesseract OCR (tesserocr) and page rendering: the ``ocr`` baseline parser, and the OCR that
the shared loop routes text-less PDF pages and images to for parsers that cannot OCR.

Pages are rendered with pymupdf at ``ocr_dpi`` (default 200; lowered for huge pages so one
page stays under ``MAX_PIXELS``), grayscale, and read by one ``PyTessBaseAPI`` per process and
language (``ocr_lang``, default ``eng``; ``OMP_THREAD_LIMIT=1`` is set before tesseract loads).
Tessdata: ``$TESSDATA_PREFIX`` or Debian's ``/usr/share/tesseract-ocr/5/tessdata/``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from importlib.metadata import version as _dist_version
from pathlib import Path
from typing import Any

from rag_eval_assets.lib.documents import Block
from rag_eval_assets.lib.parsers import structure
from rag_eval_assets.lib.parsers.model import ParseError, ParserOutput, Source

DEFAULT_DPI = 200  # measured: CER on the samples as good as 300 dpi, ~1.5x faster; unstructured worse at 300
MAX_PIXELS = 40_000_000  # ~ an A3 page at 300 dpi; fuzzed PDFs declare pages of kilometres
TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
)
_APIS: dict[tuple[str, str], Any] = {}


def tessdata_dir(lang: str = "eng") -> str | None:
    """The first tessdata folder holding ``<lang>.traineddata`` for every ``+``-joined language."""
    candidates = [os.environ["TESSDATA_PREFIX"]] if os.environ.get("TESSDATA_PREFIX") else []
    for folder in (*candidates, *TESSDATA_DIRS):
        if all((Path(folder) / f"{code}.traineddata").is_file() for code in lang.split("+")):
            return folder
    return None


def _api(lang: str) -> Any:
    import tesserocr

    folder = tessdata_dir(lang)
    if folder is None:
        raise ParseError("missing_dependency", f"tesseract language data {lang!r} not found "
                         "(Debian package tesseract-ocr-eng, or set TESSDATA_PREFIX)")
    key = (folder, lang)
    if key not in _APIS:
        _APIS[key] = tesserocr.PyTessBaseAPI(path=folder.rstrip("/") + "/", lang=lang, psm=tesserocr.PSM.AUTO)
    return _APIS[key]


def skew_angle(image: Any, max_degrees: float = 5.0, step: float = 0.25) -> float:
    """The rotation (degrees, counter-clockwise positive as PIL's ``rotate``) that makes the
    text lines of a page image horizontal: the angle whose row profile of dark pixels has the
    largest variance (text lines become sharp peaks when level), on a ~1000 px copy."""
    import numpy as np
    from PIL import Image

    small = image.convert("L")
    scale = 1000 / max(small.size)
    if scale < 1:
        small = small.resize((max(1, int(small.width * scale)), max(1, int(small.height * scale))), Image.BILINEAR)
    arr = np.asarray(small, dtype=np.float32)
    dark = arr < (arr.mean() - arr.std())  # ink on paper, whatever the contrast
    if dark.mean() < 0.002:
        return 0.0
    ink = Image.fromarray((dark * 255).astype(np.uint8))
    best, best_score = 0.0, -1.0
    for angle in np.arange(-max_degrees, max_degrees + step / 2, step):
        rows = np.asarray(ink.rotate(float(angle), resample=Image.NEAREST, fillcolor=0), dtype=np.float32).sum(axis=1)
        score = float(rows.var())
        if score > best_score:
            best, best_score = float(angle), score
    return best


def deskew(image: Any, min_degrees: float = 0.3) -> Any:
    """The page image rotated so its text lines are level (unchanged below ``min_degrees``).
    Tesseract reads skewed lines poorly: on the sample's degraded scans a 2-3° skew costs a
    CER of 0.5-0.9, level it reads them at ~0.005 (benchmarks/bench_sample_parsers.py)."""
    angle = skew_angle(image)
    if abs(angle) < min_degrees:
        return image
    return image.rotate(angle, resample=3, expand=True, fillcolor=255)  # 3 = BICUBIC


def stretch_faint(image: Any, darkest: int = 60) -> Any:
    """A page without dark ink (its 0.1th-percentile grey level above ``darkest``: faint ink on
    grey paper, as on a low-contrast scan) stretched to the full grey range; any other image
    unchanged (a mostly white receipt photo with black print must stay as it is)."""
    import numpy as np
    from PIL import ImageOps

    return ImageOps.autocontrast(image, cutoff=1) if np.percentile(np.asarray(image), 0.1) > darkest else image


def ocr_image(image: Any, lang: str = "eng", straighten: bool = True, tsv: bool = False) -> str:
    """Text of one PIL image by tesseract (page segmentation: automatic), after stretching its
    contrast and (``straighten``) deskewing it; with ``tsv``, tesseract's TSV of words with
    their boxes (level, page, block, paragraph, line, word, left, top, width, height, conf, text)."""
    api = _api(lang)
    gray = stretch_faint(image.convert("L"))
    api.SetImage(deskew(gray) if straighten else gray)
    try:
        return api.GetTSVText(0) if tsv else api.GetUTF8Text()
    finally:
        api.Clear()


HEADING_SIZE_RATIO = 1.12  # a line this much taller than body text of the same letter shapes is a heading
HEADING_MAX_WORDS = 14
LEVEL_STEP = 1.15  # heading sizes further apart than this ratio are different levels


def _shape(word: str) -> tuple[bool, bool]:
    """(reaches cap/ascender height, has a descender): word boxes of the same shape compare."""
    return (any(c.isupper() or c.isdigit() or c in "bdfhklt" for c in word),
            any(c in "gjpqy" for c in word))


def blocks_from_tsv(pages: Sequence[tuple[int | None, str]]) -> list[Block]:
    """Blocks of an OCR'd document from tesseract's TSV per page, as (page number, TSV):
    paragraphs as tesseract grouped them, bulleted lines as list items, and lines set in a
    larger font as headings. A line's size is the median, over its words, of the word's box
    height divided by the document's median height of words of the same shape (ascenders /
    descenders), i.e. of body text; lines at least ``HEADING_SIZE_RATIO`` times body size with
    at most ``HEADING_MAX_WORDS`` words and no final full stop are headings, levelled by size
    over the whole document (the largest is level 1)."""
    import statistics

    lines: list[tuple[int | None, tuple[int, int], list[tuple[str, int]]]] = []
    for page, tsv in pages:
        paras: dict[tuple[int, int], dict[int, list[tuple[str, int]]]] = {}
        for row in tsv.splitlines():
            f = row.split("\t")
            if len(f) < 12 or f[0] != "5" or not f[11].strip():
                continue
            paras.setdefault((int(f[2]), int(f[3])), {}).setdefault(int(f[4]), []).append((f[11].strip(), int(f[9])))
        lines += [(page, key, words) for key, par in paras.items() for _, words in sorted(par.items())]
    by_shape: dict[tuple[bool, bool], list[int]] = {}
    for _, _, words in lines:
        for w, h in words:
            by_shape.setdefault(_shape(w), []).append(h)
    body = {k: statistics.median(v) for k, v in by_shape.items()}
    sizes = [statistics.median(h / max(body[_shape(w)], 1) for w, h in words) for _, _, words in lines]
    head = [s >= HEADING_SIZE_RATIO and len(words) <= HEADING_MAX_WORDS and not words[-1][0].endswith(".")
            for s, (_, _, words) in zip(sizes, lines, strict=True)]
    levels: dict[float, int] = {}
    for s in sorted((s for s, h in zip(sizes, head, strict=True) if h), reverse=True):
        prev = min(levels, default=None)
        levels[s] = levels[prev] if prev is not None and prev / s < LEVEL_STEP else len(set(levels.values())) + 1
    blocks: list[Block] = []
    current = None
    for (page, key, words), s, is_head in zip(lines, sizes, head, strict=True):
        text = " ".join(w for w, _ in words)
        last = blocks[-1] if blocks and current == (page, key) else None
        if is_head:
            if last is not None and last.kind == "heading" and last.level == levels[s]:
                last.text += " " + text  # a heading set on two lines
            else:
                blocks.append(Block("heading", text, page=page, level=levels[s]))
        elif structure.is_list_item(text):
            blocks.append(Block("list_item", text, page=page))
        elif last is not None and last.kind in ("paragraph", "list_item"):
            last.text += " " + text
        else:
            blocks.append(Block("paragraph", text, page=page))
        current = (page, key)
    return blocks


def render_pages(path: Path, fmt: str, pages: list[int], dpi: int = DEFAULT_DPI,
                 password: str | None = None) -> Iterator[tuple[int, Any]]:
    """(page number, grayscale PIL image) for the given 1-based pages of a PDF, or the frames
    of an image file (``pages`` then selects frames)."""
    from PIL import Image, ImageSequence

    if fmt == "image":
        try:
            with Image.open(path) as img:
                for no, frame in enumerate(ImageSequence.Iterator(img), start=1):
                    if no in pages:
                        yield no, frame.convert("L")
        except (OSError, Image.DecompressionBombError, SyntaxError) as exc:
            raise ParseError("corrupt", f"unreadable image: {exc}") from exc
        return
    import pymupdf

    with pymupdf.open(path, filetype="pdf") as doc:
        if doc.needs_pass:
            doc.authenticate(password or "")
        for no in pages:
            page = doc[no - 1]
            area_in2 = max(page.rect.width * page.rect.height / 72.0 / 72.0, 1e-6)
            page_dpi = int(min(dpi, (MAX_PIXELS / area_in2) ** 0.5))
            pix = page.get_pixmap(dpi=max(page_dpi, 10), colorspace=pymupdf.csGRAY, alpha=False)
            yield no, Image.frombytes("L", (pix.width, pix.height), pix.samples)


def ocr_document(path: Path, fmt: str, pages: list[int], options: dict[str, Any]) -> list[Block]:
    """OCR the given pages (all frames of an image when ``fmt == 'image'``) into heading,
    paragraph and list blocks with their page numbers (``blocks_from_tsv``)."""
    lang = options.get("ocr_lang", "eng")
    dpi = int(options.get("ocr_dpi", DEFAULT_DPI))
    frames = pages if fmt != "image" else range(1, 10_000)
    tsvs = [(no, ocr_image(image, lang, options.get("ocr_deskew", True), tsv=True))
            for no, image in render_pages(path, fmt, list(frames), dpi, options.get("password"))]
    return blocks_from_tsv(tsvs)


class TesseractParser:
    """``ocr``: every page rendered and read by tesseract, text layer or not (the OCR baseline)."""

    name = "ocr"
    formats = frozenset({"pdf", "image"})
    requires = {"tesserocr": "tesserocr", "pymupdf": "pymupdf", "PIL": "pillow"}

    def version(self) -> str:
        import tesserocr

        return f"tesserocr {_dist_version('tesserocr')}, tesseract {tesserocr.tesseract_version().split()[1]}"

    def extra_check(self) -> str | None:
        """Tesseract language data must be on disk."""
        if tessdata_dir("eng") is None:
            return "tesseract eng.traineddata not found (apt-get install tesseract-ocr-eng or set TESSDATA_PREFIX)"
        return None

    def ocrs_itself(self, options: dict[str, Any]) -> bool:
        return True

    def warmup(self) -> None:
        """Load tesseract's English model once."""
        import pymupdf  # noqa: F401

        _api("eng")

    def parse(self, src: Source, options: dict[str, Any]) -> ParserOutput:
        if src.format == "pdf":
            assert src.pdf is not None
            blank = set(src.pdf.blank_pages)
            pages = [p for p in range(1, src.pdf.pages + 1) if p not in blank]
            blocks = ocr_document(src.path, "pdf", pages, options)
            return ParserOutput(blocks=blocks, pages=src.pdf.pages, ocr_pages=pages)
        blocks = ocr_document(src.path, "image", [], options)
        frames = sorted({b.page or 1 for b in blocks}) or [1]
        return ParserOutput(blocks=blocks, pages=max(frames), ocr_pages=frames)
