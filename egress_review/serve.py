"""Run the egress-review app on a TCP port and, optionally, the sessions' unix socket.

Sessions have no TCP at all, so the process also listens on a unix socket that the sandbox
binds in (``hub_config.launch.egress_socket_path``).  That socket serves a different, smaller
app (``egress_review.api.session_app``): submission and the session's own requests only -
never the reviewer pages, reviewer API or log-in.  Reviewers reach the ``--mode`` app over
TCP on the internal network.

    python -m egress_review.serve --mode internal --port 8201 --uds /run/enclave/egress/egress.sock

Where sessions have a network of their own (Kubernetes: a pod per session, reaching the
submission service by a NetworkPolicy), ``--mode session`` serves that same session app on TCP
(HTTPS with a certificate) and nothing else:

    python -m egress_review.serve --mode session --port 8202 --ssl-certfile … --ssl-keyfile …
"""
from __future__ import annotations

import argparse
import asyncio
import os
import socket
from pathlib import Path

import uvicorn


def _tcp(host: str, port: int) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    return s


def _unix(uds: str) -> socket.socket:
    path = Path(uds)
    path.unlink(missing_ok=True)
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    u.bind(str(path))
    os.chmod(path, 0o666)  # every session uid may connect; the API authenticates each call
    return u


async def _serve_all(servers: list[tuple[uvicorn.Server, list[socket.socket]]]) -> None:
    async def stop_together() -> None:  # a signal reaches one server: stop them all
        while not any(s.should_exit for s, _ in servers):
            await asyncio.sleep(0.2)
        for s, _ in servers:
            s.should_exit = True
    watcher = asyncio.create_task(stop_together())
    try:
        await asyncio.gather(*(s.serve(sockets=socks) for s, socks in servers))
    finally:
        watcher.cancel()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", choices=["all", "internal", "external", "session"], default="all",
                    help="which app the TCP port serves; session: the session-facing app only")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int)
    ap.add_argument("--uds", help="the sessions' unix socket (session-facing app only)")
    ap.add_argument("--hub-api-url", default=os.environ.get("EGRESS_HUB_API_URL"),
                    help="JupyterHub API base used to check session tokens")
    ap.add_argument("--ssl-certfile", help="PEM certificate: the TCP port serves HTTPS only "
                                           "(the unix socket stays plain HTTP, inside the host)")
    ap.add_argument("--ssl-keyfile", help="its PEM private key")
    args = ap.parse_args(argv)
    if bool(args.ssl_certfile) != bool(args.ssl_keyfile):
        ap.error("give --ssl-certfile and --ssl-keyfile together")
    if args.port is None and not args.uds:
        ap.error("give --port, --uds or both")
    from egress_review.api import create_app
    from egress_review.api.session_app import create_session_app

    servers = []
    if args.mode == "session" and not args.hub_api_url:
        ap.error("--mode session checks hub tokens: give --hub-api-url")
    if args.port is not None:
        app = (create_session_app(hub_api_url=args.hub_api_url) if args.mode == "session"
               else create_app(hub_api_url=args.hub_api_url, mode=args.mode))
        servers.append((uvicorn.Server(uvicorn.Config(app, log_level="info", ssl_certfile=args.ssl_certfile,
                                                      ssl_keyfile=args.ssl_keyfile)),
                        [_tcp(args.host, args.port)]))
    if args.uds:
        session_app = create_session_app(hub_api_url=args.hub_api_url)
        servers.append((uvicorn.Server(uvicorn.Config(session_app, log_level="info")),
                        [_unix(args.uds)]))
    asyncio.run(_serve_all(servers))


if __name__ == "__main__":
    main()
