"""Running a boundary probe in a real sandbox, as the round tests do: the launcher started on a
spec the test world wrote, the probe's program given on the command line, its answer read from
the line ``RESULT <json>`` of the sandbox's log."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path


def result(log: str) -> dict:
    """The probe's answer: the JSON after the first ``RESULT `` in the log."""
    return json.loads(log.split("RESULT ", 1)[1].splitlines()[0])


def start(world, name: str, case: str, probe: str, mode: str, cfg: dict, limits: dict):
    """(spec, process) of a sandbox of ``case`` running ``probe`` with ``mode`` and ``cfg``."""
    spec = world.spec(name=name, case=case, limits=limits)
    path = world.root / "sandbox" / f"{name}.json"
    path.write_text(json.dumps(spec))
    proc = subprocess.Popen([sys.executable, "-m", "hub_config.sandbox", str(path), "--",
                             sys.executable, "-c", probe, mode, json.dumps(cfg)])
    return spec, proc


def wait_for(path: Path, proc, spec, seconds: float = 120) -> None:
    """Until the probe has made ``path``; fails with the log's tail if it ended or took too long."""
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None and time.monotonic() < deadline, \
            Path(spec["log"]).read_text()[-2000:]
        time.sleep(0.02)
