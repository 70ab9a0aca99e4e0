#!/bin/sh
# One front end per container: control | review | release | hub (enclave serve), once the
# init container has prepared the shared volumes.
set -eu
i=0
until [ -e /var/lib/enclave/.initialised ]; do
  i=$((i + 1)); [ "$i" -le 900 ] || { echo "init did not finish" >&2; exit 1; }
  sleep 1
done
exec enclave serve "$1" --host 0.0.0.0
