"""Seeded tables with merged cells and decimal values, plus the facts their cells carry."""

from __future__ import annotations

import random

from rag_eval_assets.sample.catalog import PRODUCT_NAMES, REGIONS
from rag_eval_assets.sample.facts import FactRegistry
from rag_eval_assets.sample.model import Fact, TableSpec

# product -> (item label, items, price unit, (metric name, metric values))
PROFILES: dict[str, tuple[str, tuple[str, ...], str, tuple[str, tuple[int, ...]]]] = {
    "virtual_machines": ("Instance type", ("t3.micro", "m3.small", "m3.medium", "m3.large", "c3.xlarge", "r3.2xlarge"),
                         "per hour", ("vCPUs", (1, 2, 4, 8, 16))),
    "serverless": ("Memory size", ("128 MB", "256 MB", "512 MB", "1024 MB", "2048 MB", "4096 MB"),
                   "per million requests", ("Max concurrency", (100, 250, 500, 1000))),
    "object_storage": ("Storage class", ("Standard", "Standard-IA", "Cold", "Archive", "Deep Archive"),
                       "per GB-month", ("Min. days", (0, 30, 90, 180))),
    "block_storage": ("Volume type", ("gp-ssd", "gp-ssd-2", "io-ssd", "st-hdd", "cold-hdd"),
                      "per GB-month", ("Max MB/s", (250, 500, 1000, 2000))),
    "load_balancer": ("Listener type", ("HTTP", "HTTPS", "TCP", "UDP", "TLS"),
                      "per LCU-hour", ("Max rules", (50, 100, 200))),
    "vpn_gateway": ("Gateway size", ("Small", "Medium", "Large", "XLarge"),
                    "per hour", ("Max Mbit/s", (500, 1250, 2500, 5000))),
    "invoicing": ("Plan", ("Starter", "Team", "Business", "Enterprise"),
                  "per invoice", ("Cost centers", (5, 20, 100, 500))),
    "payments": ("Payment method", ("Card", "SEPA debit", "ACH debit", "Wire transfer", "Wallet"),
                 "per transaction", ("Settlement days", (1, 2, 3, 5))),
    "sso": ("Edition", ("Basic", "Standard", "Premium", "Enterprise"),
            "per user-month", ("Max IdPs", (1, 3, 10, 20))),
    "access_management": ("Edition", ("Basic", "Standard", "Premium", "Enterprise"),
                          "per principal-month", ("Custom roles", (10, 50, 200, 1000))),
}
KINDS: tuple[str, ...] = ("prices", "quotas", "usage")
KIND_TITLES = {"prices": "price list", "quotas": "quota and latency table", "usage": "monthly usage summary"}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
REGION_GROUPS = ("Europe", "North America", "Asia Pacific")


def _price(rng: random.Random) -> float:
    """A price with the decimals price lists have: 0.033, 0.0125, 12.75 ..."""
    magnitude = rng.choice((0.01, 0.1, 1.0, 10.0))
    return round(rng.uniform(1.0, 9.9) * magnitude, 4 if magnitude < 0.1 else 3 if magnitude < 1 else 2)


def _fmt(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".") if x < 1 else f"{x:.2f}"


def _prices(rng: random.Random, product: str) -> tuple[TableSpec, list[tuple[int, int, str]]]:
    label, items, unit, (metric, metric_values) = PROFILES[product]
    rows = [(label, f"Price {unit} (USD)", "", metric), ("", "On demand", "Committed", "")]
    cells: list[tuple[int, int, str]] = []
    prices = sorted(_price(rng) for _ in range(4))
    for item, on_demand in zip(sorted(rng.sample(items, 4), key=items.index), prices):
        committed = _fmt(round(on_demand * rng.choice((0.6, 0.65, 0.7, 0.75)), 4))
        rows.append((item, _fmt(on_demand), committed, str(rng.choice(metric_values))))
        cells.append((len(rows) - 1, 1, f"What is the on-demand price {unit} of {item}"))
    spans = ((0, 0, 1, 0), (0, 1, 0, 2), (0, 3, 1, 3))
    return TableSpec(tuple(rows), spans, header_rows=2), cells


