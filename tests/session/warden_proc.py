"""The hub's warden record endpoint alone, in a process of its own, for tests that kill it:
``python -m tests.session.warden_proc DB_URL SOCKET USER BOOKING`` serves records for
``Authorization: job tok`` as USER's overnight job of BOOKING (a job token needs no hub).
Settings (ENCLAVE_HOME, keys, journal) come from the environment, as the hub hands them."""
from __future__ import annotations

import asyncio
import sys


class _Runner:
    def __init__(self, user: str, booking: int) -> None:
        self.tokens = {"tok": (user, booking)}

    def sweep(self) -> None:
        return None


async def _main(db_url: str, sock: str, user: str, booking: int) -> None:
    from hub_config import warden_http
    from hub_config.warden import Warden
    from policies import load_policy

    w = Warden(db_url, load_policy(), "http://127.0.0.1:9/hub/api", "unused",
               _Runner(user, booking))
    await warden_http.serve(w, sock)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(_main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
