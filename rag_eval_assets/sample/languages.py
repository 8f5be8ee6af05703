"""The registry of the sample's eight languages; their prose banks live in i18n_a and i18n_b
(apart from ``langtext``, which they import: no import cycle)."""

from __future__ import annotations

from rag_eval_assets.sample.i18n_a import DE, EN, ES, FR
from rag_eval_assets.sample.i18n_b import EL, IT, PT, RU
from rag_eval_assets.sample.langtext import LangText


def all_languages() -> dict[str, LangText]:
    """Language code -> LangText for the eight sample languages."""
    return {lt.code: lt for lt in (EN, DE, FR, ES, IT, PT, RU, EL)}
