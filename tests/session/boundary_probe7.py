"""Round 7 of the sandbox probe, run INSIDE a sandbox by ``test_boundary_round7.py`` (one
self-contained script: the sandbox sees no test package).  x86_64 numbers.

``recv`` (case c1) and ``send`` (case c2) run at once: ``recv`` waits on the first page of a
shared read-only file in every futex form that waits (or requeues a waiter there), ``send``
wakes it in every form that wakes, then both run a timed channel over it.  ``ordinary``: the
process-shared waits a session needs (multiprocessing, concurrent.futures, a process-shared
pthread mutex on its own shared memory and files, DuckDB threads) and a timed workload.
``race``: remaps a waiting address between anonymous memory and a shared file's page while
waiting.  ``mapped``: files held by mappings after close(), and the ordinary mappings (a heavy
import, numpy memmaps, DuckDB on a file).  Each writes ``RESULT <json>`` to its log.
"""
from __future__ import annotations

import ctypes
import errno
import json
import mmap
import os
import sys
import threading
import time

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                       ctypes.c_int, ctypes.c_long]
FUTEX, FUTEX_WAITV = 202, 449
WAIT, WAKE, REQUEUE, CMP_REQUEUE, WAKE_OP = 0, 1, 3, 4, 5
LOCK_PI, UNLOCK_PI, TRYLOCK_PI, WAIT_BITSET, WAKE_BITSET = 6, 7, 8, 9, 10
WAIT_REQUEUE_PI, CMP_REQUEUE_PI, LOCK_PI2 = 11, 12, 13
PRIVATE, CLOCK_RT = 128, 256
ALL_BITS = 0xFFFFFFFF
FUTEX2_U32, FUTEX2_PRIVATE = 2, 128
# what recv tries (each in a thread of its own): op, second address is the file's page
WAITS = {"wait": (WAIT, False), "wait_bitset": (WAIT_BITSET, False),
         "wait_bitset_realtime": (WAIT_BITSET | CLOCK_RT, False),
         "lock_pi": (LOCK_PI, False), "lock_pi2": (LOCK_PI2, False),
         "trylock_pi": (TRYLOCK_PI, False),
         "wait_requeue_pi_to_file": (WAIT_REQUEUE_PI, True)}
# what send tries: op, second address is the file's page
WAKES = {"wake": (WAKE, False), "wake_bitset": (WAKE_BITSET, False),
         "wake_op_second_file": (WAKE_OP, True), "requeue_to_file": (REQUEUE, True),
         "cmp_requeue_to_file": (CMP_REQUEUE, True),
         "cmp_requeue_pi_to_file": (CMP_REQUEUE_PI, True)}
NEW_FUTEX_CALLS = {"futex_wake": 454, "futex_wait": 455, "futex_requeue": 456}


def errname(e: int) -> str:
    return errno.errorcode.get(e, str(e))


def map_file(path: str, shared: bool = False) -> int:
    """The first page of ``path`` mapped (read-only private as every program maps its
    libraries; ``shared``: read-write shared, for the session's own files)."""
    fd = os.open(path, os.O_RDWR if shared else os.O_RDONLY)
    try:
        return _libc.mmap(None, 4096, 3 if shared else 1, 1 if shared else 2, fd, 0)
    finally:
        os.close(fd)


def anon(shared: bool) -> int:
    return _libc.mmap(None, 4096, 3, (1 if shared else 2) | 0x20, -1, 0)


def futex(addr: int, op: int, val: int = 0, timeout=None, addr2: int = 0, val3: int = 0):
    res = _libc.syscall(ctypes.c_long(FUTEX), ctypes.c_void_p(addr), ctypes.c_long(op),
                        ctypes.c_long(val), timeout, ctypes.c_void_p(addr2),
                        ctypes.c_long(val3))
    return res if res >= 0 else errname(ctypes.get_errno())


