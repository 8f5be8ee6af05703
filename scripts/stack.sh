#!/usr/bin/env bash
# The distributed stack on one machine, from Debian and PyPI packages only:
#   PostgreSQL  the Dagster instance (runs, event log, partitions) every process shares
#   Redis       the Celery broker and result backend
#   moto        an S3-compatible server for RAG_EVAL_STORAGE_ROOT (s3://rag-eval/storage)
#   N workers   Celery workers (`rag_eval_assets.celery_worker`) that execute document runs
#
#   bash scripts/stack.sh start [WORKERS]   start everything (default 2 workers); prints the
#                                           variables to source, also kept in $STACK/env
#   bash scripts/stack.sh stop              stop everything (data kept in $STACK)
#   bash scripts/stack.sh status            what is running
#
# Then: `. $STACK/env && rag-eval run` sends each batch of documents to a worker. On several
# machines the same roles run on their own hosts (docs/scaling.md); here the ports are private
# (RAG_EVAL_STACK_PORT_BASE, default 55400: +32 PostgreSQL, +79 Redis, +50 S3) so the stack
# never collides with a system service. Needs: postgresql and redis-server (Debian; setup.sh
# installs them when root) and the `distributed` extra (setup.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
STACK=${RAG_EVAL_STACK_DIR:-$REPO/.rag_eval/stack}
BASE=${RAG_EVAL_STACK_PORT_BASE:-55400}
PG_PORT=$((BASE + 32)); REDIS_PORT=$((BASE + 79)); S3_PORT=$((BASE + 50))
PY=$REPO/.venv/bin/python
[ -x "$PY" ] || PY=python3
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)

say() { echo "[stack] $*"; }
die() { echo "[stack] error: $*" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
wait_for() {  # wait_for WHAT SECONDS COMMAND...: poll until COMMAND succeeds
  local what=$1 limit=$2; shift 2
  for _ in $(seq 1 $((limit * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  die "$what did not come up within ${limit}s (logs in $STACK)"
}

write_env() {
  cat > "$STACK/env" <<EOF
export DAGSTER_HOME=$STACK/dagster_home
export RAG_EVAL_EXECUTOR=celery
export RAG_EVAL_CELERY_BROKER=redis://127.0.0.1:$REDIS_PORT/0
export RAG_EVAL_CELERY_BACKEND=redis://127.0.0.1:$REDIS_PORT/1
export RAG_EVAL_STORAGE_ROOT=s3://rag-eval/storage
export AWS_ENDPOINT_URL=http://127.0.0.1:$S3_PORT
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
EOF
}

start_postgres() {
  [ -n "$PGBIN" ] || die "PostgreSQL is not installed (apt-get install postgresql)"
  local data=$STACK/pg
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data" "$STACK/pgsock"
    [ "$(id -u)" = "0" ] && chown postgres "$data" "$STACK/pgsock"
    as_pg "$PGBIN/initdb" -D "$data" -U dagster --auth=trust -E UTF8 >"$STACK/pg-init.log" 2>&1 \
      || die "initdb failed: $STACK/pg-init.log"
  fi
  if ! as_pg "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_pg "$PGBIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
      -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $STACK/pgsock" start >/dev/null \
      || die "PostgreSQL did not start: $data/server.log"
  fi
  wait_for PostgreSQL 60 "$PGBIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT"
  "$PGBIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U dagster -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='dagster'" | grep -q 1 \
    || "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U dagster dagster
  say "PostgreSQL on 127.0.0.1:$PG_PORT (database dagster)"
}

start_redis() {
  command -v redis-server >/dev/null || die "Redis is not installed (apt-get install redis-server)"
  alive "$STACK/redis.pid" || redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes \
    --pidfile "$STACK/redis.pid" --logfile "$STACK/redis.log" --dir "$STACK" --save "" --appendonly no
  wait_for Redis 30 redis-cli -p "$REDIS_PORT" ping
  say "Redis on 127.0.0.1:$REDIS_PORT"
}

start_s3() {
  if ! alive "$STACK/s3.pid"; then
    nohup "$PY" -m moto.server -H 127.0.0.1 -p "$S3_PORT" >"$STACK/s3.log" 2>&1 </dev/null &
    echo $! > "$STACK/s3.pid"
  fi
  wait_for "moto S3 server" 60 "$PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$S3_PORT/moto-api/')"
  (. "$STACK/env" && "$PY" -c "import boto3; boto3.client('s3').create_bucket(Bucket='rag-eval')") >/dev/null
  say "S3 (moto) on 127.0.0.1:$S3_PORT, bucket rag-eval"
}

write_instance() {
  mkdir -p "$STACK/dagster_home"
  cat > "$STACK/dagster_home/dagster.yaml" <<EOF
# written by scripts/stack.sh: one instance for the CLI, the daemon and every worker
storage:
  postgres:
    postgres_url: postgresql+psycopg2://dagster@127.0.0.1:$PG_PORT/dagster
run_queue:
  max_concurrent_runs: ${RAG_EVAL_MAX_CONCURRENT_RUNS:-$WORKERS}
telemetry:
  enabled: false
EOF
}

start_workers() {
  for i in $(seq 1 "$WORKERS"); do
    alive "$STACK/worker$i.pid" && continue
    (
      . "$STACK/env"
      export OMP_THREAD_LIMIT=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 DO_NOT_TRACK=1
      nohup "$PY" -m celery -A rag_eval_assets.celery_worker worker -Q dagster --pool solo \
        --prefetch-multiplier 1 -n "w$i@%h" --loglevel INFO >"$STACK/worker$i.log" 2>&1 </dev/null &
      echo $! > "$STACK/worker$i.pid"
    )
  done
  wait_for "$WORKERS Celery workers" 120 worker_count_is "$WORKERS"
  say "$WORKERS Celery workers ready (logs: $STACK/worker*.log)"
}

worker_count_is() {
  local n
  n=$(. "$STACK/env" && "$PY" -m celery -A rag_eval_assets.celery_worker inspect ping --timeout 2 2>/dev/null \
      | grep -c "pong" || true)
  [ "$n" -ge "$1" ]
}

stop_all() {
  for f in "$STACK"/worker*.pid "$STACK/s3.pid"; do
    [ -f "$f" ] || continue
    kill "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  done
  if [ -f "$STACK/redis.pid" ]; then kill "$(cat "$STACK/redis.pid")" 2>/dev/null || true; rm -f "$STACK/redis.pid"; fi
  if [ -n "$PGBIN" ] && [ -f "$STACK/pg/PG_VERSION" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$STACK/pg" -m fast stop >/dev/null 2>&1 || true
  fi
  say "stopped"
}

case "${1:-}" in
  start)
    WORKERS=${2:-2}
    mkdir -p "$STACK"
    write_env
    start_postgres
    start_redis
    start_s3
    write_instance
    start_workers
    say "ready: . $STACK/env && .venv/bin/rag-eval run"
    cat "$STACK/env"
    ;;
  stop) stop_all ;;
  status)
    for f in "$STACK"/*.pid; do [ -f "$f" ] && { alive "$f" && echo "$(basename "$f" .pid): running" || echo "$(basename "$f" .pid): dead"; }; done
    [ -n "$PGBIN" ] && as_pg "$PGBIN/pg_ctl" -D "$STACK/pg" status 2>/dev/null | head -1 || true
    ;;
  *) sed -n 2,20p "$0"; exit 2 ;;
esac
