"""Checkable facts: attribute templates, seeded values and a registry that keeps keys unique."""

from __future__ import annotations

import random
from dataclasses import dataclass

from rag_eval_assets.sample.catalog import PRODUCT_NAMES, REGIONS, format_number
from rag_eval_assets.sample.languages import all_languages
from rag_eval_assets.sample.langtext import GENERIC_ATTRS, LangText
from rag_eval_assets.sample.model import Fact


@dataclass(frozen=True)
class Attr:
    """A fact attribute: English templates (statement, paraphrase, question, answer) and values."""

    name: str
    values: tuple
    label: str
    alt: str  # paraphrased English statement (used by heavy near-duplicate edits)
    en: tuple[str, str, str] = ("", "", "")  # product-specific attributes only; generic ones live in LangText
    product: str | None = None


GENERIC = {
    "security_updates": Attr("security_updates", (12, 18, 30, 36, 48), "security update period",
                             "Security fixes for {product} {version} are published for a period of {value} months from general availability."),
    "sla": Attr("sla", (99.5, 99.9, 99.95, 99.99), "monthly availability commitment",
                "Under the service level agreement, {product} {version} is committed to {value} percent availability each month."),
    "api_rate_limit": Attr("api_rate_limit", (100, 200, 250, 500, 1000), "API rate limit",
                           "The {product} {version} API is rate-limited to {value} requests per second for each project."),
    "audit_logs": Attr("audit_logs", (30, 90, 180, 365, 400), "audit log retention",
                       "{product} {version} keeps its audit log entries for {value} days before they are deleted."),
    "maintenance": Attr("maintenance", tuple((d, h) for d in range(5) for h in (1, 2, 3, 4, 22, 23)), "maintenance window",
                        "The planned maintenance window of {product} {version} opens {when} at {time} UTC."),
}


def _specific(product: str, name: str, values: tuple, label: str, statement: str, alt: str, question: str, answer: str) -> Attr:
    return Attr(name, values, label, alt, (statement, question, answer), product)


