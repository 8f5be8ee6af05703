"""Per-language prose bank: the record type (the languages themselves: ``languages.all_languages``)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Generic fact attributes, each written in every language (see LangText.facts).
GENERIC_ATTRS: tuple[str, ...] = ("security_updates", "sla", "api_rate_limit", "audit_logs", "maintenance")
# Section of the generic bank where a generic fact belongs.
ATTR_SECTION: dict[str, str] = {
    "security_updates": "lifecycle",
    "sla": "availability",
    "api_rate_limit": "limits",
    "audit_logs": "security",
    "maintenance": "maintenance",
}


@dataclass(frozen=True)
class LangText:
    """Everything needed to write a product document in one language.

    ``facts`` maps a generic attribute to (statement, question, answer) templates with the
    placeholders ``{product}``, ``{version}``, ``{value}`` (and ``{when}``/``{time}`` for
    maintenance). ``sections`` maps a section key to (heading, sentences with ``{product}``).
    """

    code: str
    titles: tuple[str, ...]
    intros: tuple[str, ...]
    sections: dict[str, tuple[str, tuple[str, ...]]]
    facts: dict[str, tuple[str, str, str]]
    weekdays: tuple[str, ...]  # Tuesday, Wednesday, Thursday, Saturday, Sunday ("every ..." phrases)
    region: str
    product_frame: str = ""
    descs: dict[str, str] = field(default_factory=dict)
