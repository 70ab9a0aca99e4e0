#!/bin/sh
# One-shot: wait for the state database, then prepare everything the services need on the
# shared volumes (schema, master key, TLS certificates; with ENCLAVE_DEMO=1 also the synthetic
# data set, the demo case and its extract, as `enclave up` does) and exit.
set -eu
READY=/var/lib/enclave/.initialised
rm -f "$READY"
python3 - <<'PY'
import os, time
import psycopg
url = os.environ["ENCLAVE_DB_URL"].replace("postgresql+psycopg://", "postgresql://")
for _ in range(120):
    try:
        psycopg.connect(url, connect_timeout=2).close()
        break
    except psycopg.OperationalError:
        time.sleep(1)
else:
    raise SystemExit("state database not reachable")
PY
if [ "${ENCLAVE_DEMO:-0}" = 1 ]; then
  enclave up --no-serve --json --rows "${ENCLAVE_DEMO_ROWS:-3000}" --host 0.0.0.0
  touch "$READY"
  exit 0
fi
enclave db upgrade
python3 - <<'PY'
from deidentify.keys import create_master_key
from enclave.cli.up import tls_hosts
from enclave.settings import get_settings
from enclave.tls import ensure_certificates
key = get_settings().keys_dir / "master.key"
if not key.exists():
    create_master_key(key)
print("certificates:", ensure_certificates(hosts=tls_hosts("0.0.0.0")).cert)
PY
touch "$READY"
