"""Scanned PDFs: rasterize born-digital pages, tilt, add noise, save as image-only PDF."""

from __future__ import annotations

import io
import random

import numpy as np
import pymupdf
from PIL import Image, ImageFilter

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


def degraded_page(page: pymupdf.Page, rng: random.Random, profile: dict) -> bytes:
    """One page as a poor scan: ink/paper contrast, skew, blur, noise and speckles of ``profile``."""
    pix = page.get_pixmap(dpi=profile["dpi"], colorspace=pymupdf.csGRAY, alpha=False)
    arr = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width).astype(np.float32)
    ink, paper = profile["ink"], profile["paper"]
    img = Image.fromarray((ink + (paper - ink) * arr / 255.0).astype(np.uint8))
    angle = rng.choice((-1, 1)) * profile["skew"]
    if angle:
        img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=paper)
    if profile["blur"]:
        img = img.filter(ImageFilter.GaussianBlur(profile["blur"] * profile["dpi"] / 200))
    noise_rng = np.random.default_rng(rng.randrange(2**32))
    out = np.asarray(img, dtype=np.float32) + noise_rng.normal(0.0, profile["noise"], (img.height, img.width))
    if profile["speckle"]:
        dots = noise_rng.random((img.height, img.width)) < profile["speckle"]
        out[dots] = ink
    buf = io.BytesIO()
    image = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8))
    image.save(buf, format="JPEG", quality=profile.get("quality", 50), optimize=False)
    return buf.getvalue()


CONFUSIONS = (("rn", "m"), ("m", "rn"), ("cl", "d"), ("li", "h"), ("l", "1"), ("I", "l"), ("O", "0"), ("e", "c"),
              ("h", "b"), ("a", "o"), ("u", "v"), ("S", "5"), (".", ","), ("t", "f"), ("y", "v"), ("s", "8"))


def misread(text: str, rng: random.Random, rate: float) -> str:
    """``text`` as a poor OCR engine reads it: about ``rate`` of the words confused, dropped,
    merged with the next, split or sprinkled with a stray mark."""
    words, out = text.split(" "), []
    for word in words:
        r = rng.random()
        if r < rate * 0.6:
            options = [(i, a, b) for a, b in CONFUSIONS for i in range(len(word)) if word.startswith(a, i)]
            if options:
                i, a, b = rng.choice(options)
                word = word[:i] + b + word[i + len(a):]
        elif r < rate * 0.7:
            continue
        elif r < rate * 0.8 and out:
            out[-1] += word
            continue
        elif r < rate * 0.9 and len(word) > 3:
            cut = rng.randrange(1, len(word) - 1)
            word = word[:cut] + " " + word[cut:]
        elif r < rate:
            word += rng.choice(("'", "~", "`", ";"))
        out.append(word)
    return " ".join(out)


def scan_pdf_profile(pdf: bytes, rng: random.Random, profile: dict, layer_error: float | None = None) -> bytes:
    """Image-only PDF of degraded scans of every page; with ``layer_error``, plus an invisible
    text layer (render mode 3, as OCR software writes) that misreads each line at that rate."""
    src = pymupdf.open(stream=pdf, filetype="pdf")
    dst = pymupdf.open()
    for page in src:
        jpeg = degraded_page(page, rng, profile)
        new = dst.new_page(width=page.rect.width, height=page.rect.height)
        new.insert_image(new.rect, stream=jpeg)
        if layer_error is None:
            continue
        for block in page.get_text("dict")["blocks"]:
            for line in block.get("lines", []):
                spans = [s for s in line["spans"] if s["text"].strip()]
                if not spans or rng.random() < layer_error / 4:  # a line the engine missed
                    continue
                text = misread("".join(s["text"] for s in line["spans"]).strip(), rng, layer_error)
                new.insert_text(spans[0]["origin"], text, fontsize=spans[0]["size"], fontname="helv", render_mode=3)
    dst.set_metadata(FIXED_METADATA)
    return dst.tobytes(garbage=3, deflate=True, no_new_id=True)
