"""The Celery app of rag-eval's workers (``RAG_EVAL_EXECUTOR=celery``)::

    celery -A rag_eval_assets.celery_worker worker -Q dagster --concurrency 1 --prefetch-multiplier 1

It is dagster-celery's own app (``dagster_celery.app``) pointed at ``RAG_EVAL_CELERY_BROKER``
and ``RAG_EVAL_CELERY_BACKEND`` (read here, at the worker's start: the one module that reads
the environment at import time, because Celery imports it to find the app). Each task executes
one step of a run that some other process started; the worker loads the job from the pointer in
the task (``rag_eval_assets.distributed.document_stages_job``) and reports its events to the
Dagster instance of ``DAGSTER_HOME`` (PostgreSQL when the workers are on other machines).
"""

from dagster_celery.tasks import create_task

from rag_eval_assets.distributed import celery_app
from rag_eval_assets.settings import Settings

app = celery_app(Settings.from_env(validate=False))
execute_plan = create_task(app)
