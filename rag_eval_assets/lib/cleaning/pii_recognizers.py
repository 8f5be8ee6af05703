"""Recognizers added to presidio's defaults, and the offline replacement of its email check.

- ``street_address_recognizer``: US street addresses (presidio has no recognizer for them):
  house number, up to four capitalized words, a USPS street suffix, an optional unit
  (Apt/Suite/Unit/#), and optionally ", City, ST 12345". With city, state and ZIP the match
  scores 0.9 (above spaCy's 0.85, so the city is not also tagged PERSON/LOCATION); the bare
  street line scores 0.6. Case-sensitive on purpose: "5 of the way" is no address.
- ``offline_email_recognizer``: presidio's EmailRecognizer validates the domain with the module
  ``tldextract.extract``, which downloads the public-suffix list on first use; this one uses
  ``tldextract.TLDExtract(suffix_list_urls=())`` (the list bundled with tldextract, no network).
- IBAN: presidio's ``IbanRecognizer`` already validates the ISO 13616 mod-97 checksum and the
  per-country format (an IBAN with a wrong check digit is not reported; tested), so no extra
  recognizer is added.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

__all__ = ["STREET_SUFFIXES", "offline_email_recognizer", "street_address_recognizer"]

STREET_SUFFIXES = (
    "Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd", "Lane", "Ln", "Drive", "Dr",
    "Court", "Ct", "Way", "Place", "Pl", "Terrace", "Ter", "Parkway", "Pkwy", "Circle", "Cir",
    "Highway", "Hwy", "Trail", "Trl", "Square", "Sq", "Loop", "Alley", "Crescent", "Close", "Row",
    "Path", "Pike", "Plaza", "Point", "Ridge", "Run", "Walk", "Expressway", "Freeway", "Turnpike",
)
_WORD = r"(?:[A-Z][A-Za-z'\-]*\.?|\d+(?:st|nd|rd|th))"
_STREET = (r"\b\d{1,6}[A-Z]?(?:[ \t]+(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?)?"
           rf"(?:[ \t]+{_WORD}){{1,4}}?[ \t]+(?:{'|'.join(STREET_SUFFIXES)})\.?"
           r"(?:,?[ \t]+(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|\#)[ \t]*[A-Za-z0-9\-]+)?")
_CITY_STATE_ZIP = r",?\s+[A-Z][A-Za-z.'\-]*(?:[ \t]+[A-Z][A-Za-z.'\-]*){0,3},[ \t]*[A-Z]{2}[ \t]+\d{5}(?:-\d{4})?\b"
STREET_WITH_CITY = _STREET + _CITY_STATE_ZIP
STREET_ONLY = _STREET + r"(?![A-Za-z])"
CONTEXT = ["address", "street", "lives", "live", "located", "ship", "shipping", "bill", "billing",
           "mail", "mailing", "residence", "home", "office"]


def street_address_recognizer(language: str = "en") -> Any:
    """A presidio PatternRecognizer for ``STREET_ADDRESS`` (module doc)."""
    from presidio_analyzer import Pattern, PatternRecognizer

    return PatternRecognizer(
        supported_entity="STREET_ADDRESS",
        name="UsStreetAddressRecognizer",
        supported_language=language,
        patterns=[Pattern("us_street_city_state_zip", STREET_WITH_CITY, 0.9),
                  Pattern("us_street", STREET_ONLY, 0.6)],
        context=CONTEXT,
        global_regex_flags=re.MULTILINE,
    )


@lru_cache(maxsize=1)
def _tld_extract() -> Any:
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=1)
def _offline_email_class() -> type:
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    class OfflineEmailRecognizer(EmailRecognizer):
        """presidio's EmailRecognizer, validating the domain with the bundled suffix list."""

        def validate_result(self, pattern_text: str) -> bool:
            return _tld_extract()(pattern_text).fqdn != ""

    return OfflineEmailRecognizer


def offline_email_recognizer(language: str = "en") -> Any:
    """An OfflineEmailRecognizer (module doc); the class is built on first use (heavy imports)."""
    return _offline_email_class()(supported_language=language)
