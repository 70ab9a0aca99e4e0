"""The hub's warden record server (``hub_config.warden_http``) in a thread of this process, for
tests and bench/broker_query.py: its CPU counts in this process and no hub needs to run."""
from __future__ import annotations

import asyncio
import contextlib
import threading


class WardenThread:
    """``warden_http.serve(warden, sock)`` on its own event loop; ``close()`` stops the server,
    cancels its connections and ends the loop."""

    def __init__(self, warden, sock: str, mode: int = 0o666) -> None:
        from hub_config import warden_http

        self.sock, self.loop = sock, asyncio.new_event_loop()
        ready, server = threading.Event(), []

        def run():
            asyncio.set_event_loop(self.loop)
            server.append(self.loop.run_until_complete(warden_http.serve(warden, sock, mode)))
            self.loop.call_soon(ready.set)
            self.loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True, name="warden")
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"the warden's record server did not start on {sock}")
        self._server = server[0]

    def close(self) -> None:
        if self.loop.is_closed():
            return

        async def shut():
            self._server.close()
            for t in asyncio.all_tasks():
                if t is not asyncio.current_task():
                    t.cancel()
            await asyncio.sleep(0.05)

        asyncio.run_coroutine_threadsafe(shut(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    def __enter__(self) -> "WardenThread":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class JobRunner:
    """The warden's job runner as these tests need it: the job tokens it knows (token ->
    (account, booking)), and a sweep that does nothing."""

    def __init__(self, tokens):
        self.tokens = tokens

    def sweep(self):
        return None


@contextlib.contextmanager
def ann_and_bob_warden(rows, sock_path: str):
    """A warden on ``sock_path`` in a thread: ann booked on C1 (job token ``ann``), bob a
    member of C1 without a booking (job token ``bob``, pointing at ann's booking: the gate
    refuses him).  Yields (warden, its WardenThread)."""
    from hub_config.warden import Warden
    from policies import load_policy

    rows.user("ann")
    rows.user("bob")
    rows.case("C1", ["ann", "bob"])
    b = rows.booking("ann", "C1", -5, 60, kind="overnight")
    w = Warden(rows.db_url, load_policy(), "http://127.0.0.1:9/hub/api", "unused",
               JobRunner({"ann": ("ann", b), "bob": ("bob", b)}))
    with WardenThread(w, sock_path) as t:
        yield w, t