def rel(seconds: float):
    return ctypes.byref((ctypes.c_long * 2)(int(seconds), int(seconds % 1 * 1e9)))


def absolute(seconds: float, clock: int):
    now = time.clock_gettime(clock) + seconds
    return ctypes.byref((ctypes.c_long * 2)(int(now), int(now % 1 * 1e9)))


def word(addr: int) -> int:
    return ctypes.c_uint32.from_address(addr).value


def wait_for(path: str, limit: float = 120) -> None:
    end = time.monotonic() + limit
    while not os.path.exists(path):
        if time.monotonic() > end:
            raise SystemExit(f"no {path}")
        time.sleep(0.02)


def one_wait(name: str, page: int, scratch: int, out: dict) -> None:
    op, second = WAITS[name]
    val = word(page)
    if op & 0x7F in (LOCK_PI, LOCK_PI2, TRYLOCK_PI, UNLOCK_PI):
        out[name] = futex(page, op, 0, rel(20) if op != LOCK_PI else absolute(
            20, time.CLOCK_REALTIME))
    elif op == WAIT_REQUEUE_PI:  # waits on its own word, to be requeued onto the file's page
        out[name] = futex(scratch, op, word(scratch), absolute(20, time.CLOCK_MONOTONIC),
                          page)
    elif op & 0x7F == WAIT_BITSET:
        clock = time.CLOCK_REALTIME if op & CLOCK_RT else time.CLOCK_MONOTONIC
        out[name] = futex(page, op, val, absolute(20, clock), 0, ALL_BITS)
    else:
        out[name] = futex(page, op, val, rel(20))
    out[name] = "woken" if out[name] == 0 else out[name]


def waitv(page: int, private: bool):
    entry = (ctypes.c_uint64 * 3)(word(page), page,
                                  FUTEX2_U32 | (FUTEX2_PRIVATE if private else 0))
    res = _libc.syscall(ctypes.c_long(FUTEX_WAITV), entry, ctypes.c_long(1), ctypes.c_long(0),
                        absolute(0.05, time.CLOCK_MONOTONIC), ctypes.c_long(1))
    return "woken" if res >= 0 else errname(ctypes.get_errno())


def eventfd_top(n: int = 100) -> int:
    """The highest eventfd id of ``n`` new eventfds: ids come from one machine-wide allocator
    (lowest free first), so the top moves with every eventfd another session holds."""
    fds = [os.eventfd(0) for _ in range(n)]
    try:
        ids = []
        for fd in fds:
            with open(f"/proc/self/fdinfo/{fd}") as f:
                ids += [int(line.split()[1]) for line in f if line.startswith("eventfd-id:")]
        return max(ids) if ids else -1
    finally:
        for fd in fds:
            os.close(fd)


