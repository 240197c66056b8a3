#!/usr/bin/env bash
# Builds the wheel, installs it in a fresh venv outside the checkout and runs kg from there:
# what `pip install wenxian-kg` gives a user (the queries, the ontology and the data files
# ship inside the package).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip wheel --quiet --no-deps --wheel-dir "$work/dist" .
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$work"/dist/wenxian_kg-*.whl
cd "$work"  # nothing of the checkout on the path
kg="$work/venv/bin/kg"
"$kg" build "$root/examples" --out "$work/out" --quiet
"$kg" query --list | grep -q "most-cited"
"$kg" query most-cited --param from=1900 --param to=2100 --out "$work/out" --format csv | grep -q "citingDocuments"
"$kg" validate --out "$work/out"
echo "the installed wheel builds, queries and validates the examples"
