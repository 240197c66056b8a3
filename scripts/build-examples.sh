#!/usr/bin/env bash
# Sets everything up and builds the example corpus into output/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/kg build examples --out output "$@"
