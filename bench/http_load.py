"""HTTP load: the control plane and the egress-review service under 50, 100 and 200 concurrent
requests over real HTTP (uvicorn on a loopback port, httpx async client), on SQLite and, when
the server binaries are installed, on a throw-away PostgreSQL.

    python bench/http_load.py [--levels 50 100 200] [--no-postgres] [--tls]

Control plane: n researchers book the same slot at once (3 seats) while n/2 more read their
bookings and the slot overview.  Review service: n requests for request lists, identities, a
missing request and its withdrawal.  Prints requests/s, the ratio to the 50-request level of
the same run, status counts and errors (any 5xx or transport error counts as an error).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import os  # noqa: E402


def _levels(url: str, home: Path, levels: list[int], tls) -> list[dict]:
    import datetime as dt

    from enclave.db import upgrade
    from enclave.web.app import create_app
    from egress_review.api import create_app as create_review_app
    from policies import load_policy
    from policies.loader import POLICY_ROOT
    from tests.control import http_load_kit as K

    upgrade(url)
    policy = load_policy(POLICY_ROOT / "nhi_centre")
    policy = policy.model_copy(update={"sessions": policy.sessions.model_copy(update={"centre_seats": 3})})
    rows = []
    ssl_kw, verify = tls or ({}, True)
    first = 1
    for i, n in enumerate(levels):
        tokens = K.seed_bookers(url, n, prefix=f"l{i}x", first=first)
        # each level its own day, so every level races for three free seats
        day = K.TUE + dt.timedelta(days=7 * i)
        reqs = K.booking_burst("{base}", tokens, day=day, first=first)
        first += n
        with K.serve(create_app(url, policy, clock=lambda: K.T0), **ssl_kw) as base:
            burst = K.burst([(m, u.replace("{base}", base), t, b) for m, u, t, b in reqs], verify=verify)
        rows.append({"service": "control", "n": len(reqs), "burst": burst})
        app = create_review_app(url, store_dir=home / "egress", release_dir=home / "release",
                                recover_on_start=False, mode="all")
        kinds = [("GET", "/api/requests"), ("GET", "/api/me"), ("GET", "/api/requests/999999"),
                 ("POST", "/api/requests/999999/withdraw")]
        with K.serve(app, **ssl_kw) as base:
            burst = K.burst([(m, base + p, t, None) for t, (m, p) in zip(tokens, kinds * n)], verify=verify)
        rows.append({"service": "review", "n": n, "burst": burst})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--levels", type=int, nargs="+", default=[50, 100, 200])
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--tls", action="store_true", help="serve over HTTPS with a throw-away local CA")
    a = ap.parse_args()
    home = Path(tempfile.mkdtemp(prefix="http-load-"))
    os.environ["ENCLAVE_HOME"] = str(home)
    tls = None
    if a.tls:
        from enclave.tls import ensure_certificates

        certs = ensure_certificates(home / "tls", hosts=["127.0.0.1", "localhost"])
        tls = ({"ssl_certfile": str(certs.cert), "ssl_keyfile": str(certs.key)}, str(certs.ca))
    results: dict[str, list[dict]] = {"sqlite": _levels(f"sqlite:///{home}/state.db", home, a.levels, tls)}
    if not a.no_postgres:
        try:
            from tests.services.postgres import PostgresServer, pg_bin

            if pg_bin():
                srv = PostgresServer().start()
                try:
                    results["postgresql"] = _levels(srv.create_database(), home, a.levels, tls)
                finally:
                    srv.stop()
        except Exception as e:  # PostgreSQL is optional here
            print(f"postgresql skipped: {e}")
    total_errors = 0
    for backend, rows in results.items():
        base = {r["service"]: r["burst"].rate for r in rows if r is rows[0] or r is rows[1]}
        for r in rows:
            b = r["burst"]
            errs = b.server_errors
            total_errors += errs
            print(f"{backend:<10} {r['service']:<8} {r['n']:>4} concurrent: {b.rate:7.1f} req/s "
                  f"(x{b.rate / base[r['service']]:.2f} vs first level)  errors {errs}  "
                  f"statuses {dict(sorted(b.statuses.items()))}")
            for e in b.errors[:3]:
                print(f"    {e}")
    print(f"total errors: {total_errors}")
    sys.exit(1 if total_errors else 0)


if __name__ == "__main__":
    main()
