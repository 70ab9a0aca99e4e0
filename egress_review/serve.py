"""Run the egress-review app on a TCP port and, optionally, a unix socket in one process.

Sessions have no TCP at all, so the internal side also listens on a unix socket that the
sandbox binds in (``hub_config.launch.egress_socket_path``); reviewers reach the same process
over TCP on the internal network.

    python -m egress_review.serve --mode internal --port 8201 --uds /run/enclave/egress/egress.sock
"""
from __future__ import annotations

import argparse
import asyncio
import os
import socket
from pathlib import Path

import uvicorn


def _sockets(host: str, port: int | None, uds: str | None) -> list[socket.socket]:
    socks = []
    if port is not None:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        socks.append(s)
    if uds:
        path = Path(uds)
        path.unlink(missing_ok=True)
        u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        u.bind(str(path))
        os.chmod(path, 0o666)  # every session uid may connect; the API authenticates each call
        socks.append(u)
    return socks


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mode", choices=["all", "internal", "external"], default="all")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int)
    ap.add_argument("--uds", help="also listen on this unix socket")
    ap.add_argument("--hub-api-url", default=os.environ.get("EGRESS_HUB_API_URL"),
                    help="JupyterHub API base used to check session tokens")
    args = ap.parse_args(argv)
    if args.port is None and not args.uds:
        ap.error("give --port, --uds or both")
    from egress_review.api import create_app

    app = create_app(hub_api_url=args.hub_api_url, mode=args.mode)
    server = uvicorn.Server(uvicorn.Config(app, log_level="info"))
    asyncio.run(server.serve(sockets=_sockets(args.host, args.port, args.uds)))


if __name__ == "__main__":
    main()