def _quotas(rng: random.Random, product: str) -> tuple[TableSpec, list[tuple[int, int, str]]]:
    label, items, _, _ = PROFILES[product]
    rows: list[tuple[str, ...]] = [("Region group", label, "Default quota", "p99 latency (ms)")]
    spans, cells = [], []
    for group in REGION_GROUPS:
        spans.append((len(rows), 0, len(rows) + 1, 0))
        for i, item in enumerate(sorted(rng.sample(items, 2), key=items.index)):
            latency = round(rng.uniform(2.0, 40.0), 2)
            rows.append((group if i == 0 else "", item, str(rng.choice((10, 20, 50, 100, 200))), f"{latency:.2f}"))
            cells.append((len(rows) - 1, 3, f"What is the p99 latency in ms of {item} in the {group} region group"))
    return TableSpec(tuple(rows), tuple(spans), header_rows=1), cells


def _usage(rng: random.Random, product: str) -> tuple[TableSpec, list[tuple[int, int, str]]]:
    rows: list[tuple[str, ...]] = [("Month", "Requests (millions)", "Error rate (%)", "Cost (USD)")]
    start = rng.randrange(0, 9)
    total, cells = 0.0, []
    for month in MONTHS[start:start + rng.choice((3, 4))]:
        cost = round(rng.uniform(120.0, 9800.0), 2)
        total += cost
        rows.append((month, f"{rng.uniform(0.5, 40.0):.2f}", f"{rng.uniform(0.001, 0.09):.3f}", f"{cost:.2f}"))
        cells.append((len(rows) - 1, 2, f"What was the error rate in percent in {month}"))
    rows.append(("Total", "", "", f"{round(total, 2):.2f}"))
    spans = ((len(rows) - 1, 0, len(rows) - 1, 2),)
    return TableSpec(tuple(rows), spans, header_rows=1), cells


_BUILDERS = {"prices": _prices, "quotas": _quotas, "usage": _usage}


def make_table(rng: random.Random, registry: FactRegistry, product: str, version: str, kind: str, number: int,
               base: bool) -> tuple[TableSpec, str, list[Fact]]:
    """A table of ``kind`` about a product version in a seeded region, its caption and cell facts.

    The region is one no base document has a table of this kind for. An extra document's table
    is seeded by its key alone, so two documents naming the same table show the same table.
    """
    regions = list(REGIONS)
    rng.shuffle(regions)
    region = next(r for r in regions if registry.is_free((product, version, f"table-{kind}", r), base))
    registry.claim((product, version, f"table-{kind}", region), base)
    spec, cells = _BUILDERS[kind](rng if base else registry.world_rng(product, version, kind, region), product)
    name = f"{PRODUCT_NAMES[product]} {version} {KIND_TITLES[kind]} ({region})"
    spec = TableSpec(spec.cells, spec.spans, spec.header_rows, title=name)
    facts = []
    for row, col, question in cells:
        value = spec.cells[row][col]
        facts.append(Fact(
            key=(product, version, f"table-{kind}-{spec.cells[row][0] or row}-{row}-{col}", region),
            attr=f"table-{kind}", lang="en", sentence=value,
            question=f"According to the {name}, {question[0].lower()}{question[1:]}?",
            answer=value, value=value, product=product, version=version, label=KIND_TITLES[kind]))
    return spec, f"Table {number}: {name}", facts


# -- tables of the pdf_complex_tables class (layouts: grid, borderless, rotated) -----------------
IMPACTS = ("None", "Low", "Medium", "High, action required")
CHANGE_NOTES = (
    "Default limits were raised for new projects; existing projects keep their limits until the next review.",
    "The console now shows the estimated monthly cost before a change is applied, also for changes made by API.",
    "Audit entries include the caller's source address and the name of the access policy that allowed the call.",
    "Regional endpoints accept TLS 1.3 only; clients that still negotiate TLS 1.2 have to be upgraded.",
    "Scheduled maintenance is announced fourteen days ahead by email and on the status page of the project.",
    "Quota increase requests are answered within one business day and apply to a single project at a time.",
)
CREDIT_STEPS = (("99.0", "10"), ("95.0", "25"), ("90.0", "50"))
COST_CENTERS = ("Platform", "Data", "Identity", "Payments", "Research", "Support")


