#!/usr/bin/env bash
# Sets everything up and runs the tests (unit, doctests, builds of ../shared/corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
.venv/bin/python -m pytest "$@"
