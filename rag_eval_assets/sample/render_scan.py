"""Scanned PDFs: rasterize born-digital pages, tilt, add noise, save as image-only PDF."""

from __future__ import annotations

import io
import random

import numpy as np
import pymupdf
from PIL import Image

FIXED_METADATA = {
    "title": "", "author": "", "subject": "", "keywords": "", "creator": "Meridian scanner",
    "producer": "rag_eval_assets.sample", "creationDate": "", "modDate": "",
}


def scan_page(page: pymupdf.Page, rng: random.Random, dpi: int) -> bytes:
    """One page as a slightly rotated, noisy grayscale JPEG."""
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
    img = Image.frombytes("L", (pix.width, pix.height), pix.samples)
    angle = rng.choice((-1, 1)) * rng.uniform(0.3, 1.5)
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0.0, 4.0, (img.height, img.width))
    arr = np.clip(np.asarray(img, dtype=np.float32) + noise, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(arr).save(out, format="JPEG", quality=60, optimize=False)
    return out.getvalue()


def scan_pdf(pdf: bytes, rng: random.Random) -> tuple[bytes, int]:
    """Image-only PDF (no text layer) of every page of ``pdf``; returns (bytes, dpi)."""
    dpi = rng.choice((150, 160, 175, 200))
    src = pymupdf.open(stream=pdf, filetype="pdf")
    dst = pymupdf.open()
    for page in src:
        jpeg = scan_page(page, rng, dpi)
        new = dst.new_page(width=page.rect.width, height=page.rect.height)
        new.insert_image(new.rect, stream=jpeg)
    dst.set_metadata(FIXED_METADATA)
    data = dst.tobytes(garbage=3, deflate=True, no_new_id=True)
    return data, dpi
