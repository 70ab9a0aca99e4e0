#!/usr/bin/env bash
# Bring the enclave up with working defaults: SQLite state DB, a synthetic data set loaded
# into the warehouse, a demo project with its extract, the hub and the web services.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export ENCLAVE_HOME="${ENCLAVE_HOME:-$PWD/var}"
export ENCLAVE_POLICY="${ENCLAVE_POLICY:-$PWD/policies/demo}"
exec enclave up "$@"
