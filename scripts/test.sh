#!/usr/bin/env bash
# Install everything (system Chromium for the browser tests, a venv with the CPU build of torch) and run
# the whole suite: ruff, mypy, pytest. Usage: ./scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing Debian's chromium for the browser tests"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi

# axe-core (WCAG checks inside the browser tests), from npm into tests/node_modules (gitignored).
AXE_VERSION=${FOOTNOTE_AXE_VERSION:-4.14.1}
if [ ! -f tests/node_modules/axe-core/axe.min.js ] || ! grep -q "\"version\": \"$AXE_VERSION\"" tests/node_modules/axe-core/package.json; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "== installing Debian's npm for axe-core"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq npm >/dev/null
  fi
  echo "== installing axe-core $AXE_VERSION into tests/node_modules"
  npm install --silent --no-save --no-package-lock --prefix tests "axe-core@$AXE_VERSION"
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
echo "== installing footnote[test] into .venv"
.venv/bin/pip install -q --upgrade pip
# torch pinned to the CPU build first; see the README for other machines.
.venv/bin/pip install -q "torch==${FOOTNOTE_TORCH_VERSION:-2.13.0}" -e '.[test]'

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== pytest"
.venv/bin/python -m pytest -q "$@"
