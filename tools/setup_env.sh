#!/usr/bin/env bash
# Create or update the project's environment in .venv/ at the repository root.
# Re-running is cheap: nothing is installed while the pinned requirements are
# unchanged since the last successful install.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    echo "[setup] creating .venv with $($PYTHON --version 2>&1)"
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.snps3-requirements.sha256
want=$(cat requirements/runtime.txt requirements/tests.txt setup.cfg setup.py \
       | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    echo "[setup] .venv is up to date"
else
    echo "[setup] installing pinned requirements into .venv (first time: a few minutes)"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -r requirements/runtime.txt -r requirements/tests.txt
    .venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
    echo "$want" > "$stamp"
    echo "[setup] done"
fi
# yapf (imported by mmengine) and matplotlib write caches under ~/.cache on
# first import. Build them here, in one process, so that parallel test workers
# or distributed ranks never read a cache another process is half-way writing
# (on a clean HOME that fails with "EOFError: Ran out of input").
.venv/bin/python -c "import yapf, matplotlib.pyplot"
