"""Named points in the write path where a crash test can freeze the service.

With ``EGRESS_FAULT_PAUSE=<point>`` and ``EGRESS_FAULT_FILE=<path>`` in the environment, the
process that reaches that point creates the file and then sleeps, so a test can SIGKILL it at
exactly that moment and check that nothing was lost or half-stored.  Without the variables a
checkpoint does nothing.  Points: ``store.temp_written``, ``submit.blobs_durable``,
``submit.committed``, ``review.before_commit``, ``approve.committed``, ``release.partial``.
"""
from __future__ import annotations

import os
import time


def checkpoint(name: str) -> None:
    if os.environ.get("EGRESS_FAULT_PAUSE") != name:
        return
    marker = os.environ.get("EGRESS_FAULT_FILE")
    if marker:
        with open(marker, "w") as f:
            f.write(f"{os.getpid()} {name}\n")
    while True:  # wait to be killed
        time.sleep(3600)
