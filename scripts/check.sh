#!/usr/bin/env bash
# The whole test suite: lint, format, types, tests. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PYTHONDONTWRITEBYTECODE=1
echo "==> ruff check";  .venv/bin/ruff check src tests benchmarks scripts
echo "==> ruff format"; .venv/bin/ruff format --check src tests benchmarks scripts
echo "==> mypy";        .venv/bin/mypy
echo "==> pytest"
.venv/bin/python -m pytest -n "${BLUEZONES_TEST_WORKERS:-2}" --doctest-modules src tests "$@"
