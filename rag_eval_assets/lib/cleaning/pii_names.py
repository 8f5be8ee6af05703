"""Names of things are not people: the allow-list, product-like names, the shape of a person's
name, and a recognizer for names in labelled fields.

spaCy's small English model tags product and feature names as PERSON ("Meridian Load Balancer",
"AES-256", "Volumes v1.1", "Cloud Support - Ticket") and, on text in other languages, ordinary
words ("Administratoren", "Каждая"): before these rules the sample corpus had 381 PERSON spans in
83 of its 95 documents without PII (``tests/test_cleaning.py``). A PERSON result is dropped when
(``PersonFilter.keep`` is False):

1. **allow-list**: it overlaps an occurrence of an allow-listed term (whole words, case- and
   ``_``/space-insensitive). ``pii_allow_list(ontology)`` builds the list from the ontology's
   ``product`` tree and ``tenant`` values ("load_balancer" -> "load balancer", "acme"). For every
   entity type, a result whose whole text is an allow-listed term is dropped too (a company's
   public hotline number, say). The allow-list is a parameter: default none.
2. **product-like**: it overlaps a product mention, 1-4 capitalized words followed by a version
   (``v3.0``, ``V2``, ``version 4``, ``2.1.0``), or shares a word with the *brand* of one (the
   first word of a multi-word product mention in the same text: "Meridian" in "Meridian Payments
   v3.0" protects "Meridian Cloud"), or consists only of words of product mentions ("Volumes").
3. **shape**: a person's name is 1-5 words of letters (with ``. ' ’ -`` inside) and no digit; in
   cased text every word is capitalized except name particles (de, van, bin, ...); a single
   all-capitals word is an acronym ("JSON"); an all-lowercase name counts only in a lowercase line.
4. **organisation, role or document word**: its last word is a company suffix (Ltd, Inc, GmbH,
   Labs, ...), or a word is a role / generic addressee (Team, Support, Customer, Manager, Ticket,
   ...) or names a document part (Guide, Notes, Settings, Table, ...); or a word has a capital
   after a lowercase letter ("IdPs"; Mc/Mac/De/Di/La/Le/O' prefixes excepted); or it is one word
   that is a programming language or infrastructure product (``TECH_NAMES``: Java, Python,
   Kubernetes, ...; first names such as Ruby or Swift are left out of that list).
5. **common word** (evidence from the same text): every word of it is written in lowercase
   elsewhere in the text ("Maintenance notices ..." where the text says "maintenance"); or it is a
   single word opening a sentence or line and followed by a lowercase word ("Mark the new method",
   "Cookie settings", "Multipart uploads ..."), where capitalization says nothing, unless the text
   also has it inside a longer capitalized name ("Grace" after "Grace Okafor").

``labelled_name_candidates`` finds names after a field label or salutation ("Name:", "Employee:",
"Requester:", "From:", "Bill to:", "Agent", "Dear", "Thanks," + a name on the same or the next
line), where spaCy's small model misses many (they are then PERSON at 0.6, filtered as above).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["NAME_LABELS", "PersonFilter", "labelled_name_candidates", "pii_allow_list"]

PARTICLES = frozenset({"de", "da", "do", "das", "dos", "del", "della", "di", "du", "des", "la", "le", "van",
                       "von", "der", "den", "ter", "ten", "bin", "ibn", "al", "el", "y", "e", "zu", "st"})
ORG_SUFFIXES = frozenset({"inc", "ltd", "llc", "llp", "plc", "gmbh", "ag", "sa", "sas", "srl", "spa", "bv", "nv",
                          "oy", "ab", "as", "corp", "corporation", "co", "company", "labs", "lab", "group",
                          "holdings", "media", "analytics", "systems", "technologies", "solutions", "software",
                          "services", "partners", "consulting", "bank", "university", "institute", "foundation",
                          "agency", "associates", "industries", "enterprises", "ventures", "networks"})
ROLE_WORDS = frozenset({"team", "support", "customer", "customers", "client", "user", "users", "admin",
                        "administrator", "manager", "agent", "analyst", "staff", "sir", "madam", "colleague",
                        "colleagues", "all", "everyone", "friend", "friends", "partner", "ticket", "department",
                        "desk", "service", "office", "hr", "it", "payroll", "billing", "sales", "operations"})
# a field label + ":" (name on the same or the next line); a salutation + name + "," / ":" / "!";
# a closing + "," + a name alone on the next line; a title + name
DOCUMENT_WORDS = frozenset({"guide", "manual", "notes", "overview", "report", "settings", "policy", "edition",
                            "table", "figure", "section", "chapter", "appendix", "release", "version", "summary",
                            "handbook", "faq", "api", "sdk", "console", "dashboard", "portal", "checklist"})
TECH_NAMES = frozenset({"java", "javascript", "typescript", "python", "node.js", "golang", "rust", "perl", "php",
                        "haskell", "erlang", "elixir", "clojure", "kotlin", "scala", "cobol", "fortran", "kubernetes",
                        "docker", "linux", "terraform", "ansible", "kafka", "redis", "postgresql", "postgres",
                        "mysql", "mongodb", "grafana", "prometheus", "github", "gitlab", "nginx", "apache"})
_CAMEL_OK = ("mc", "mac", "de", "di", "la", "le", "o'", "o’", "van", "von")
NAME_LABELS = ("Name", "Full name", "Employee", "Requester", "Requested by", "Customer", "Client", "Contact",
               "Contact person", "Agent", "Analyst", "Owner", "Assignee", "Reporter", "Patient", "Applicant",
               "Attn", "Attention", "From", "Sender", "Recipient", "Signed", "Bill to", "Ship to", "Sold to")
SALUTATIONS = ("Dear", "Hi", "Hello")
CLOSINGS = ("Thanks", "Thank you", "Regards", "Best regards", "Kind regards", "Best wishes", "Sincerely", "Cheers")
TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Agent", "Analyst", "Officer")


@lru_cache(maxsize=1)
def _patterns() -> dict[str, Any]:
    import regex

    cap = r"\p{Lu}[\p{L}\d&+\-]*"
    token = r"(?:\p{Lu}\p{Ll}+(?:['’\-]\p{Lu}?\p{Ll}+)*|\p{Lu}\.)"
    name = rf"(?P<name>{token}(?:[ \t]+{token}){{0,3}})"

    def alt(words: Iterable[str]) -> str:
        return "|".join(sorted((regex.escape(w) for w in words), key=len, reverse=True))

    start = r"(?:^|(?<=[\s>(]))"
    return {
        "product": regex.compile(rf"\b(?:{cap}[ \t]+){{0,3}}{cap}[ \t]+(?:[vV]\d+(?:\.\d+)*|version[ \t]+\d+(?:\.\d+)*"
                                 r"|\d+\.\d+\.\d+)\b"),
        "word": regex.compile(r"[\p{L}\d]+(?:['’.\-][\p{L}\d]+)*"),
        "cap_run": regex.compile(rf"{token}(?:[ \t]+{token})+"),
        "list_item": regex.compile(r"(?:^|\n)[ \t]*(?:\d+[.)]|[-*•])$"),
        "labelled": regex.compile(
            rf"{start}(?:(?:{alt(NAME_LABELS)})[ \t]*:[ \t]*\n?[ \t]*{name}(?=[ \t]*(?:$|[<(,;]))"
            rf"|(?:{alt(SALUTATIONS)})[ \t]+{name}(?=[ \t]*[,:!])"
            rf"|(?:{alt(CLOSINGS)})[ \t]*,[ \t]*\n[ \t]*{name}[ \t]*$"
            rf"|(?:{alt(TITLES)})\.?[ \t]+{name}(?=[ \t]*(?:$|[<(,:;.!?])))",
            regex.MULTILINE),
    }


def _normalize(term: str) -> str:
    return " ".join(term.replace("_", " ").replace("-", " ").casefold().split())


def pii_allow_list(ontology: Any = None, fields: Collection[str] = ("product", "tenant"),
                   extra: Iterable[str] = ()) -> frozenset[str]:
    """Allow-listed terms from an ``Ontology`` (default: ``Ontology.load()``): every node of the
    tree fields and every value of the flat fields named in ``fields``, ``_`` read as a space,
    casefolded; plus ``extra`` terms (e.g. brand names from configuration)."""
    if ontology is None:
        from rag_eval_assets.lib.ontology import Ontology

        ontology = Ontology.load()
    terms: set[str] = set()
    for name in fields:
        spec = ontology.fields.get(name)
        if spec is None:
            continue
        terms.update(spec.tree.parents if spec.tree is not None else spec.values)
    terms.update(extra)
    return frozenset(t for t in map(_normalize, terms) if t)


def _inner_capital(token: str) -> bool:
    """A capital after a lowercase letter ("IdPs"), except name prefixes (McDonald, DeSantis)."""
    rest = token[1:]
    for prefix in _CAMEL_OK:
        if token.casefold().startswith(prefix) and len(token) > len(prefix):
            rest = token[len(prefix) + 1:]
            break
    return any(a.islower() and b.isupper() for a, b in zip(rest, rest[1:]))


def labelled_name_candidates(text: str) -> list[tuple[int, int, float]]:
    """Names after a field label or salutation (module doc), as ``(start, end, 0.6)``."""
    return [(m.start("name"), m.end("name"), 0.6) for m in _patterns()["labelled"].finditer(text)]


@dataclass
class PersonFilter:
    """Per-text protection data (allow-listed occurrences, product mentions) and the rules of the
    module doc; build once per text with :meth:`for_text`."""

    text: str
    allow_list: frozenset[str]
    protected: list[tuple[int, int]]  # allow-listed occurrences and product mentions
    product_words: frozenset[str]
    brands: frozenset[str]
    lowercase_words: frozenset[str]  # words the text writes in lowercase
    in_longer_names: frozenset[str]  # words inside runs of >= 2 capitalized words

    @classmethod
    def for_text(cls, text: str, allow_list: Collection[str] = ()) -> "PersonFilter":
        import regex

        allow = frozenset(_normalize(t) for t in allow_list)
        protected: list[tuple[int, int]] = []
        for term in allow:
            words = [regex.escape(w) for w in term.split()]
            pattern = r"\b" + r"[\s_\-]+".join(words) + r"\b"
            protected += [(m.start(), m.end()) for m in regex.finditer(pattern, text, regex.IGNORECASE)]
        product_words: set[str] = set()
        brands: set[str] = set()
        for m in _patterns()["product"].finditer(text):
            protected.append((m.start(), m.end()))
            words = [w.casefold() for w in _patterns()["word"].findall(m.group())[:-1]]
            words = [w for w in words if w != "version"]
            product_words.update(words)
            if len(words) >= 2:
                brands.add(words[0])
        words = _patterns()["word"].findall(text)
        lowercase = frozenset(w for w in words if w.islower())
        longer = frozenset(w.casefold() for m in _patterns()["cap_run"].finditer(text) for w in m.group().split())
        return cls(text, allow, protected, frozenset(product_words), frozenset(brands), lowercase, longer)

    def allowed(self, start: int, end: int) -> bool:
        """The whole span is an allow-listed term (dropped for every entity type)."""
        return _normalize(self.text[start:end]) in self.allow_list

    def keep(self, start: int, end: int) -> bool:
        """False when the PERSON span ``text[start:end]`` is a thing's name (module doc)."""
        if any(s < end and start < e for s, e in self.protected):
            return False
        span = self.text[start:end]
        tokens = span.split()
        if not tokens or len(tokens) > 5 or any(ch.isdigit() for ch in span):
            return False
        if any(not (ch.isalpha() or ch.isspace() or ch in ".'’-") for ch in span):
            return False
        words = [t.strip(".'’-").casefold() for t in tokens]
        if any(not w for w in words) or any(w in self.brands for w in words) or set(words) <= self.product_words:
            return False
        if words[-1] in ORG_SUFFIXES or any(w in ROLE_WORDS or w in DOCUMENT_WORDS for w in words):
            return False
        if (len(words) == 1 and words[0] in TECH_NAMES) or any(_inner_capital(t) for t in tokens):
            return False
        if len(tokens) == 1 and len(span) >= 2 and span.isupper():
            return False
        if any(ch.isupper() for ch in span):
            if not all(t[0].isupper() or t.casefold() in PARTICLES for t in tokens):
                return False
            return not self._common_word(start, end, words)
        line_start = self.text.rfind("\n", 0, start) + 1
        line_end = self.text.find("\n", end)
        return not any(ch.isupper() for ch in self.text[line_start:None if line_end < 0 else line_end])

    def _common_word(self, start: int, end: int, words: list[str]) -> bool:
        """Rule 5 of the module doc."""
        if all(w in self.lowercase_words for w in words):
            return True
        if len(words) > 1 or words[0] in self.in_longer_names:
            return False
        before = self.text[:start].rstrip(" \t\"'“‘([*•-")
        opens = not before or before[-1] in ".!?:;\n" or before.endswith("\n") or bool(
            _patterns()["list_item"].search(before))
        rest = self.text[end:]
        following = _patterns()["word"].match(self.text, end + len(rest) - len(rest.lstrip(" \t")))
        return opens and following is not None and following.group()[0].islower()
