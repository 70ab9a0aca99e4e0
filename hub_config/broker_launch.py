"""A session's query broker (A3): its sandbox, its environment (the case's keys go to the broker,
never to the session), starting, waiting for its socket and stopping it."""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from tornado import web

from hub_config.sandbox_binds import exec_dirs, log_path, python_prefix, system_binds, unix_url


def provenance_key_hex(case_code: str) -> str | None:
    from datasets.keyring import master_key
    from deidentify.keys import KeyFileError
    from egress_review.safe_tables.provenance import case_provenance_key
    from enclave.settings import get_settings

    try:
        return case_provenance_key(master_key(get_settings(), create=False), case_code).hex()
    except KeyFileError:
        return None


def data_key_hex(case_code: str) -> str | None:
    """The case's key for its encrypted extract (O3): handed to the broker, never the session."""
    from datasets import parquet_crypto as PC
    from datasets.keyring import master_key
    from deidentify.keys import KeyFileError
    from enclave.settings import get_settings

    try:
        return PC.scope_kek(master_key(get_settings(), create=False), PC.case_scope(case_code)).hex()
    except KeyFileError:
        return None


def broker_settings(policy) -> dict:
    """The policy's broker settings, as handed to :func:`start_broker`."""
    sess = policy.sessions
    return {"uid_base": sess.broker_uid_base, "memory_mb": sess.broker_memory_mb,
            "cpu_percent": sess.broker_cpu_percent, "threads": sess.broker_compute_threads,
            "max_rows": sess.query_max_result_rows, "max_bytes": sess.query_max_result_bytes,
            "purpose_min_length": sess.purpose_min_length,
            "encrypt_at_rest": policy.data.encrypt_at_rest}


def warden_socket(socket_root: Path) -> Path:
    """The warden's query-log socket, in a directory of its own: bound into query brokers,
    never into a session, so only a broker (which logs before it runs) can write the log."""
    return socket_root / "warden" / "warden.sock"


def broker_socket(socket_root: Path, name: str) -> Path:
    """Per-session broker socket: <socket_root>/broker/<name>/broker.sock (short, lower-case)."""
    return socket_root / "broker" / name / "broker.sock"


def build_broker_spec(*, name: str, case_id: int, case_code: str, projects_dir: Path,
                      socket_root: Path, sandbox_root: Path, uid_base: int, memory_mb: int,
                      max_processes: int, require_limits: bool = True,
                      cpu_percent: int = 100) -> dict:
    """The broker's own sandbox: the case's extract read-only, the warden socket, its own
    socket directory, no network; uid/gid ``uid_base + case id`` - never a session's uid."""
    data = projects_dir / case_code / "data"
    if not data.is_dir():
        raise web.HTTPError(503, f"the extract for case {case_code} is not ready")
    uid = gid = int(uid_base) + int(case_id)
    sock_dir = broker_socket(socket_root, name).parent
    sock_dir.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(sock_dir.parent, 0o711)
    if sock_dir.exists():
        shutil.rmtree(sock_dir)
    sock_dir.mkdir()
    os.chown(sock_dir, uid, gid)
    os.chmod(sock_dir, 0o755)
    bname = f"broker-{name}"
    return {
        "name": bname, "log": log_path(sandbox_root, bname), "require_limits": require_limits,
        "uid": uid, "gid": gid,
        "cwd": "/tmp", "hostname": "broker",
        "symlinks": {p: f"usr{p}" for p in ("/bin", "/lib", "/lib64", "/sbin")
                     if os.path.islink(p)},
        "ro_binds": [*system_binds(), [str(data), "/case/data"],
                     [str(warden_socket(socket_root).parent)] * 2],
        "exec_dirs": exec_dirs(),
        "rw_binds": [[str(sock_dir), str(sock_dir)]],
        "tmpfs": ["/tmp"],
        "files": {
            "/etc/passwd": f"root:x:0:0:root:/root:/usr/sbin/nologin\n"
                           f"broker:x:{uid}:{gid}:broker:/tmp:/usr/sbin/nologin\n",
            "/etc/group": f"root:x:0:\nbroker:x:{gid}:\n",
            "/etc/hosts": "127.0.0.1 localhost broker\n",
            "/etc/resolv.conf": "# no name service (S7)\n",
        },
        "limits": {"memory_mb": int(memory_mb), "cpu_percent": int(cpu_percent),
                   "max_processes": int(max_processes)},
    }


