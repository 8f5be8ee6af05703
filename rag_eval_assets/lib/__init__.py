"""Plain-Python library (no Dagster import): document model, parsers, metrics, golden sets."""
