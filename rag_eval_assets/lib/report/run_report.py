"""The per-run HTML report, top first: the verdict (release gate, failing ERROR checks with
value and limit, first-failed-stage counts, the stages losing most, what changed since the
previous report), then every check, then one section per stage in pipeline order (corpus,
parse, clean, dedup, chunk, embed and index, retrieval, filters, generation), each with its
checks, numbers over their counts, a figure, and its tables. A stage that has not been
materialized gets a note, never a made-up number.

``build_report`` reads the stored outputs through ``Outputs`` and takes everything else as
plain data (``ReportInputs``); it returns the HTML, the sections, the headline figures to store
beside the report (the next report's comparison) and the Markdown summary for the UI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rag_eval_assets.lib.outputs import Outputs
from rag_eval_assets.lib.report.cases import FAILURE_ORDER as FIRST_FAILED_ORDER  # noqa: F401 (re-export)
from rag_eval_assets.lib.report.checks import CheckOutcome
from rag_eval_assets.lib.report.figures import (
    changes_html,
    changes_short,
    compare,
    headline_figures,
)
from rag_eval_assets.lib.report.html import Column, Section, render_report, table_html
from rag_eval_assets.lib.report.inputs import ReportData, ReportInputs
from rag_eval_assets.lib.report.markdown import summary_markdown
from rag_eval_assets.lib.report.sections_ingest import (
    CHECK_COLUMNS,
    chunk_section,
    clean_section,
    corpus_section,
    dedup_section,
    index_section,
    parse_section,
)
from rag_eval_assets.lib.report.sections_online import (
    filter_section,
    generation_section,
    retrieval_section,
)
from rag_eval_assets.lib.report.verdict import build_verdict, losses_table, verdict_html

SECTIONS: tuple[Callable[[ReportData], Section], ...] = (
    corpus_section, parse_section, clean_section, dedup_section, chunk_section, index_section, retrieval_section,
    filter_section, generation_section)
LOSSES_NOTE = ("Each stage's share of its own units lost (see each row's 'what' and 'over'); the verdict shows the "
               "three largest.")
#: Stage sections the ``report_complete`` check expects figures from.
STAGE_SECTIONS = ("Parse", "Clean", "Dedup", "Chunk", "Embed and index", "Retrieval", "Filters", "Generation")


@dataclass
class Report:
    html: str
    sections: list[Section]
    figures: dict[str, Any]
    summary: str
    diff: dict[str, Any] | None

    @property
    def missing(self) -> list[str]:
        """Stage sections with nothing measured (their asset has not been materialized)."""
        return [s.title for s in self.sections if s.title in STAGE_SECTIONS and s.missing]


def _checks_section(checks: list[CheckOutcome], known: bool) -> Section:
    sec = Section("All checks", slug="checks")
    if not known:
        sec.notes.append("The check results of the refresh were not passed to this report.")
        return sec
    failing = sum(c.failing for c in checks)
    sec.notes.append(f"{len(checks)} checks in pipeline order, {failing} failing or not evaluated. Value = the number "
                     "the check judged; limit = what it must meet; over = what the value is computed over.")
    sec.html.append(table_html([c.row() for c in checks], columns=[Column("stage"), *CHECK_COLUMNS]))
    return sec


def build_report(store: Outputs, title: str = "RAG ingestion quality report", subtitle: str = "",
                 inputs: ReportInputs | None = None, report_path: str = "") -> Report:
    """The report of everything stored under ``store`` (see the module docstring)."""
    data = ReportData(store, inputs)
    stages = [build(data) for build in SECTIONS]
    verdict = build_verdict(data)
    figures = headline_figures(data, verdict)
    diff = compare(data.inputs.previous, figures)
    top = verdict_html(verdict, data, changes_short(diff))
    checks = [c for c in data.checks if c.stage != "report"]
    extra = [_checks_section(checks, data.inputs.checks_known),
             Section("Changes since the previous report", slug="changes", html=[changes_html(diff)]),
             Section("Where quality is lost", slug="losses", html=[losses_table(verdict)],
                     notes=[LOSSES_NOTE])]
    sections = [*extra, *stages]
    html = render_report(title, sections, subtitle, top=top, nav_extra=[("verdict", "Verdict")])
    return Report(html, sections, figures, summary_markdown(verdict, data, diff, report_path), diff)
