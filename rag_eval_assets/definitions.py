"""The code location: every stage in ``defs/``, the resources and the executor, built from one
``Settings`` read from the environment (validated first: a bad value is one clear line)."""

import dagster as dg

from rag_eval_assets.resources import build_resources
from rag_eval_assets.settings import Settings


def build_definitions(settings: Settings) -> dg.Definitions:
    """All assets, checks, jobs, sensors, schedules and resources for ``settings``."""
    from rag_eval_assets.defs import (
        automation,
        chunk,
        clean,
        corpus,
        dedup,
        documents,
        embed,
        index,
        parse,
    )
    from rag_eval_assets.defs.online import filters, generation, report, retrieval

    stages = (corpus, parse, clean, dedup, chunk, embed, index, retrieval, filters, generation, report)
    specs = [spec for stage in stages if hasattr(stage, "document_specs") for spec in stage.document_specs(settings)]
    resources = build_resources(settings)
    return dg.Definitions.merge(
        documents.build(settings, specs),
        *(stage.build(settings) for stage in stages),
        automation.build(settings, resources),
        dg.Definitions(resources=resources,
                       executor=dg.multiprocess_executor.configured({"max_concurrent": settings.max_concurrent})),
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(Settings.from_env())