SPECIFIC: dict[str, tuple[Attr, ...]] = {
    "virtual_machines": (
        _specific("virtual_machines", "max_vcpus", (64, 96, 128, 192, 224), "maximum instance size",
                  "A single {product} {version} instance can be sized up to {value} vCPUs.",
                  "The largest instance size offered by {product} {version} has {value} vCPUs.",
                  "What is the maximum number of vCPUs for a single {product} {version} instance?", "{value} vCPUs"),
        _specific("virtual_machines", "boot_disk", (20, 30, 40, 50, 64), "default boot disk size",
                  "New instances in {product} {version} get a {value} GB boot disk by default.",
                  "By default, {product} {version} provisions the boot disk of a new instance with {value} GB.",
                  "What is the default boot disk size of a new instance in {product} {version}?", "{value} GB"),
    ),
    "serverless": (
        _specific("serverless", "max_timeout", (300, 600, 900, 1200), "maximum execution time",
                  "A function in {product} {version} can run for at most {value} seconds before it is stopped.",
                  "{product} {version} stops any function execution that is still running after {value} seconds.",
                  "What is the maximum execution time of a function in {product} {version}?", "{value} seconds"),
        _specific("serverless", "max_memory", (2048, 3072, 4096, 8192, 10240), "memory ceiling per function",
                  "{product} {version} allocates up to {value} MB of memory to a single function.",
                  "The memory ceiling for one function in {product} {version} is {value} MB.",
                  "How much memory can a single function use in {product} {version}?", "{value} MB"),
    ),
    "object_storage": (
        _specific("object_storage", "max_object", (5, 10, 20, 50), "maximum object size",
                  "The largest single object accepted by {product} {version} is {value} TB.",
                  "{product} {version} accepts individual objects of up to {value} TB.",
                  "What is the maximum size of a single object in {product} {version}?", "{value} TB"),
        _specific("object_storage", "noncurrent_days", (7, 14, 30, 60, 90), "retention of noncurrent versions",
                  "Noncurrent object versions in {product} {version} are kept for {value} days unless a lifecycle rule says otherwise.",
                  "Unless a lifecycle rule overrides it, {product} {version} deletes noncurrent object versions after {value} days.",
                  "How long does {product} {version} keep noncurrent object versions by default?", "{value} days"),
    ),
    "block_storage": (
        _specific("block_storage", "snapshot_retention", (7, 14, 21, 35, 45), "default snapshot retention",
                  "Snapshots of volumes in {product} {version} are retained for {value} days by default.",
                  "By default, {product} {version} keeps volume snapshots for {value} days.",
                  "How long are volume snapshots retained by default in {product} {version}?", "{value} days"),
        _specific("block_storage", "max_iops", (16000, 32000, 64000, 80000), "maximum IOPS per volume",
                  "A single volume in {product} {version} delivers up to {value} IOPS.",
                  "{product} {version} caps the performance of one volume at {value} IOPS.",
                  "What is the maximum IOPS of a single volume in {product} {version}?", "{value} IOPS"),
    ),
    "load_balancer": (
        _specific("load_balancer", "idle_timeout", (60, 120, 300, 350), "default idle timeout",
                  "The default idle timeout of a listener in {product} {version} is {value} seconds.",
                  "{product} {version} closes idle listener connections after {value} seconds unless you change the setting.",
                  "What is the default idle timeout of a listener in {product} {version}?", "{value} seconds"),
        _specific("load_balancer", "health_interval", (5, 10, 15, 30), "health check interval",
                  "Health checks in {product} {version} run every {value} seconds by default.",
                  "By default, {product} {version} probes each backend every {value} seconds.",
                  "How often do health checks run by default in {product} {version}?", "every {value} seconds"),
    ),
    "vpn_gateway": (
        _specific("vpn_gateway", "max_tunnels", (10, 25, 50, 100), "tunnels per gateway",
                  "A single {product} {version} gateway supports up to {value} site-to-site tunnels.",
                  "{product} {version} allows at most {value} site-to-site tunnels on one gateway.",
                  "How many site-to-site tunnels does a single {product} {version} gateway support?", "{value} site-to-site tunnels"),
        _specific("vpn_gateway", "rekey_hours", (4, 8, 12, 24), "IKE rekey interval",
                  "IKE security associations on {product} {version} are rekeyed every {value} hours.",
                  "{product} {version} renews its IKE security associations after {value} hours.",
                  "How often are IKE security associations rekeyed on {product} {version}?", "every {value} hours"),
    ),
    "invoicing": (
        _specific("invoicing", "invoice_day", (1, 2, 3, 5), "invoice day",
                  "{product} {version} issues invoices on day {value} of each calendar month.",
                  "Each month, invoices from {product} {version} are generated on day {value}.",
                  "On which day of the month does {product} {version} issue invoices?", "day {value}"),
        _specific("invoicing", "payment_terms", (14, 30, 45, 60), "standard payment term",
                  "The standard payment term on invoices from {product} {version} is {value} days.",
                  "Invoices from {product} {version} are due {value} days after issue under the standard terms.",
                  "What is the standard payment term on invoices from {product} {version}?", "{value} days"),
    ),
    "payments": (
        _specific("payments", "retry_count", (2, 3, 4, 5), "number of payment retries",
                  "{product} {version} retries a declined card payment up to {value} times.",
                  "A declined card payment is attempted again by {product} {version} as many as {value} times.",
                  "How many times does {product} {version} retry a declined card payment?", "{value} times"),
        _specific("payments", "refund_window", (30, 60, 90, 180), "refund window",
                  "Refunds through {product} {version} can be requested within {value} days of the charge.",
                  "{product} {version} accepts refund requests for {value} days after a charge.",
                  "Within how many days of a charge can a refund be requested in {product} {version}?", "{value} days"),
    ),
    "sso": (
        _specific("sso", "session_hours", (8, 10, 12, 24), "session lifetime",
                  "A session established through {product} {version} expires after {value} hours.",
                  "{product} {version} ends each sign-in session after {value} hours.",
                  "After how many hours does a session established through {product} {version} expire?", "{value} hours"),
        _specific("sso", "max_idps", (3, 5, 10, 20), "identity providers per organization",
                  "{product} {version} supports up to {value} identity providers per organization.",
                  "An organization can connect at most {value} identity providers in {product} {version}.",
                  "How many identity providers per organization does {product} {version} support?", "{value} identity providers"),
    ),
    "access_management": (
        _specific("access_management", "max_policies", (10, 20, 25, 50), "policies per role",
                  "In {product} {version}, a role can have at most {value} attached policies.",
                  "{product} {version} limits each role to {value} attached policies.",
                  "How many policies can be attached to a role in {product} {version}?", "{value} attached policies"),
        _specific("access_management", "key_rotation", (30, 60, 90, 180), "access key rotation period",
                  "Access keys managed by {product} {version} must be rotated every {value} days.",
                  "{product} {version} requires access keys to be replaced after {value} days.",
                  "How often must access keys managed by {product} {version} be rotated?", "every {value} days"),
    ),
}