def start_broker(*, name: str, case_id: int, case_code: str, authorization: str,
                 projects_dir: Path, socket_root: Path, sandbox_root: Path, broker: dict,
                 max_processes: int, require_limits: bool = True) -> tuple[subprocess.Popen, Path]:
    """Start a session's broker (root: the launcher builds its sandbox).  ``authorization`` is
    the exact Authorization value the session presents (its hub token / job token); the broker
    also presents it to the warden, which decides account and case from it."""
    spec = build_broker_spec(name=name, case_id=case_id, case_code=case_code,
                             projects_dir=projects_dir, socket_root=socket_root,
                             sandbox_root=sandbox_root, uid_base=broker["uid_base"],
                             memory_mb=broker["memory_mb"], max_processes=max_processes,
                             cpu_percent=broker["cpu_percent"],
                             require_limits=require_limits)
    sandbox_root.mkdir(parents=True, exist_ok=True)
    spec_path = sandbox_root / f"{spec['name']}.json"
    spec_path.write_text(json.dumps(spec))
    sock = broker_socket(socket_root, name)
    env = {"PATH": f"{python_prefix()}/bin:/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp",
           "PYTHONNOUSERSITE": "1", "LANG": os.environ.get("LANG", "C.UTF-8"),
           "ENCLAVE_BROKER_SOCKET": str(sock), "ENCLAVE_BROKER_AUTH": authorization,
           "ENCLAVE_WARDEN_URL": unix_url(str(warden_socket(socket_root))),
           "ENCLAVE_CASE": case_code, "ENCLAVE_CASE_DATA": "/case/data",
           "ENCLAVE_QUERY_MAX_ROWS": str(broker["max_rows"]),
           "ENCLAVE_QUERY_MAX_BYTES": str(broker["max_bytes"]),
           "ENCLAVE_BROKER_MEMORY_MB": str(broker["memory_mb"]),
           "ENCLAVE_BROKER_THREADS": str(broker["threads"]),
           "ENCLAVE_PURPOSE_MIN_LENGTH": str(broker.get("purpose_min_length", 10))}
    key = provenance_key_hex(case_code)
    if key:  # E6: the broker (outside the session) seals safe_tables' units with it
        env["ENCLAVE_PROVENANCE_KEY"] = key
    data_key = data_key_hex(case_code)
    if data_key:  # O3: the extract is encrypted at rest; only the broker reads it
        env["ENCLAVE_DATA_KEY"] = data_key
    env["ENCLAVE_DATA_ENCRYPTED"] = "required" if broker.get("encrypt_at_rest", True) else "optional"
    cmd = [sys.executable, "-m", "hub_config.sandbox", str(spec_path), "--",
           sys.executable, "-m", "hub_config.broker"]
    proc = subprocess.Popen(cmd, env=env, start_new_session=True, stdin=subprocess.DEVNULL)
    return proc, sock


def _broker_state(proc: subprocess.Popen, sock: Path, started: float, timeout: float) -> bool:
    if sock.exists():
        return True
    if proc.poll() is not None:
        raise web.HTTPError(503, f"the query broker exited ({proc.returncode})")
    if time.monotonic() - started > timeout:
        raise web.HTTPError(503, "the query broker did not start in time")
    return False


async def wait_for_broker(proc: subprocess.Popen, sock: Path, timeout: float = 60) -> None:
    started = time.monotonic()
    while not _broker_state(proc, sock, started, timeout):
        await asyncio.sleep(0.1)


def wait_for_broker_sync(proc: subprocess.Popen, sock: Path, timeout: float = 60) -> None:
    started = time.monotonic()
    while not _broker_state(proc, sock, started, timeout):
        time.sleep(0.1)


def stop_broker(proc: subprocess.Popen) -> None:
    """SIGTERM the launcher (it forwards into the broker's PID namespace), then SIGKILL."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