def new_autogroup() -> int | str:
    """The id of the scheduler autogroup a new session (setsid) gets: one machine-wide count
    of every setsid since boot."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            with open("/proc/self/autogroup") as f:
                text = f.read()
            os.write(w, text.split()[0].rsplit("-", 1)[1].encode())
        except OSError as e:
            os.write(w, errname(e.errno).encode())
        os._exit(0)
    os.close(w)
    got = os.read(r, 64).decode()
    os.close(r)
    os.waitpid(pid, 0)
    return int(got) if got.isdigit() else got


def setsids(n: int) -> None:
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            os.setsid()
            os._exit(0)
        os.waitpid(pid, 0)


def recv(cfg: dict) -> dict:
    out: dict = {"eventfd_top_before": eventfd_top(), "autogroup_before": new_autogroup()}
    page = map_file(cfg["file"])
    threads = []
    for name in WAITS:
        scratch = anon(True)
        t = threading.Thread(target=one_wait, args=(name, page, scratch, out))
        t.start()
        threads.append(t)
    # a waiter on its own shared word, requeued by this session onto the file's page
    own = anon(True)
    t = threading.Thread(target=lambda: out.__setitem__(
        "own_word_wait", futex(own, WAIT, 0, rel(20))))
    t.start()
    threads.append(t)
    time.sleep(0.3)
    out["requeue_own_waiter_to_file"] = futex(own, CMP_REQUEUE, 0, ctypes.c_void_p(1 << 30),
                                              page, 0)
    out["waitv_shared"] = waitv(page, False)
    out["waitv_private"] = waitv(page, True)  # a private key: the process's own
    open(f"/workspace/{cfg['flag']}.ready", "w").close()
    wait_for(f"/workspace/{cfg['flag']}.go")
    out["eventfd_top_after"] = eventfd_top()  # the sender holds its eventfds now
    out["autogroup_after"] = new_autogroup()  # and made its new sessions
    futex(own, WAKE, 1)
    for t in threads:
        t.join(30)
    # the timed channel: one wait per slot, woken or not
    slots, slot = int(cfg["slots"]), float(cfg["slot_s"])
    got = []
    open(f"/workspace/{cfg['flag']}.channel", "w").close()
    for _ in range(slots):
        r = futex(page, WAIT, word(page), rel(slot))
        got.append("woken" if r == 0 else r)
    out["channel"] = {k: got.count(k) for k in set(got)}
    return out


def send(cfg: dict) -> dict:
    out: dict = {}
    held = [os.eventfd(0) for _ in range(int(cfg.get("eventfds", 0)))]  # until it ends
    out["eventfds_held"] = len(held)
    setsids(int(cfg.get("setsids", 0)))
    out["setsids"] = int(cfg.get("setsids", 0))
    page = map_file(cfg["file"])
    own = anon(True)
    for name, (op, second) in WAKES.items():
        first, other = (own, page) if second else (page, 0)
        out[name] = futex(first, op, 1 << 30, ctypes.c_void_p(1 << 30), other,
                          ALL_BITS if op == WAKE_BITSET else 0)
    out["wake_private"] = futex(page, WAKE | PRIVATE, 1 << 30)
    for name, nr in NEW_FUTEX_CALLS.items():
        res = _libc.syscall(ctypes.c_long(nr), ctypes.c_void_p(page), ctypes.c_long(1),
                            ctypes.c_long(0), ctypes.c_long(2))
        out[name] = res if res >= 0 else errname(ctypes.get_errno())

    def exit_waking() -> None:  # the kernel wakes clear_child_tid as the thread exits
        out["set_tid_address"] = _libc.syscall(ctypes.c_long(218), ctypes.c_void_p(page))

    t = threading.Thread(target=exit_waking)
    t.start()
    t.join()
    open(f"/workspace/{cfg['flag']}.woke", "w").close()
    # the timed channel: wake in every other slot (the receiver counts what woke it)
    wait_for(cfg["channel_flag"])
    slots, slot = int(cfg["slots"]), float(cfg["slot_s"])
    counts = []
    start = time.monotonic()
    for i in range(slots):
        if i % 2 == 0:
            counts.append(futex(page, WAKE, 1 << 30))
        pause = start + (i + 1) * slot - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    out["channel_woke"] = sum(c for c in counts if isinstance(c, int))
    out["channel_errors"] = sorted({c for c in counts if not isinstance(c, int)})
    return out


# ------------------------------------------------------------------ the ordinary counterparts
def _bump(args):
    lock, queue, n = args
    for _ in range(n):
        with lock:
            pass
    queue.put(n)
    return n


_shared = {}


def _init(lock, queue):
    _shared["lock"], _shared["queue"] = lock, queue


def _task(n: int) -> int:
    return _bump((_shared["lock"], _shared["queue"], n))


def pool_with_lock_and_queue(tasks: int, n: int) -> list:
    import multiprocessing as mp

    lock, queue = mp.Lock(), mp.Queue()
    with mp.Pool(2, initializer=_init, initargs=(lock, queue)) as pool:
        done = sum(pool.map(_task, [n] * tasks))
        # read while the workers live: leaving the block terminates them, and a worker's
        # queue feeder thread may not have written yet
        got = sum(queue.get(timeout=30) for _ in range(tasks))
    return [done, got]


def _square(x: int) -> int:
    return x * x


def pshared_mutex(addr: int) -> str:
    """A process-shared pthread mutex at ``addr`` taken by a child while this process holds
    it: the child waits in the kernel (a non-private futex on the page) until released."""
    attr = ctypes.create_string_buffer(8)
    _libc.pthread_mutexattr_init(attr)
    _libc.pthread_mutexattr_setpshared(attr, 1)
    if _libc.pthread_mutex_init(ctypes.c_void_p(addr), attr) != 0:
        return "init failed"
    _libc.pthread_mutex_lock(ctypes.c_void_p(addr))
    pid = os.fork()
    if pid == 0:
        rc = _libc.pthread_mutex_lock(ctypes.c_void_p(addr))
        _libc.pthread_mutex_unlock(ctypes.c_void_p(addr))
        os._exit(0 if rc == 0 else 3)
    time.sleep(0.3)  # the child is asleep in the kernel on the mutex by now
    _libc.pthread_mutex_unlock(ctypes.c_void_p(addr))
    _, status = os.waitpid(pid, 0)
    return "ok" if os.waitstatus_to_exitcode(status) == 0 else f"child {status}"


def own_file(path: str) -> int:
    with open(path, "wb") as f:
        f.write(bytes(4096))
    return map_file(path, shared=True)


def ordinary(cfg: dict) -> dict:
    import concurrent.futures as cf

    out: dict = {}
    out["pool"] = pool_with_lock_and_queue(8, 200)
    with cf.ProcessPoolExecutor(2) as ex:
        out["process_pool"] = sum(ex.map(_square, range(100)))
    with cf.ThreadPoolExecutor(4) as ex:
        out["thread_pool"] = sum(ex.map(_square, range(100)))
    out["mutex_anon_shared"] = pshared_mutex(anon(True))
    out["mutex_dev_shm"] = pshared_mutex(own_file("/dev/shm/r7mutex"))
    out["mutex_tmp"] = pshared_mutex(own_file("/tmp/r7mutex"))
    out["mutex_workspace"] = pshared_mutex(own_file(f"/workspace/{cfg['flag']}.mutex"))
    sysv = mmap.mmap(-1, 4096, mmap.MAP_SHARED)  # shared anonymous through Python's mmap
    out["mutex_python_mmap"] = pshared_mutex(ctypes.addressof(ctypes.c_char.from_buffer(sysv)))
    try:
        import duckdb

        con = duckdb.connect()
        con.execute("SET threads=4")
        out["duckdb"] = list(con.execute(
            "SELECT count(*), sum(i % 7) FROM range(3000000) t(i)").fetchone())
    except ImportError:
        out["duckdb"] = "absent"
    # the timed workload: a lock shared by processes, and a pool handing out one small task
    # at a time (its workers contend for the task queue's lock: non-private futex waits)
    import multiprocessing as mp

    runs = []
    for _ in range(int(cfg.get("timed_runs", 3))):
        t0 = time.perf_counter()
        pool_with_lock_and_queue(8, int(cfg.get("timed_n", 3000)))
        with mp.Pool(2) as pool:
            pool.map(_square, range(int(cfg.get("timed_tasks", 2000))), chunksize=1)
        runs.append(time.perf_counter() - t0)
    out["timed"] = runs
    return out


def race(cfg: dict) -> dict:
    """Remap one address between the session's own anonymous page and a shared file's page
    while another thread waits there again and again: a wait the check let through while the
    address was anonymous, but the kernel keyed on the file, is one the host can wake."""
    fd = os.open(cfg["file"], os.O_RDONLY)
    # the file's first word: a wait keyed on the file sleeps (ETIMEDOUT), one keyed on the
    # anonymous page (zero) answers EAGAIN at once
    first = int.from_bytes(os.pread(fd, 4, 0), "little")
    addr = anon(False)
    stop = threading.Event()
    flips = [0]

    def flip() -> None:
        while not stop.is_set():
            _libc.mmap(ctypes.c_void_p(addr), 4096, 1, 2 | 0x10, fd, 0)  # MAP_FIXED
            _libc.mmap(ctypes.c_void_p(addr), 4096, 3, 2 | 0x10 | 0x20, -1, 0)
            flips[0] += 1

    t = threading.Thread(target=flip)
    t.start()
    got: dict = {}
    end = time.monotonic() + float(cfg["seconds"])
    tries = 0
    while time.monotonic() < end:
        r = futex(addr, WAIT, first, rel(0.002))
        tries += 1
        got[str(r)] = got.get(str(r), 0) + 1
    stop.set()
    t.join()
    return {"tries": tries, "results": got, "flips": flips[0]}


def hold_by_mappings(path: str, limit: int) -> dict:
    """open, mmap, close, again (in a child): each mapping keeps its file after close()."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        n, stop = 0, "none"
        fd0 = os.open(path, os.O_RDONLY)
        size = os.fstat(fd0).st_size
        os.close(fd0)
        while n < limit:
            fd = os.open(path, os.O_RDONLY)
            addr = _libc.mmap(None, size, 1, 2, fd, 0)
            if addr in (None, ctypes.c_void_p(-1).value):
                stop = errname(ctypes.get_errno())
                os.close(fd)
                break
            os.close(fd)
            n += 1
        files = len(os.listdir("/proc/self/map_files"))
        os.write(w, json.dumps({"held": n, "stop": stop, "file_maps": files}).encode())
        os._exit(0)
    os.close(w)
    raw = b""
    while True:
        part = os.read(r, 4096)
        if not part:
            break
        raw += part
    os.waitpid(pid, 0)
    return json.loads(raw)


