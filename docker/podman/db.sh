#!/bin/sh
# The state database: Debian's PostgreSQL 15, initialised on first start.
set -eu
PGBIN=/usr/lib/postgresql/15/bin
PGDATA=/var/lib/postgresql/data
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  install -d -o postgres -g postgres -m 700 "$PGDATA"
  su postgres -s /bin/sh -c "$PGBIN/initdb -D $PGDATA -U postgres --encoding=UTF8 --locale=C.UTF-8 --auth-local=peer --auth-host=scram-sha-256" >/dev/null
  echo "host enclave enclave samenet scram-sha-256" >> "$PGDATA/pg_hba.conf"
  pw=$(printf "%s" "$POSTGRES_PASSWORD" | sed "s/'/''/g")
  su postgres -s /bin/sh -c "$PGBIN/postgres --single -D $PGDATA postgres" >/dev/null <<SQL
CREATE ROLE enclave LOGIN PASSWORD '$pw';
CREATE DATABASE enclave OWNER enclave;
SQL
fi
install -d -o postgres -g postgres -m 2775 /var/run/postgresql
exec su postgres -s /bin/sh -c "exec $PGBIN/postgres -D $PGDATA -c listen_addresses='*'"
