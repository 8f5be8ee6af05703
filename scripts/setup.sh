#!/usr/bin/env bash
# Set up a fresh machine for rag_eval_assets: Debian packages (when root), a venv in .venv,
# CPU torch first (so nothing pulls a multi-GB CUDA build), then the package with dev extras.
# Idempotent: a second call only re-installs when pyproject.toml or constraints.txt changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3

# Debian packages used by the OCR parsers, the HTML-report test and the distributed stack
# (PostgreSQL, Redis: scripts/stack.sh); skipped when not root.
DEB_PKGS="tesseract-ocr tesseract-ocr-eng libtesseract-dev libleptonica-dev pkg-config chromium postgresql redis-server"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  missing=""
  for p in $DEB_PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  if [ -n "$missing" ]; then
    echo "[setup] apt-get install$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  fi
else
  echo "[setup] not root: skipping Debian packages ($DEB_PKGS); OCR tests will skip if tesseract is absent"
fi

[ -x .venv/bin/python ] || "$PY" -m venv .venv
. .venv/bin/activate
stamp=.venv/.rag_eval_installed
want=$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  python -m pip install -q --upgrade pip
  # CPU torch first, from the wheel on disk; constraints.txt keeps it there.
  python -m pip install -q -c constraints.txt "torch==2.13.0"
  python -m pip install -q -c constraints.txt -e ".[dev,distributed]"
  # unstructured imports unstructured-inference's pure-Python PDF helpers; its declared deps
  # (timm -> torchvision, transformers) are not needed offline and would break CPU torch.
  python -m pip install -q --no-deps "unstructured-inference==1.6.14"
  echo "$want" > "$stamp"
  echo "[setup] installed into .venv"
else
  echo "[setup] .venv up to date"
fi
