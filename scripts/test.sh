#!/usr/bin/env bash
# Set up a virtual environment with the test extras, then lint and run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
.venv/bin/ruff check src tests benchmarks
.venv/bin/python -m pytest -q "$@"
