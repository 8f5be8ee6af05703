#!/usr/bin/env bash
# One command: set up, then run every asset headless on the corpus (default: the sample corpus).
# Extra arguments go to `rag-eval run` (e.g. --all, --strict, --dry-run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DAGSTER_HOME=${DAGSTER_HOME:-$PWD/.rag_eval/dagster_home}
# the real-data parser scorecard reads the public benchmarks when they sit beside the project
if [ -z "${RAG_EVAL_EVALDATA+x}" ] && [ -d ../shared/evaldata ]; then
  export RAG_EVAL_EVALDATA=$(cd ../shared/evaldata && pwd)
fi
exec .venv/bin/rag-eval run "$@"
