#!/usr/bin/env bash
# Install Footnote into .venv (CPU build of torch), then serve the page and API (seeds/ ingested on first start).
# Usage: ./scripts/run.sh [footnote serve args, e.g. --port 8000]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
echo "== installing footnote into .venv"
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q "torch==${FOOTNOTE_TORCH_VERSION:-2.13.0}" -e .
exec .venv/bin/footnote serve "$@"
