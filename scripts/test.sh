#!/usr/bin/env bash
# Run the whole test suite (SQLite and PostgreSQL, real slapd, JupyterHub, Chromium),
# installing first whatever is missing.  Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec python3 -m pytest "$@"
