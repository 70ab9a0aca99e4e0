#!/usr/bin/env bash
# Run the whole test suite (SQLite and PostgreSQL, real slapd, JupyterHub, Chromium),
# installing first whatever is missing.  Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# Three workers, each taking whole test files (module fixtures such as a hub or a Chromium are
# started once per file): much of the suite waits on real services (slot ends, containers, a
# browser), so a third worker on two cores fills those waits (measured: 15.5 min against 17.6 on
# two).  Files start longest first, in the order tests/schedule.py gives the collection
# (--no-loadscope-reorder: xdist's own order, by number of tests, left the long single-test files
# for the end).  ENCLAVE_TEST_WORKERS=0 runs it in one process.
exec python3 -m pytest -n "${ENCLAVE_TEST_WORKERS:-3}" --dist loadfile --no-loadscope-reorder "$@"
