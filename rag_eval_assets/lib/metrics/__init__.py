"""Quality metrics: small pure functions named after what they measure, no Dagster import.

- ``text``: CER / WER (jiwer), order-free WER / CER, extraction completeness, heading order.
- ``tables``: TEDS / TEDS-S equal to PubTabNet's reference implementation, much faster.

Argument order is fixed across the library: ``(reference, hypothesis)``; ``tables.teds`` keeps
PubTabNet's ``(pred, true)`` (the score is symmetric). Submodules are imported explicitly, so
importing this package stays cheap.
"""
