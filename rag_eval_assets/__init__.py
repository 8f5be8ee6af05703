"""rag_eval_assets: stage-by-stage quality measurement of a RAG ingestion pipeline on Dagster."""

__version__ = "0.1.0"
