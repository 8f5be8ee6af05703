"""Street-address recognizers (presidio has none): US and international street lines.

One ``PatternRecognizer`` for ``STREET_ADDRESS`` with these patterns (case-sensitive where a
capital marks a name; the street-type words are matched in any case):

- ``us_street_city_state_zip`` (0.9) / ``us_street`` (0.6): house number, up to four capitalized
  words, a USPS street suffix, an optional unit (Apt/Suite/Unit/#), and optionally
  ", City, ST 12345". With city, state and ZIP the match scores 0.9 (above spaCy's 0.85, so the
  city is not also tagged PERSON/LOCATION). "5 of the way" is no address (capital required).
- ``street_type_first`` (0.6): a street-type word that comes first in Romance, Slavic and Greek
  addresses (Via, Rua, Calle, Rue, Avenida, ulica, Odos, ...), up to five name words (particles
  de/da/do/del/di/des/la/... allowed) and a house number: "Via Roma 131", "Rua do Arenque 1634",
  "26 rue des Lilas" (the number may come first).
- ``street_type_suffix`` (0.6): a name (>= 3 letters before the suffix) ending in a Germanic /
  Nordic / Finnish / Baltic / Dutch / Hungarian street suffix (-straße, -gasse, -weg, -vej, -gatan, -vägen, -veien, -katu, -kuja,
  -tie, -braut, -straat, -laan, ...), or followed by a separate street word (út, utca, tér,
  Straße, gade, Wei, ...), then a house number: "Kiannonkatu 98", "Ziegelgasse 19",
  "Rákóczi út 13.".
- ``us_military`` (0.8): "PSC 3294, Box 9168 / APO AA 61487", "USNV Botolen / FPO AE 12382";
  ``po_box`` (0.6): "P.O. Box 242".
- ``number_name_number`` (0.3, needs context): house number, one or two capitalized words, a
  second number ("30102 Kaevu 94": building + street + house number, as presidio-research's
  generator writes non-US addresses); ``name_number`` (0.1): a capitalized word and a number;
  ``name_suffix`` (0.1): a capitalized word and a US street suffix without number ("Inna Loop").
  These shapes also occur in technical text ("Release 3"), so they count only next to an
  address word (``CONTEXT``: address, lives, street, ship, bill, deliver, moved, ...; presidio's
  context enhancer adds 0.35, so ``name_number`` reaches 0.45 with spaCy, and never without),
  and never with a word of ``NOT_STREET`` (During, Table, Release, month and day names, ...).

Every street pattern takes an optional unit after it ("Apt. 762", "Suite 464", "Unit 5022 Box
1225", on the same line or the next). Patterns cut at line breaks except the US city/state/ZIP
tail. Measured on presidio-research's synthetic set (``tests/test_cleaning_evaldata.py``).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["CONTEXT", "NOT_STREET", "STREET_SUFFIXES", "street_address_recognizer"]

STREET_SUFFIXES = (
    "Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd", "Lane", "Ln", "Drive", "Dr",
    "Court", "Ct", "Way", "Place", "Pl", "Terrace", "Ter", "Parkway", "Pkwy", "Circle", "Cir",
    "Highway", "Hwy", "Trail", "Trl", "Square", "Sq", "Loop", "Alley", "Crescent", "Close", "Row",
    "Path", "Pike", "Plaza", "Point", "Ridge", "Run", "Walk", "Expressway", "Freeway", "Turnpike",
    "Creek", "Cliffs", "Gardens", "Grove", "Heights", "Hill", "Hills", "Mews", "Park", "View", "Vista",
    "Flat", "Flats", "Squares", "Pass", "Union", "Forges", "Fields", "Meadows", "Springs", "Shores",
)
TYPE_FIRST = (
    "via", "viale", "vicolo", "piazza", "piazzale", "corso", "largo", "calle", "avenida", "avda", "av",
    "rua", "travessa", "praça", "estrada", "alameda", "rue", "avenue", "boulevard", "bd", "chemin",
    "allée", "impasse", "place", "quai", "route", "paseo", "camino", "carrer", "plaza", "ronda",
    "carretera", "passeig", "ulica", "ul", "aleja", "al", "calea", "strada", "str", "bulevardul",
    "odos", "odós", "leoforos", "prospekt", "ulitsa", "r", "c/",
)
SUFFIX_COMPOUND = (
    "straße", "strasse", "str", "gasse", "weg", "allee", "platz", "damm", "ufer", "steig",
    "pfad", "vej", "gade", "gata", "gatan", "vägen", "väg", "veien", "vei", "veg", "gate", "katu",
    "kuja", "tie", "polku", "kaari", "tori", "braut", "stræti", "vegur", "laan", "straat", "plein",
    "gracht", "kade", "dijk", "singel", "utca", "út", "útja", "körút", "tér", "cesta", "ulica",
    "iela", "tänav", "gatvė", "sokak", "sokağı", "caddesi", "straeti", "stræde", "straede", "vegen",
    "wei", "kapu", "köz",
)
SEPARATE_TYPE = ("út", "útja", "utca", "u.", "tér", "körút", "kapu", "Straße", "Strasse", "Str.", "str", "Gasse",
                 "Weg", "Allee", "Platz", "gade", "vej", "gata", "katu", "tie", "Wei", "Laan", "Straat", "ulica",
                 "cesta", "iela")
# capitalized words that are not street names before a number ("During 2017", "Table 2", "Release 3")
NOT_STREET = ("During", "Since", "Until", "Before", "After", "In", "On", "At", "From", "To", "By", "Of", "For", "The",
              "A", "An", "And", "Or", "Table", "Figure", "Section", "Chapter", "Step", "Page", "Version", "Release",
              "Phase", "Level", "Tier", "Item", "Note", "Appendix", "Year", "Week", "Day", "Room", "Floor", "Port",
              "Zone", "Region", "Group", "Class", "Type", "Model", "Series", "Edition", "Windows", "Python",
              "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov",
              "Dec", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Spring",
              "Summer", "Autumn", "Fall", "Winter", "Gate", "Terminal", "Platform", "Track", "Line", "Route")
PARTICLES = ("de", "da", "do", "das", "dos", "del", "della", "delle", "dei", "degli", "di", "du", "des",
             "la", "le", "les", "el", "los", "las", "y", "e", "van", "von", "der", "den")
CONTEXT = ["address", "street", "lives", "live", "living", "located", "ship", "shipping", "bill", "billing",
           "mail", "mailing", "residence", "home", "office", "deliver", "delivery", "moved", "meet",
           "visit", "restaurant", "station", "stop", "apartment", "apt", "suite", "unit"]

_CAP = r"\p{Lu}\p{L}*(?:['’.\-]\p{L}+)*\.?"  # a capitalized word, any script (presidio compiles with `regex`)
_NAME_WORD = rf"(?:{_CAP}|(?:{'|'.join(PARTICLES)})|\d+(?:st|nd|rd|th))"
_HOUSE = r"\d{1,5}[A-Za-z]?(?:[/-]\d{1,4}[A-Za-z]?)?\.?"
_UNIT = (r"(?:,?[ \t]*\n?[ \t]*(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Floor|Fl\.?|Room|Rm\.?|\#)"
         r"[ \t]*[A-Za-z0-9\-]+(?:[ \t]+Box[ \t]+\d+)?)?")
_NOT_STREET = rf"(?!(?:{'|'.join(NOT_STREET)})\b)"
_US_STREET = (r"\b\d{1,6}[A-Z]?(?:[ \t]+(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?)?"
              rf"(?:[ \t]+(?:[A-Z][A-Za-z'\-]*\.?|\d+(?:st|nd|rd|th))){{1,4}}?[ \t]+(?:{'|'.join(STREET_SUFFIXES)})\.?"
              + _UNIT)
_CITY_STATE_ZIP = r",?\s+[A-Z][A-Za-z.'\-]*(?:[ \t]+[A-Z][A-Za-z.'\-]*){0,3},[ \t]*[A-Z]{2}[ \t]+\d{5}(?:-\d{4})?\b"
STREET_WITH_CITY = _US_STREET + _CITY_STATE_ZIP
STREET_ONLY = _US_STREET + r"(?![A-Za-z])"
_TYPE_FIRST = (rf"(?:\b{_HOUSE},?[ \t]+)?\b(?i:{'|'.join(TYPE_FIRST)})\.?"
               rf"(?:[ \t]+{_NAME_WORD}){{1,5}}?,?[ \t]+{_HOUSE}(?![\w])" + _UNIT)
_TYPE_FIRST_NUMBER_FIRST = (rf"\b{_HOUSE},?[ \t]+(?i:{'|'.join(TYPE_FIRST)})\.?(?:[ \t]+{_NAME_WORD}){{1,5}}"
                            r"(?![ \t]*\d)")
_SUFFIX = (rf"\b{_NOT_STREET}(?:{_CAP}[ \t]+){{0,2}}\p{{Lu}}\p{{L}}{{2,}}(?i:{'|'.join(SUFFIX_COMPOUND)})\.?"
           rf"[ \t]+{_HOUSE}(?![\w])" + _UNIT)
_SEPARATE = (rf"\b{_NOT_STREET}{_CAP}(?:[ \t]+\p{{L}}+){{0,2}}[ \t]+(?:{'|'.join(SEPARATE_TYPE)})\.?"
             rf"[ \t]+{_HOUSE}(?![\w])" + _UNIT)
_NUMBER_NAME_NUMBER = (rf"\b\d{{1,5}}[ \t]+{_NOT_STREET}{_CAP}(?:[ \t]+{_CAP})?[ \t]+\d{{1,4}}[A-Za-z]?\b(?![.,]\d)"
                       + _UNIT)
_NAME_NUMBER = rf"\b{_NOT_STREET}{_CAP}(?:[ \t]+{_CAP})?[ \t]+\d{{1,4}}[A-Za-z]?\b(?![.,:/]?\d)" + _UNIT
_NAME_SUFFIX = (rf"\b{_NOT_STREET}{_CAP}[ \t]+(?:{'|'.join(STREET_SUFFIXES)})\b(?![ \t]+\d)")
# US military (PSC / Unit / CMR + Box, ship names) and post-office boxes; any case
_MILITARY = (r"(?i:\b(?:(?:PSC|Unit|CMR)[ \t]+\d{1,5},?[ \t]+Box[ \t]+\d{1,5}|(?:USNS|USNV|USS|USCGC)[ \t]+\p{L}+)"
             r"[ \t]*,?[ \t]*\n?[ \t]*(?:APO|FPO|DPO)[ \t]+(?:AA|AE|AP)[ \t]+\d{5})")
_PO_BOX = r"(?i:\bP\.?[ \t]?O\.?[ \t]?Box[ \t]+\d{1,6})" + _UNIT


def street_address_recognizer(language: str = "en") -> Any:
    """A presidio PatternRecognizer for ``STREET_ADDRESS`` (module doc)."""
    from presidio_analyzer import Pattern, PatternRecognizer

    return PatternRecognizer(
        supported_entity="STREET_ADDRESS",
        name="StreetAddressRecognizer",
        supported_language=language,
        patterns=[Pattern("us_street_city_state_zip", STREET_WITH_CITY, 0.9),
                  Pattern("us_street", STREET_ONLY, 0.6),
                  Pattern("street_type_first", _TYPE_FIRST, 0.6),
                  Pattern("street_type_first_number_first", _TYPE_FIRST_NUMBER_FIRST, 0.5),
                  Pattern("street_type_suffix", _SUFFIX, 0.6),
                  Pattern("street_type_separate", _SEPARATE, 0.6),
                  Pattern("us_military", _MILITARY, 0.8),
                  Pattern("po_box", _PO_BOX, 0.6),
                  Pattern("number_name_number", _NUMBER_NAME_NUMBER, 0.3),
                  Pattern("name_number", _NAME_NUMBER, 0.1),
                  Pattern("name_suffix", _NAME_SUFFIX, 0.1)],
        context=CONTEXT,
        global_regex_flags=re.MULTILINE,
    )
