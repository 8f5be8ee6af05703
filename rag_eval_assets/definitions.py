"""The code location: every stage in ``defs/``, the resources and the executor.

Settings come from the environment (see ``rag_eval_assets.resources.Settings``); nothing else
reads environment variables.
"""

from pathlib import Path

import dagster as dg

from rag_eval_assets.resources import Settings, build_resources


@dg.definitions
def defs() -> dg.Definitions:
    settings = Settings.from_env()
    stages = dg.load_from_defs_folder(path_within_project=Path(__file__).resolve().parent)
    return dg.Definitions.merge(
        stages,
        dg.Definitions(
            resources=build_resources(settings),
            executor=dg.multiprocess_executor.configured({"max_concurrent": settings.max_concurrent}),
        ),
    )