def mapped(cfg: dict) -> dict:
    out: dict = {}
    with open("/tmp/r7small", "wb") as f:
        f.write(b"x" * 4096)
    out["hold"] = hold_by_mappings("/tmp/r7small", int(cfg["limit"]))
    t0 = time.perf_counter()
    import numpy as np
    import pandas  # noqa: F401 - the mappings of an ordinary heavy import
    out["import_s"] = round(time.perf_counter() - t0, 2)
    try:
        import duckdb
        import pyarrow  # noqa: F401
    except ImportError:
        duckdb = None
    out["file_maps_after_imports"] = len(os.listdir("/proc/self/map_files"))
    big = f"/workspace/{cfg['flag']}.bin"
    arr = np.memmap(big, dtype=np.int64, mode="w+", shape=(1 << 20,))  # 8 MB
    arr[:] = np.arange(1 << 20)
    arr.flush()
    del arr
    out["memmap_sum"] = int(np.memmap(big, dtype=np.int64, mode="r").sum())
    out["memmaps"] = sum(int(np.memmap(big, dtype=np.int64, mode="r")[i]) for i in range(200))
    if duckdb is None:
        out["duckdb"] = "absent"
    else:
        csv = f"/workspace/{cfg['flag']}.csv"
        with open(csv, "w") as f:
            f.write("a,b\n")
            f.writelines(f"{i},{i % 13}\n" for i in range(300000))
        con = duckdb.connect()
        con.execute("SET threads=4")
        out["duckdb"] = list(con.execute(
            f"SELECT count(*), sum(b) FROM read_csv_auto('{csv}')").fetchone())
    return out


def main() -> None:
    mode, cfg = sys.argv[1], json.loads(sys.argv[2])
    out = {"recv": recv, "send": send, "ordinary": ordinary, "race": race,
           "mapped": mapped}[mode](cfg)
    print("RESULT " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
