#!/usr/bin/env bash
# Set up .venv (if needed) and run the test suite. Extra arguments go to pytest.
# One pytest-xdist worker per core; tests sharing an expensive session fixture
# are kept on one worker (xdist_group), the rest go wherever a worker is free.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup_env.sh
exec .venv/bin/python -m pytest tests -n auto --dist loadgroup "$@"
