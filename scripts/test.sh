#!/usr/bin/env bash
# Run the whole test suite (SQLite and PostgreSQL, real slapd, JupyterHub, Chromium),
# installing first whatever is missing.  Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# Two workers, each taking whole test files (module fixtures such as a hub or a Chromium are
# started once per file): most of the suite waits on real services, so two workers on two cores
# cut the time.  ENCLAVE_TEST_WORKERS=0 runs it in one process.
exec python3 -m pytest -n "${ENCLAVE_TEST_WORKERS:-2}" --dist loadfile "$@"