def attr_by_name(name: str) -> Attr:
    if name in GENERIC:
        return GENERIC[name]
    return next(a for attrs in SPECIFIC.values() for a in attrs if a.name == name)


def _fields(lt: LangText, product: str, version: str, value: object) -> dict[str, str]:
    out = {"product": PRODUCT_NAMES[product], "version": version}
    if isinstance(value, tuple):  # maintenance: (weekday index, hour)
        out |= {"when": lt.weekdays[value[0]], "time": f"{value[1]:02d}:00", "value": ""}
    else:
        out["value"] = format_number(value, lt.code)
    return out


def make_fact(lt: LangText, product: str, version: str, attr: Attr, value: object, region: str = "", paraphrase: bool = False) -> Fact:
    """Render one fact in ``lt``'s language (``paraphrase`` uses the alternative English wording)."""
    statement, question, answer = lt.facts[attr.name] if attr.product is None else attr.en
    f = _fields(lt, product, version, value)
    sentence = (attr.alt if paraphrase else statement).format(**f)
    if region:
        sentence += " " + lt.region.format(region=region)
    return Fact(key=(product, version, attr.name, region), attr=attr.name, lang=lt.code, sentence=sentence,
                question=question.format(**f), answer=answer.format(**f), value=value,
                product=product, version=version, label=attr.label)


def paraphrase(fact: Fact) -> Fact:
    """The same fact in its alternative English wording."""
    lt = all_languages()[fact.lang]
    return make_fact(lt, fact.product, fact.version, attr_by_name(fact.attr), fact.value, fact.key[3], paraphrase=True)


class FactRegistry:
    """Hands out fact keys so that the corpus states one truth and each query has one answer set.

    Base documents: no two state the same (product, version, attr) (near-duplicate families
    copy their original's facts). Extra documents (benchmark sizes) avoid every key the base
    sample uses and never state anything about a *reserved* (product, version, attr), the ones
    the golden queries ask about (``reserve``), so no document outside a query's qrels states
    its answer. Where a plain key is taken they fall back to region-qualified facts, and a key
    stated twice carries the same value both times (one truth: ``value_for``).
    """

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.base_used: set[tuple[str, ...]] = set()
        self.extra_used: set[tuple[str, ...]] = set()
        self.reserved: set[tuple[str, str, str]] = set()  # (product, version, attr) of queried facts
        self.values: dict[tuple[str, ...], object] = {}

    def is_free(self, key: tuple[str, ...], base: bool) -> bool:
        return key not in self.base_used and (not base or key not in self.extra_used)

    def claim(self, key: tuple[str, ...], base: bool) -> None:
        (self.base_used if base else self.extra_used).add(key)

    def reserve(self, product: str, version: str, attr: str) -> None:
        """No extra document may state ``attr`` of ``product`` ``version`` (in any region)."""
        self.reserved.add((product, version, attr))

    def usable(self, product: str, version: str, attr: str, base: bool) -> bool:
        """Can a new document state ``attr`` of this product version (plainly or, for extra
        documents, for a region)?"""
        if base:
            return self.is_free((product, version, attr, ""), base)
        return (product, version, attr) not in self.reserved

    def value_for(self, key: tuple[str, ...], drawn: object) -> object:
        """The value of ``key`` in this corpus: the first one drawn for it."""
        return self.values.setdefault(key, drawn)

    def world_rng(self, *key: object) -> random.Random:
        """A generator seeded by a key alone: the same key gives the same content in any document."""
        return random.Random(":".join(map(str, (self.seed, "world", *key))))

    def draw(self, rng: random.Random, lt: LangText, product: str, version: str, n: int, base: bool,
             generic_only: bool = False) -> list[Fact]:
        """Up to ``n`` new facts about ``product`` ``version`` written in ``lt``'s language."""
        attrs = [GENERIC[a] for a in GENERIC_ATTRS]
        if lt.code == "en" and not generic_only:
            attrs += list(SPECIFIC[product])
        rng.shuffle(attrs)
        facts: list[Fact] = []
        for attr in attrs:
            if len(facts) == n:
                break
            if not self.usable(product, version, attr.name, base):
                continue
            region = ""
            if not self.is_free((product, version, attr.name, ""), base):
                region = rng.choice(REGIONS)
            key = (product, version, attr.name, region)
            self.claim(key, base)
            value = self.value_for(key, rng.choice(attr.values))
            facts.append(make_fact(lt, product, version, attr, value, region))
        return facts
