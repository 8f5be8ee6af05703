"""Recognizers that replace or add to presidio's defaults: cards, phones, e-mail (offline).

All of them score their own context (a word list looked up in the ``CONTEXT_BEFORE`` words before
and ``CONTEXT_AFTER`` words after a match, in the raw text), so they behave the same with and
without spaCy; the result is marked as already context-enhanced for presidio. A context word
adds ``CONTEXT_BOOST`` (presidio's own factor, 0.35). ``pii.SCORE_THRESHOLD`` (0.35) is the line.

- ``PaymentCardRecognizer`` (replaces presidio's ``CreditCardRecognizer``, which misses Luhn-valid
  12-, 15- and 19-digit numbers: Maestro, legacy JCB ``2131``, 19-digit Visa, Mastercard ``2xxx``):
  12-19 digits, plain or in groups of 3-6 separated by one space or hyphen, Luhn-valid, issuer
  identification (ISO/IEC 7812 major industry identifier) 1-6. Score 1.0 when the prefix and
  length fit a known scheme (``CARD_SCHEMES``) and the number has >= 13 digits (presidio's score
  for a Luhn-valid match); 0.3 for a 12-digit scheme match or a Luhn-valid number of no known
  scheme, so these need a context word (``CARD_CONTEXT``: card, credit, visa, ...).
  A random 16-digit string passes Luhn with probability 0.1 *and* must start like a card.
- ``InternationalPhoneRecognizer`` (replaces presidio's ``PhoneRecognizer``, 8 regions, recall 0.55
  on presidio-research's synthetic set): a phone-shaped candidate (optional ``+CC``, ``(0)``,
  parenthesised area code, digit groups separated by one space / dot / hyphen, optional
  extension) with 7-15 digits, not a date (or date + hour), IPv4, SSN (3-2-4), decimal amount,
  or a run of decimals (dots and spaces mixed: a table row). Score: 0.6 when it starts with ``+``
  and ``phonenumbers`` finds it possible; 0.4 when it has >= 9 digits (or a parenthesised area
  code) and ``phonenumbers`` finds it valid in one of ``PHONE_REGIONS`` (national plans with
  area codes; the 8-digit plans of NO, DK, EE, IS, HK, SG are left out: their numbers include
  house-number + postcode pairs); else 0.2, so a local number needs a context word
  (``PHONE_CONTEXT``: phone, mobile, call, fax, office, ...).
- ``offline_email_recognizer``: presidio's EmailRecognizer validates the domain with the module
  ``tldextract.extract``, which downloads the public-suffix list on first use; this one uses
  ``tldextract.TLDExtract(suffix_list_urls=())`` (the list bundled with tldextract, no network).
- IBAN: presidio's ``IbanRecognizer`` already validates the ISO 13616 mod-97 checksum and the
  per-country format (an IBAN with a wrong check digit is not reported; tested).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

__all__ = ["CARD_SCHEMES", "PHONE_REGIONS", "card_scheme", "function_recognizer", "has_context", "luhn_valid",
           "offline_email_recognizer", "payment_card_recognizer", "phone_recognizer"]

CONTEXT_BEFORE, CONTEXT_AFTER, CONTEXT_BOOST = 6, 2, 0.35
# (scheme, prefix ranges as (low, high) over the first len(low) digits, allowed lengths)
CARD_SCHEMES: tuple[tuple[str, tuple[tuple[str, str], ...], tuple[int, ...]], ...] = (
    ("visa", (("4", "4"),), (13, 16, 19)),
    ("mastercard", (("51", "55"), ("2221", "2720")), (16,)),
    ("amex", (("34", "34"), ("37", "37")), (15,)),
    ("discover", (("6011", "6011"), ("644", "649"), ("65", "65")), (16, 17, 18, 19)),
    ("jcb", (("3528", "3589"),), (16, 17, 18, 19)),
    ("jcb_legacy", (("2131", "2131"), ("1800", "1800")), (15,)),
    ("diners", (("300", "305"), ("3095", "3095"), ("36", "36"), ("38", "39")), (14, 15, 16, 17, 18, 19)),
    ("unionpay", (("62", "62"), ("81", "81")), (16, 17, 18, 19)),
    ("mir", (("2200", "2204"),), (16, 17, 18, 19)),
    ("maestro", (("50", "50"), ("56", "69")), tuple(range(12, 20))),
    ("uatp", (("1", "1"),), (15,)),
)
CARD_CONTEXT = ("card", "credit", "debit", "visa", "mastercard", "amex", "maestro", "jcb", "discover",
                "diners", "unionpay", "cc", "pan", "payment", "charge", "charged", "billed")
PHONE_CONTEXT = ("phone", "telephone", "tel", "mobile", "cell", "cellphone", "call", "called", "calling",
                 "fax", "desk", "office", "home", "work", "contact", "reach", "dial", "number", "sms",
                 "text", "whatsapp", "hotline", "landline", "extension", "ext", "callback")
PHONE_REGIONS = ("US", "CA", "GB", "IE", "DE", "AT", "CH", "FR", "BE", "NL", "LU", "IT", "ES", "PT", "SE",
                 "FI", "PL", "CZ", "SK", "HU", "GR", "CY", "RO", "BG", "HR", "SI", "RU", "UA", "TR", "IL",
                 "IN", "JP", "CN", "KR", "AU", "NZ", "ZA", "BR", "MX", "AR")
_WORDS = re.compile(r"[^\W\d_]+")
_CARD = re.compile(r"(?<![\w+./-])(?:\d{12,19}|\d{4,6}(?:[ -]\d{3,6}){1,4})(?![\w]|[./-]\d)")
_PHONE = re.compile(r"""(?<![\w+./-])
    (?:\+\d{1,3}[ .-]?)?             # country code
    (?:\(0\)[ ]?)?                   # trunk prefix in an international number
    (?:\(\d{1,5}\)[ .-]?)?           # area code in parentheses
    \d{1,6}(?:(?:[ .-]|[ ]-[ ])\d{1,6}){0,5}
    (?:[ ]?(?:x|ext\.?|\#)[ ]?\d{1,5})?
    (?![\w]|[./:-]\d)""", re.VERBOSE)
_NOT_PHONE = (  # matched at the start of a candidate
    re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}(?!\d)"),  # ISO date (and a time after it)
    re.compile(r"\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$"),  # day-month-year
    re.compile(r"\d{1,3}(?:\.\d{1,3}){3}$"),  # IPv4
    re.compile(r"\d{3}-\d{2}-\d{4}$"),  # US SSN shape
    re.compile(r"\d+(?:[ ,]\d{3})*\.\d{1,2}$"),  # amount with decimals
    re.compile(r".*\d\.\d.*[ ].*|.*[ ].*\d\.\d.*"),  # dots and spaces mixed: numbers in a table row
)


def luhn_valid(digits: str) -> bool:
    """Luhn (mod 10) check of a digit string."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def card_scheme(digits: str) -> str | None:
    """The card scheme whose prefix range and length fit ``digits`` (first in ``CARD_SCHEMES``), or None."""
    for name, ranges, lengths in CARD_SCHEMES:
        if len(digits) in lengths and any(low <= digits[:len(low)] <= high for low, high in ranges):
            return name
    return None


def has_context(text: str, start: int, end: int, words: Sequence[str]) -> bool:
    """A context word (case-insensitive, whole word) among the CONTEXT_BEFORE words before the
    match or the CONTEXT_AFTER words after it."""
    before = _WORDS.findall(text[max(0, start - 80):start].lower())[-CONTEXT_BEFORE:]
    after = _WORDS.findall(text[end:end + 40].lower())[:CONTEXT_AFTER]
    wanted = set(words)
    return any(w in wanted for w in before + after)


@lru_cache(maxsize=1)
def _classes() -> dict[str, type]:
    """The recognizer classes, built on first use (presidio is a heavy import)."""
    import phonenumbers
    from presidio_analyzer import AnalysisExplanation, LocalRecognizer, RecognizerResult
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    class ScoredRecognizer(LocalRecognizer):
        """A recognizer that scores candidates itself, context included (module doc)."""

        CONTEXT: Sequence[str] = ()

        def __init__(self, entity: str, name: str, language: str = "en") -> None:
            super().__init__(supported_entities=[entity], supported_language=language, name=name,
                             context=list(self.CONTEXT))

        def load(self) -> None:
            pass

        def candidates(self, text: str) -> list[tuple[int, int, float]]:
            raise NotImplementedError

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            out = []
            for start, end, score in self.candidates(text):
                if has_context(text, start, end, self.CONTEXT):
                    score = min(1.0, score + CONTEXT_BOOST)
                out.append(RecognizerResult(
                    self.supported_entities[0], start, end, score,
                    AnalysisExplanation(self.name, score, textual_explanation=f"{self.name} (module doc)"),
                    {RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                     RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                     RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True}))
            return out

    class PaymentCardRecognizer(ScoredRecognizer):
        CONTEXT = CARD_CONTEXT

        def candidates(self, text: str) -> list[tuple[int, int, float]]:
            out = []
            for m in _CARD.finditer(text):
                digits = re.sub(r"[ -]", "", m.group())
                if not 12 <= len(digits) <= 19 or digits[0] not in "123456" or not luhn_valid(digits):
                    continue
                strong = card_scheme(digits) is not None and len(digits) >= 13
                out.append((m.start(), m.end(), 1.0 if strong else 0.3))
            return out

    class InternationalPhoneRecognizer(ScoredRecognizer):
        CONTEXT = PHONE_CONTEXT

        def candidates(self, text: str) -> list[tuple[int, int, float]]:
            out = []
            for m in _PHONE.finditer(text):
                value = m.group()
                core = re.split(r"[ ]?(?:x|ext\.?|#)", value)[0]
                digits = re.sub(r"\D", "", core)
                if not 7 <= len(digits) <= 15 or any(p.match(core) for p in _NOT_PHONE):
                    continue
                out.append((m.start(), m.end(), self.score(core.replace("(0)", ""))))
            return out

        @staticmethod
        def score(core: str) -> float:
            try:
                if core.startswith("+"):
                    return 0.6 if phonenumbers.is_possible_number(phonenumbers.parse(core, None)) else 0.2
                if len(re.sub(r"\D", "", core)) < 9 and "(" not in core:
                    return 0.2  # 7-8 digits: house numbers, postcodes, amounts share the shape
                for region in PHONE_REGIONS:
                    if phonenumbers.is_valid_number(phonenumbers.parse(core, region)):
                        return 0.4
            except phonenumbers.NumberParseException:
                pass
            return 0.2

    class OfflineEmailRecognizer(EmailRecognizer):
        """presidio's EmailRecognizer, validating the domain with the bundled suffix list."""

        def validate_result(self, pattern_text: str) -> bool:
            return _tld_extract()(pattern_text).fqdn != ""

    class FunctionRecognizer(ScoredRecognizer):
        """Candidates from a plain function ``text -> [(start, end, score)]`` (no context words)."""

        def __init__(self, entity: str, name: str, function: Callable[[str], list[tuple[int, int, float]]],
                     language: str = "en") -> None:
            super().__init__(entity, name, language)
            self.function = function

        def candidates(self, text: str) -> list[tuple[int, int, float]]:
            return self.function(text)

    return {"card": PaymentCardRecognizer, "phone": InternationalPhoneRecognizer, "email": OfflineEmailRecognizer,
            "function": FunctionRecognizer}


@lru_cache(maxsize=1)
def _tld_extract() -> Any:
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def payment_card_recognizer(language: str = "en") -> Any:
    """A PaymentCardRecognizer for ``CREDIT_CARD`` (module doc)."""
    return _classes()["card"]("CREDIT_CARD", "PaymentCardRecognizer", language)


def phone_recognizer(language: str = "en") -> Any:
    """An InternationalPhoneRecognizer for ``PHONE_NUMBER`` (module doc)."""
    return _classes()["phone"]("PHONE_NUMBER", "InternationalPhoneRecognizer", language)


def function_recognizer(entity: str, name: str, function: Callable[[str], list[tuple[int, int, float]]],
                        language: str = "en") -> Any:
    """A presidio recognizer whose candidates come from ``function`` (scored by it)."""
    return _classes()["function"](entity, name, function, language)


def offline_email_recognizer(language: str = "en") -> Any:
    """An OfflineEmailRecognizer (module doc); the class is built on first use (heavy imports)."""
    return _classes()["email"](supported_language=language)
