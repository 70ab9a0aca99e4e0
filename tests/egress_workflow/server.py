"""Run the real egress-review service (uvicorn) in a subprocess on a free loopback port."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


from enclave.core.http import Client, WireError
from tests.services.net import free_port


class Service:
    def __init__(self, home: Path, db_url: str, *, env: dict[str, str] | None = None,
                 uds: Path | None = None) -> None:
        self.home = home
        self.db_url = db_url
        self.extra_env = env or {}
        self.uds = uds  # listen on this unix socket instead of TCP (as for sessions)
        # The listening socket is bound here and held for the Service's life, and each start
        # hands it to uvicorn (--fd): a port found free and released could be taken by another
        # test worker's service, and this test would then talk to that one.
        self._listener = None
        if uds is None:
            self._listener = socket.socket()
            self._listener.bind(("127.0.0.1", 0))
            self._listener.listen(128)
        self.port = self._listener.getsockname()[1] if self._listener else free_port()
        self.proc: subprocess.Popen | None = None
        self.log = home / f"uvicorn-{self.port}.log"

    @property
    def url(self) -> str:
        if self.uds is not None:
            from urllib.parse import quote

            return f"http+unix://{quote(str(self.uds), safe='')}"
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> "Service":
        env = {k: v for k, v in os.environ.items() if not k.startswith("EGRESS_FAULT_")}
        from enclave.settings import get_settings

        # one enclave, one master key: the service seals the audit chain the test process began
        env.update(ENCLAVE_HOME=str(self.home), ENCLAVE_DB_URL=self.db_url,
                   ENCLAVE_KEYS=str(get_settings().keys_dir), **self.extra_env)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "egress_review.api:create_app",
             *(["--uds", str(self.uds)] if self.uds else ["--fd", str(self._listener.fileno())]),
             "--no-access-log"],
            env=env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
            pass_fds=(self._listener.fileno(),) if self._listener else ())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"service exited with {self.proc.returncode}: {self.log.read_text()[-3000:]}")
            try:
                with Client(self.url, timeout=2) as c:
                    if c.get("/api/health").status_code == 200:
                        return self
            except WireError:
                pass
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"service did not come up: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no clean-up code runs, like a power cut for the process."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
