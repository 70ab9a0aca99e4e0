"""The hub's proxy hands every request with a body to a unix-socket session server intact.

Stock configurable-http-proxy opens a fresh connection per request to a unix-socket target and
asks the server to close it; the server answers and closes while node may still be flushing,
and node turns that into EPIPE and a 503 - about one request in ten here.  The proxy command
the hub runs (``UnixSocketProxy``) loads ``chp_unix_keepalive.mjs`` to keep those connections
alive.  Real CHP, real tornado server on a unix socket, real HTTP; no hub needed.
"""
from __future__ import annotations

import collections
import os
import shutil
import subprocess
import sys
import time
import urllib.parse

import httpx
import pytest

from hub_config.launch import free_port
from hub_config.proxy import KEEPALIVE_PATCH, UnixSocketProxy

pytestmark = pytest.mark.skipif(shutil.which("configurable-http-proxy") is None,
                                reason="configurable-http-proxy (npm) is not installed")

SERVER = r'''
import asyncio, sys
from tornado import httpserver, netutil, web

class Refuse(web.RequestHandler):
    def check_xsrf_cookie(self):
        pass
    def prepare(self):  # answers at once, like the session guard refusing a write
        self.set_status(403)
        self.finish("refused\n")

class Echo(web.RequestHandler):
    def check_xsrf_cookie(self):
        pass
    def post(self):
        self.finish(self.request.body)

async def main():
    server = httpserver.HTTPServer(web.Application([(r"/echo", Echo), (r".*", Refuse)]))
    server.add_socket(netutil.bind_unix_socket(sys.argv[1]))
    print("ready", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
'''


def _proxy_command() -> list[str]:
    cmd = UnixSocketProxy()._tethered_command()
    return cmd[3:] if cmd[:1] and cmd[0].endswith("setpriv") else cmd


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    d = tmp_path_factory.mktemp("chp")
    sock = d / "s.sock"
    srv = subprocess.Popen([sys.executable, "-c", SERVER, str(sock)], stdout=subprocess.PIPE,
                           text=True)
    assert srv.stdout.readline().strip() == "ready"
    port, api = free_port(), free_port()
    target = "http+unix://" + urllib.parse.quote(str(sock), safe="")
    log = (d / "chp.log").open("w")
    chp = subprocess.Popen([*_proxy_command(), "--ip", "127.0.0.1", "--port", str(port),
                            "--api-ip", "127.0.0.1", "--api-port", str(api),
                            "--default-target", target],
                           stdout=log, stderr=subprocess.STDOUT,
                           env={**os.environ, "CONFIGPROXY_AUTH_TOKEN": "t"})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/x", timeout=2)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    yield url, d / "chp.log"
    chp.terminate()
    srv.terminate()
    chp.wait(10)
    srv.wait(10)


def test_the_hubs_proxy_command_loads_the_keepalive_patch():
    cmd = _proxy_command()
    assert "--import" in cmd and cmd[cmd.index("--import") + 1] == KEEPALIVE_PATCH.as_uri()
    assert KEEPALIVE_PATCH.is_file()


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/api/contents", {"copy_from": "q.csv"}),
    ("PUT", "/api/contents/up.csv", {"type": "file", "format": "text", "content": "a,b\n" * 50}),
    ("GET", "/api/contents/result.csv", {"type": "file"}),
    ("POST", "/lab/api/extensions", {"cmd": "install", "extension_name": "x"}),
    ("PATCH", "/api/contents/q.txt", {"path": "renamed.py"}),
    ("DELETE", "/api/sessions/x", {"x": 1}),
])
def test_requests_with_a_body_are_answered_by_the_server_not_the_proxy(proxied, method, path,
                                                                      body):
    url, log = proxied
    seen = collections.Counter()
    with httpx.Client(base_url=url, timeout=30) as c:
        for i in range(250):
            r = c.request(method, path, json={**body, "n": "x" * (i % 50)})
            seen[r.status_code] += 1
    assert seen == {403: 250}, (seen, log.read_text()[-2000:])


def test_bodies_arrive_whole_on_a_reused_connection(proxied):
    url, _ = proxied
    with httpx.Client(base_url=url, timeout=30) as c:
        for size in (0, 1, 1000, 70_000, 5, 2_000_000, 3):
            payload = bytes((i * 7 + size) % 256 for i in range(size))
            r = c.post("/echo", content=payload)
            assert r.status_code == 200 and r.content == payload, size
