"""Fake but well-formed PII values and the support/HR/invoice texts that carry them, with spans."""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable

from rag_eval_assets.sample.catalog import PRODUCT_NAMES
from rag_eval_assets.sample.model import PiiSpan

FIRST = ("Jane", "Marcus", "Priya", "Tomás", "Olivia", "Daniel", "Aisha", "Kevin", "Laura", "Hiroshi", "Grace",
         "Mateo", "Emily", "Samuel", "Nadia", "Ryan", "Chloe", "Victor", "Hannah", "Ethan")
LAST = ("Whitfield", "Okafor", "Raman", "Delgado", "Brennan", "Kowalski", "Haddad", "Lindqvist", "Moreau",
        "Tanaka", "Castillo", "Fitzgerald", "Novak", "Abernathy", "Sorensen", "Mbeki", "Caldwell", "Ferreira")
STREETS = ("Maple Avenue", "Oak Street", "Cedar Lane", "Harbor Drive", "Willow Court", "Lakeview Road",
           "Pine Ridge Boulevard", "Elm Street", "Sunset Terrace", "Mill Creek Road")
CITIES = (("Springfield", "IL", "627"), ("Portland", "OR", "972"), ("Austin", "TX", "787"), ("Madison", "WI", "537"),
          ("Raleigh", "NC", "276"), ("Boulder", "CO", "803"), ("Tucson", "AZ", "857"), ("Albany", "NY", "122"))
AREA_CODES = ("212", "303", "312", "415", "503", "512", "617", "646", "713", "206")
DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com")
IBAN_LAYOUTS = {"DE": "n8n10", "GB": "a4n6n8", "FR": "n5n5n11n2", "NL": "a4n10", "ES": "n20", "IT": "a1n5n5n12"}


