"""Rendering of results for people: Markdown tables for Dagster metadata, HTML reports."""

from rag_eval_assets.lib.report.markdown import markdown_table

__all__ = ["markdown_table"]
