#!/usr/bin/env bash
# Lint and format check in one command; `--fix` rewrites files in place.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
if [ "${1:-}" = "--fix" ]; then
    "$BIN/ruff" check --fix .
    "$BIN/yapf" -i -r -p snps3 tools tests demo configs
else
    "$BIN/ruff" check .
    "$BIN/yapf" --diff -r -p snps3 tools tests demo configs
fi