def luhn_check_digit(payload: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    digits = [c for c in number if c.isdigit()]
    return luhn_check_digit("".join(digits[:-1])) == digits[-1]


def iban_valid(iban: str) -> bool:
    compact = iban.replace(" ", "")
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


class PiiFaker:
    """Seeded generators of well-formed values (valid SSN ranges, Luhn cards, IBAN checksums).

    ``issued`` records every value handed out as (entity type, value), a person as its first and
    its last name: whatever a template writes of them must be inside an annotated span.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.issued: list[tuple[str, str]] = []

    def _issue(self, entity: str, value: str) -> str:
        self.issued.append((entity, value))
        return value

    def person(self) -> tuple[str, str]:
        return self._issue("PERSON", self.rng.choice(FIRST)), self._issue("PERSON", self.rng.choice(LAST))

    def email(self, first: str, last: str) -> str:
        local = self.rng.choice((f"{first}.{last}", f"{first[0]}{last}", f"{first}{self.rng.randint(1, 99)}"))
        return self._issue("EMAIL_ADDRESS", f"{local.lower().replace('á', 'a')}@{self.rng.choice(DOMAINS)}")

    def phone(self) -> str:
        area, line = self.rng.choice(AREA_CODES), f"{self.rng.randint(100, 199):03d}"
        last = f"{self.rng.randint(0, 9999):04d}"
        return self._issue("PHONE_NUMBER", self.rng.choice((f"({area}) 555-{last}", f"{area}-{line}-{last}",
                                                             f"+1 {area} 555 {last}")))

    def ssn(self) -> str:
        area = self.rng.choice([a for a in range(1, 900) if a != 666])
        return self._issue("US_SSN", f"{area:03d}-{self.rng.randint(1, 99):02d}-{self.rng.randint(1, 9999):04d}")

    def card(self) -> str:
        kind = self.rng.choice(("visa", "mc", "amex"))
        prefix, length = {"visa": ("4", 16), "mc": (str(self.rng.randint(51, 55)), 16), "amex": ("37", 15)}[kind]
        payload = prefix + "".join(self.rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
        number = payload + luhn_check_digit(payload)
        if length == 15:
            return self._issue("CREDIT_CARD", f"{number[:4]} {number[4:10]} {number[10:]}")
        sep = self.rng.choice((" ", "-"))
        return self._issue("CREDIT_CARD", sep.join(number[i:i + 4] for i in range(0, 16, 4)))

    def iban(self) -> str:
        country = self.rng.choice(sorted(IBAN_LAYOUTS))
        layout, bban = IBAN_LAYOUTS[country], ""
        for kind, size in zip(_kinds(layout), _sizes(layout)):
            alphabet = string.ascii_uppercase if kind == "a" else string.digits
            bban += "".join(self.rng.choice(alphabet) for _ in range(size))
        check = 98 - int("".join(str(int(c, 36)) for c in bban + country + "00")) % 97
        compact = f"{country}{check:02d}{bban}"
        grouped = " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))
        return self._issue("IBAN_CODE", grouped if self.rng.random() < 0.6 else compact)

    def ip(self) -> str:
        r = self.rng
        return self._issue("IP_ADDRESS", r.choice((
            f"203.0.113.{r.randint(1, 254)}", f"198.51.100.{r.randint(1, 254)}",
            f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
            f"{r.randint(23, 91)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}")))

    def address(self) -> str:
        city, state, zip3 = self.rng.choice(CITIES)
        street = f"{self.rng.randint(12, 9870)} {self.rng.choice(STREETS)}"
        return self._issue("STREET_ADDRESS", f"{street}, {city}, {state} {zip3}{self.rng.randint(1, 99):02d}")


def _kinds(layout: str) -> list[str]:
    return [c for c in layout if c.isalpha()]


def _sizes(layout: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", layout)]


def unannotated(text: str, spans: list[PiiSpan], issued: list[tuple[str, str]]) -> list[tuple[str, int]]:
    """(value, offset) of every occurrence (case-insensitive) in ``text`` of an issued PII value
    that no span covers: empty when the document's PII is completely annotated."""
    out, low = [], text.lower()
    for _, value in issued:
        pos = low.find(value.lower())
        while pos >= 0:
            if not any(s.start <= pos and pos + len(value) <= s.end for s in spans):
                out.append((value, pos))
            pos = low.find(value.lower(), pos + 1)
    return out


class TextBuilder:
    """Builds a text piece by piece and records the exact span of every PII value."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.spans: list[PiiSpan] = []

    def add(self, text: str) -> "TextBuilder":
        self.parts.append(text)
        self.length += len(text)
        return self

    def pii(self, value: str, entity: str) -> "TextBuilder":
        self.spans.append(PiiSpan(self.length, self.length + len(value), entity, value))
        return self.add(value)

    def text(self) -> str:
        return "".join(self.parts)


def _ticket(f: PiiFaker, b: TextBuilder, version: str) -> str:
    r, (first, last) = f.rng, f.person()
    agent = f.person()
    b.add(f"Meridian Cloud Support - Ticket #{r.randint(40000, 99999)}\nProduct: {PRODUCT_NAMES['payments']} {version}\n")
    b.add(f"Priority: {r.choice(('Normal', 'High', 'Urgent'))}\nRequester: ").pii(f"{first} {last}", "PERSON")
    b.add(" <").pii(f.email(first, last), "EMAIL_ADDRESS").add(">\nCallback number: ").pii(f.phone(), "PHONE_NUMBER")
    b.add("\n\nSummary: Card payment declined after updating billing details\n\nHi team,\n\n")
    b.add(f"I updated the card on our billing account and the payment for invoice INV-{r.randint(100000, 999999)} "
          "was declined twice. The new card is ").pii(f.card(), "CREDIT_CARD")
    b.add(f", expiry {r.randint(1, 12):02d}/{r.randint(27, 31)}. Our billing address is ").pii(f.address(), "STREET_ADDRESS")
    b.add(". Could you check whether the address on file matches what the issuer expects?\n\nThanks,\n").pii(first, "PERSON")
    b.add("\n\n--- Internal notes ---\nAgent ").pii(f"{agent[0]} {agent[1]}", "PERSON")
    b.add(": two authorization attempts from ").pii(f.ip(), "IP_ADDRESS")
    b.add(" were declined with code 05. Asked the customer to contact the issuer. "
          "Reminder: never paste full card numbers into tickets.\n")
    return "payments"


def _hr_note(f: PiiFaker, b: TextBuilder, version: str) -> str:
    r, (first, last) = f.rng, f.person()
    manager = f.person()
    b.add("CONFIDENTIAL - HR onboarding record\n\nEmployee: ").pii(f"{first} {last}", "PERSON")
    b.add(f"\nStart date: {r.choice(('March', 'April', 'June', 'September'))} {r.randint(1, 28)}\nSocial Security number: ")
    b.add("").pii(f.ssn(), "US_SSN").add("\nHome address: ").pii(f.address(), "STREET_ADDRESS")
    b.add("\nMobile: ").pii(f.phone(), "PHONE_NUMBER").add("\nPersonal email: ").pii(f.email(first, last), "EMAIL_ADDRESS")
    b.add("\nSalary account (IBAN): ").pii(f.iban(), "IBAN_CODE")
    b.add("\n\nNotes from the hiring manager, ").pii(f"{manager[0]} {manager[1]}", "PERSON")
    b.add(":\n").pii(first, "PERSON")
    b.add(f" joins the platform team. Create the Meridian SSO {version} account before day one and add it "
          "to the engineering group. The VPN profile should allow access from the home office address ")
    b.add("").pii(f.ip(), "IP_ADDRESS").add(" only. Payroll needs the signed tax forms by the end of the first week.\n")
    return "sso"


def _invoice(f: PiiFaker, b: TextBuilder, version: str) -> str:
    r, (first, last) = f.rng, f.person()
    b.add(f"INVOICE INV-{r.randint(100000, 999999)}\nIssued by Meridian Cloud Ltd. via {PRODUCT_NAMES['invoicing']} {version}\n\n")
    b.add("Bill to:\n").pii(f"{first} {last}", "PERSON").add(f"\n{r.choice(('Northwind Analytics', 'Bluepeak Labs', 'Orchard Media'))}\n")
    b.add("").pii(f.address(), "STREET_ADDRESS").add("\n").pii(f.email(first, last), "EMAIL_ADDRESS").add("\n\n")
    lines = [("Compute usage", r.uniform(100, 900)), ("Block storage", r.uniform(20, 300)), ("Support plan", 149.0)]
    for label, amount in lines:
        b.add(f"{label:<20}{amount:>12.2f} USD\n")
    b.add(f"{'Total':<20}{sum(a for _, a in lines):>12.2f} USD\n\nPayment by direct debit from account ")
    b.add("").pii(f.iban(), "IBAN_CODE").add(" on the due date. Questions about this invoice: call ")
    b.add("").pii(f.phone(), "PHONE_NUMBER").add(" or reply to this email.\n")
    return "invoicing"


def _incident(f: PiiFaker, b: TextBuilder, version: str) -> str:
    r, (first, last) = f.rng, f.person()
    b.add(f"Security incident report SIR-{r.randint(1000, 9999)}\nSystem: {PRODUCT_NAMES['access_management']} {version}\n\n")
    b.add("Affected user: ").pii(f"{first} {last}", "PERSON").add(" (").pii(f.email(first, last), "EMAIL_ADDRESS").add(")\n")
    b.add("Suspicious sign-ins were recorded from ").pii(f.ip(), "IP_ADDRESS").add(" and ").pii(f.ip(), "IP_ADDRESS")
    b.add(" within four minutes, which is not possible for a single traveller. The account was locked and the "
          "active access keys were revoked.\n\nThe user was reached by phone at ").pii(f.phone(), "PHONE_NUMBER")
    b.add(" and confirmed that the second address is unknown. A new hardware key will be mailed to ")
    b.add("").pii(f.address(), "STREET_ADDRESS").add(".\n\nAnalyst: ").pii(" ".join(f.person()), "PERSON").add("\n")
    return "access_management"


def _refund(f: PiiFaker, b: TextBuilder, version: str) -> str:
    first, last = f.person()
    b.add("From: ").pii(f"{first} {last}", "PERSON").add(" <").pii(f.email(first, last), "EMAIL_ADDRESS")
    b.add(">\nSubject: Refund request for a duplicate charge\n\nHello,\n\nI was charged twice for the same "
          f"subscription through {PRODUCT_NAMES['payments']} {version}. Both charges went to my card ")
    b.add("").pii(f.card(), "CREDIT_CARD").add(". Please refund the second charge to the same card, or to my bank "
                                               "account ").pii(f.iban(), "IBAN_CODE")
    b.add(" if that is easier. For verification, my SSN is ").pii(f.ssn(), "US_SSN")
    b.add(" and you can call me at ").pii(f.phone(), "PHONE_NUMBER").add(".\n\nBest regards,\n").pii(f"{first} {last}", "PERSON")
    b.add("\n").pii(f.address(), "STREET_ADDRESS").add("\n")
    return "payments"


TEMPLATES: tuple[tuple[str, Callable[[PiiFaker, TextBuilder, str], str]], ...] = (
    ("support-ticket", _ticket), ("hr-onboarding", _hr_note), ("invoice", _invoice),
    ("security-incident", _incident), ("refund-request", _refund),
)


def pii_text(rng: random.Random, index: int, versions: dict[str, tuple[str, ...]]
             ) -> tuple[str, str, str, list[PiiSpan], list[tuple[str, str]]]:
    """(slug stem, product, text, spans, issued values) of the ``index``-th PII document."""
    stem, fn = TEMPLATES[index % len(TEMPLATES)]
    builder = TextBuilder()
    product_of = {"support-ticket": "payments", "hr-onboarding": "sso", "invoice": "invoicing",
                  "security-incident": "access_management", "refund-request": "payments"}[stem]
    version = rng.choice(versions[product_of])
    faker = PiiFaker(rng)
    product = fn(faker, builder, version)
    return stem, product, builder.text(), builder.spans, faker.issued
