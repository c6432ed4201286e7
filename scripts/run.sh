#!/usr/bin/env bash
# Install Footnote into .venv (CPU build of torch), then serve the page and API (seeds/ ingested on first start).
# The install is skipped when pyproject.toml and the torch version are what the last install used (the stamp in
# .venv/.footnote-install); FOOTNOTE_REINSTALL=1 forces it. Code changes need no reinstall (editable install).
# Usage: ./scripts/run.sh [footnote serve args, e.g. --port 8000]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
TORCH="torch==${FOOTNOTE_TORCH_VERSION:-2.13.0}"
STAMP=.venv/.footnote-install
WANT="$(sha256sum pyproject.toml | cut -d' ' -f1) $TORCH"
if [ "${FOOTNOTE_REINSTALL:-0}" != 1 ] && [ -x .venv/bin/footnote ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$WANT" ]; then
  echo "== .venv is up to date (pyproject.toml unchanged since the last install)"
else
  echo "== installing footnote into .venv"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q "$TORCH" -e .
  echo "$WANT" >"$STAMP"
fi
exec .venv/bin/footnote serve "$@"
