"""Quality metrics: small pure functions named after what they measure, no Dagster import.

- ``text``: CER / WER (jiwer), order-free WER / CER, extraction completeness, heading order.
- ``tables``: TEDS / TEDS-S equal to PubTabNet's reference implementation, much faster.
- ``boilerplate``: n-gram precision/recall/F1 of kept text (AEB's scorer).
- ``language``: per-language precision/recall/F1, macro-F1.
- ``pii``: span-level (presidio-research IoU rule) and token-level precision/recall/F-beta.
- ``dedup``: pair precision/recall, false-merge and missed-merge rates, threshold sweep.

Argument order is fixed across the library: ``(reference, hypothesis)``; ``tables.teds`` keeps
PubTabNet's ``(pred, true)`` (the score is symmetric). Submodules are imported explicitly, so
importing this package stays cheap.
"""
