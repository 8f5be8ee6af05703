#!/usr/bin/env bash
# One command: set up, then run every asset headless on the corpus (default: the sample corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DAGSTER_HOME=${DAGSTER_HOME:-$PWD/.rag_eval/dagster_home}
exec .venv/bin/rag-eval run "$@"