def _changes(rng: random.Random, product: str, versions: tuple[str, ...]) -> TableSpec:
    rows: list[tuple[str, ...]] = [("Version", "Date", "Change", "Impact")]
    notes = rng.sample(CHANGE_NOTES, min(4, len(versions) + 1))
    for k, note in enumerate(notes):
        version = versions[min(k, len(versions) - 1)]
        rows.append((version, f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", note, rng.choice(IMPACTS)))
    return TableSpec(tuple(rows), header_rows=1)


def _regional(rng: random.Random, product: str, versions: tuple[str, ...]) -> TableSpec:
    rows: list[tuple[str, ...]] = [("Region group", "Region", "Price per hour (USD)", "", "Egress (USD/GB)"),
                                   ("", "", "On demand", "Committed", "")]
    spans = [(0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 0, 3), (0, 4, 1, 4)]
    by_group = {"Europe": REGIONS[:3], "North America": REGIONS[3:6], "Asia Pacific": REGIONS[7:10]}
    for group in rng.sample(sorted(by_group), 2):
        spans.append((len(rows), 0, len(rows) + 1, 0))
        for k, region in enumerate(sorted(rng.sample(by_group[group], 2))):
            price = _price(rng)
            rows.append((group if k == 0 else "", region, _fmt(price), _fmt(round(price * 0.7, 4)),
                         f"{rng.choice((0.02, 0.05, 0.08, 0.09, 0.12)):.2f}"))
    return TableSpec(tuple(rows), tuple(spans), header_rows=2)


def _credits(rng: random.Random, product: str, versions: tuple[str, ...]) -> TableSpec:
    top = rng.choice(("99.9", "99.95", "99.99"))
    rows: list[tuple[str, ...]] = [("Monthly uptime percentage", "Service credit (%)")]
    upper = top
    for lower, credit in CREDIT_STEPS:
        rows.append((f"Less than {upper}% but at least {lower}%", credit))
        upper = lower
    rows.append((f"Less than {upper}%", "100"))
    return TableSpec(tuple(rows), header_rows=1)


def _budget(rng: random.Random, product: str, versions: tuple[str, ...]) -> TableSpec:
    rows: list[tuple[str, ...]] = [("Cost center", "Q1", "Q2", "Q3", "Q4", "Change (%)")]
    totals = [0.0] * 4
    for center in rng.sample(COST_CENTERS, 4):
        quarters = [round(rng.uniform(800.0, 48000.0), 2) for _ in range(4)]
        totals = [t + q for t, q in zip(totals, quarters)]
        change = (quarters[3] - quarters[0]) / quarters[0] * 100
        rows.append((center, *(f"{q:,.2f}" for q in quarters), f"{change:+.1f}"))
    rows.append(("Total", *(f"{t:,.2f}" for t in totals), ""))
    return TableSpec(tuple(rows), header_rows=1)


LAYOUT_KINDS = {"changes": (_changes, "change log"), "regional": (_regional, "regional price matrix"),
                "credits": (_credits, "service credit schedule"), "budget": (_budget, "quarterly spend by cost center")}


def layout_table(rng: random.Random, product: str, versions: tuple[str, ...], version: str, kind: str, layout: str,
                 number: int) -> tuple[TableSpec, str]:
    """A table of the complex-tables class (no facts: parse hazard only) and its caption."""
    build, label = LAYOUT_KINDS[kind]
    spec = build(rng, product, versions)
    name = f"{PRODUCT_NAMES[product]} {version} {label}"
    return TableSpec(spec.cells, spec.spans, spec.header_rows, title=name, layout=layout), f"Table {number}: {name}"
