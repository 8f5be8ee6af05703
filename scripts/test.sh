#!/usr/bin/env bash
# One command: set up, then run the whole test suite (2 workers): what CI runs.
#   bash scripts/test.sh            everything (~10 min on 2 cores)
#   bash scripts/test.sh --fast     the inner loop: unit tests only, no Dagster runs, no evaldata (~2 min)
# Any other arguments go to pytest (e.g. -k sensor, tests/test_lib_core.py).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export OMP_THREAD_LIMIT=1 DO_NOT_TRACK=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
if [ "${1:-}" = "--fast" ]; then
  shift
  exec .venv/bin/python -m pytest -n 2 --dist loadfile -q -rs -m "not slow and not evaldata" "$@"
fi
exec .venv/bin/python -m pytest -n 2 --dist loadfile -q -rs "$@"
