"""The fictional cloud provider: products (ontology leaves), versions, tenants, locales, regions."""

from __future__ import annotations

import re

COMPANY = "Meridian Cloud"

PRODUCT_NAMES: dict[str, str] = {
    "virtual_machines": "Meridian Compute",
    "serverless": "Meridian Functions",
    "object_storage": "Meridian Object Storage",
    "block_storage": "Meridian Block Volumes",
    "load_balancer": "Meridian Load Balancer",
    "vpn_gateway": "Meridian VPN Gateway",
    "invoicing": "Meridian Invoicing",
    "payments": "Meridian Payments",
    "sso": "Meridian SSO",
    "access_management": "Meridian Access Manager",
}
PRODUCTS: tuple[str, ...] = tuple(PRODUCT_NAMES)

# Versions each product shipped, oldest first; the last one is current.
PRODUCT_VERSIONS: dict[str, tuple[str, ...]] = {
    "virtual_machines": ("v1.2", "v2.0", "v2.1", "v3.0"),
    "serverless": ("v1.0", "v1.1", "v2.0"),
    "object_storage": ("v1.2", "v2.0", "v2.1"),
    "block_storage": ("v1.1", "v2.0", "v2.1"),
    "load_balancer": ("v1.0", "v2.0", "v3.0"),
    "vpn_gateway": ("v1.1", "v1.2", "v2.0"),
    "invoicing": ("v1.0", "v2.0", "v2.1"),
    "payments": ("v1.2", "v2.0", "v3.0"),
    "sso": ("v1.0", "v1.1", "v2.0"),
    "access_management": ("v1.2", "v2.0", "v2.1"),
}

TENANTS: tuple[str, ...] = ("acme", "globex", "initech")

LOCALES: dict[str, tuple[str, ...]] = {
    "en": ("en-US", "en-GB"),
    "de": ("de-DE", "de-AT", "de-CH"),
    "fr": ("fr-FR", "fr-CA"),
    "es": ("es-ES", "es-MX"),
    "it": ("it-IT",),
    "pt": ("pt-PT", "pt-BR"),
    "ru": ("ru-RU",),
    "el": ("el-GR",),
}

REGIONS: tuple[str, ...] = (
    "eu-central-1", "eu-west-2", "eu-north-1", "us-east-1", "us-west-2", "ca-central-1",
    "sa-east-1", "ap-south-1", "ap-northeast-1", "ap-southeast-2", "me-central-1", "af-south-1",
)


def is_current(product: str, version: str) -> bool:
    return PRODUCT_VERSIONS[product][-1] == version


_GB_SPELLING = {
    "optimize": "optimise", "optimized": "optimised", "organization": "organisation",
    "organizations": "organisations", "behavior": "behaviour", "center": "centre",
    "analyze": "analyse", "authorize": "authorise", "authorized": "authorised",
    "authorization": "authorisation", "authorizations": "authorisations", "prioritize": "prioritise",
    "recognize": "recognise", "minimize": "minimise", "canceled": "cancelled", "catalog": "catalogue",
    "synchronization": "synchronisation", "color": "colour", "favor": "favour",
}
_GB_RE = re.compile(r"\b(" + "|".join(sorted(_GB_SPELLING, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def localize(text: str, locale: str) -> str:
    """Regional spelling: British spelling for en-GB, ``ss`` for ``ß`` in de-CH."""
    if locale == "en-GB":
        def repl(m: re.Match[str]) -> str:
            word = m.group(0)
            gb = _GB_SPELLING[word.lower()]
            return gb[0].upper() + gb[1:] if word[0].isupper() else gb

        return _GB_RE.sub(repl, text)
    if locale == "de-CH":
        return text.replace("ß", "ss")
    return text


def format_number(value: float | int, lang: str) -> str:
    """A number as written in ``lang`` (decimal comma outside English)."""
    text = str(value)
    return text if lang == "en" else text.replace(".", ",")
