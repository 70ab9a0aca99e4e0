"""The single-user server's browser guard (a Jupyter server extension), S1/S4/D4.

Loaded in every session through the read-only system config (``hub_config.lockdown``).  At
load it reads the hub's settings (:mod:`.config`), takes the ledger key out of the environment
and makes the process non-dumpable (a kernel of the same uid can then read neither the key
from ``/proc/<server>/environ`` nor the server's memory), hooks every route
(:mod:`.routes`), configures the contents manager (:mod:`.contents`) and the kernel websocket
caps (:mod:`.kernelws`), gives JupyterLab the slot's end (:mod:`.slot_clock`), and in remote
mode starts the desktop (:mod:`.desktop`).
Anything that fails leaves the guard unconfigured, and an unconfigured guard refuses every
request (503) rather than serving unguarded.
"""
from __future__ import annotations

import ctypes
import os
import sys

from hub_config.singleuser import config as guard_config

PR_SET_DUMPABLE = 4


def _jupyter_server_extension_points():
    return [{"module": "hub_config.singleuser"}]


def _non_dumpable() -> bool:
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _read_only_roots() -> tuple[str, ...]:
    roots = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix), "/usr"}
    import jupyter_server
    import jupyterlab

    for mod in (jupyter_server, jupyterlab):
        roots.add(os.path.dirname(os.path.dirname(os.path.realpath(mod.__file__))))
    from hub_config.singleuser.slot_clock import LABEXTENSIONS

    roots.add(os.path.realpath(LABEXTENSIONS))  # the slot clock, bound read-only with hub_config
    return tuple(sorted(roots))


def _load_jupyter_server_extension(serverapp):
    from hub_config.singleuser import kernelws, routes
    from hub_config.singleuser.contents import GuardedContentsManager
    from hub_config.singleuser.ledger import Ledger

    log = serverapp.log
    state = {"guard": None}
    key = guard_config.take_ledger_key()
    dumpable_off = _non_dumpable()
    try:
        guard = guard_config.load()
    except guard_config.GuardConfigError as e:
        log.error("enclave guard: not configured, refusing every request: %s", e)
        guard = None
    cm = serverapp.contents_manager
    if guard is not None and not isinstance(cm, GuardedContentsManager):
        log.error("enclave guard: contents manager is %s, not GuardedContentsManager; "
                  "refusing every request", type(cm).__name__)
        guard = None
    if guard is not None and not dumpable_off:
        log.error("enclave guard: could not make the server non-dumpable; refusing every request")
        guard = None
    if guard is not None:
        roots = _read_only_roots()
        ksm = serverapp.kernel_spec_manager
        ksm.kernel_dirs = [d for d in ksm.kernel_dirs
                           if any(os.path.realpath(d).startswith(r + "/") for r in roots)]
        user = os.environ.get("JUPYTERHUB_USER") or os.environ.get("USER") or "user"
        from hub_config.singleuser.outputs import SessionBudget

        session_budget = SessionBudget(guard.caps)  # one per server: websocket and contents
        cm.configure_guard(guard, Ledger(key, cm.root_dir, user), session_budget)
        kernelws.CAPS = guard.caps
        kernelws.SESSION = session_budget
        kernelws.UPLOADS = cm.upload_budget  # saves and messages to kernels: one budget (D4)
        kernelws.INBOUND = kernelws.InboundMeter(guard.caps.repeat_bytes)
        if key is None:
            log.warning("enclave guard: no ledger key - no file body will reach the browser")
    routes.install(serverapp.web_app, lambda: state["guard"], _read_only_roots(), log)
    from hub_config.singleuser import slot_clock

    slot_clock.setup(serverapp)  # the booked slot's end and countdown in JupyterLab
    if guard is not None and guard.mode == "remote":
        from hub_config.singleuser import desktop

        desktop.setup(serverapp, guard)
    state["guard"] = guard
    log.info("enclave guard: mode %s", guard.mode if guard else "UNCONFIGURED (deny all)")
