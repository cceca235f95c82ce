#!/usr/bin/env bash
# The static checks, the same in CI (.ci/run) and before a commit (.pre-commit-config.yaml):
# the data, its quotes, lint, format, types and the import layers. Needs `bash scripts/bootstrap.sh test` first.
set -euo pipefail
cd "$(dirname "$0")/.."
essay=../shared/seeds/000_d3d824ec668cdee1.txt  # the essay is not in the repository (licence)

.venv/bin/kb validate
.venv/bin/kb fmt --check
if [ -f "$essay" ]; then
  .venv/bin/kb quotes verify --source "$essay"
elif [ -n "${CI:-}" ]; then
  echo "check: $essay not found; CI needs it to verify the quotes" >&2; exit 2
else
  echo "check: $essay not found; quotes not verified" >&2
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy  # kb/ and scripts/, configured in pyproject.toml
.venv/bin/lint-imports --no-cache  # the layers of kb/ (contracts in pyproject.toml)
