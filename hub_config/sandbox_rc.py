"""S1: files another member left in the case's shared workspace are never a session's config.

A kernel's working directory is the notebook's folder, which every member of the case can write.
Tools that read a config file from the working directory without being asked act on it as the
member whose kernel it is.  matplotlib reads ``./matplotlibrc`` before every other place (no
variable overrides it): ``figure.hooks`` calls any importable function on each new figure,
``animation.writer``/``animation.ffmpeg_path: /bin/sh`` makes saving an animation run a shell
script named ``rawvideo`` in the folder, ``backend: module://...`` imports a module.  The
kernel's read-only config (``spawner.kernel_config``) installs ``guard_matplotlibrc``: an rc file
found only in the working directory is set aside with a warning (``matplotlib.rc_file`` still
reads one when asked); a read-only ``sitecustomize`` (``site_files``) does the same for every
other Python process of the session.

The second job: no variable a sandbox starts with may name a place inside a shared read-write
bind (the workspace) - HOME, IPython's or Jupyter's config, data or runtime dirs, MPLCONFIGDIR,
PATH there would make another member's files this member's startup code.  The launcher refuses
such an environment (``workspace_env``); only the variables that name the workspace as data
(``ENV_MAY_NAME_WORKSPACE``) may."""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
import warnings
from posixpath import normpath

CWD_RC = "matplotlibrc"   # the name matplotlib_fname() answers when the working directory's won
ENV_MAY_NAME_WORKSPACE = ("ENCLAVE_WORKSPACE",)
SITE_DIR = "/etc/enclave/python"   # the session's PYTHONPATH: read-only files of the launcher
SHARED_DIR = "/workspace"   # spawner.WORKSPACE: where every member of the case writes


def _private_rc(mpl) -> None:
    """Put back what matplotlib would have read without the working directory's file."""
    if mpl.matplotlib_fname() != CWD_RC:
        return
    rc = mpl.rcParams
    update = getattr(rc, "_update_raw", None) or (lambda d: dict.update(rc, d))
    update(mpl.rcParamsDefault)       # every key: nothing of the planted file is left
    own = os.path.join(mpl.get_configdir(), "matplotlibrc")   # the member's private one
    if os.path.isfile(own):
        update(mpl._rc_params_in_file(own))
    mpl.rcParamsOrig = rc.copy()
    warnings.warn(f"{os.path.abspath(CWD_RC)} was not read: the workspace is shared "
                  "(use matplotlib.rc_file() to read it)", stacklevel=2)


class _MatplotlibRcGuard(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name != "matplotlib":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module

        def exec_module(module):
            run(module)
            _private_rc(module)   # right after import: the rc was read from this cwd
        loader.exec_module = exec_module
        return spec


def guard_matplotlibrc() -> None:
    """Called by the kernel's config before any user code."""
    if "matplotlib" in sys.modules:   # something imported it already: repair now
        _private_rc(sys.modules["matplotlib"])
    elif not any(isinstance(f, _MatplotlibRcGuard) for f in sys.meta_path):
        sys.meta_path.insert(0, _MatplotlibRcGuard())


def kernel_lines() -> str:
    """The kernel config's lines that install the guard (``spawner.kernel_config``)."""
    return "from hub_config.sandbox_rc import guard_matplotlibrc\nguard_matplotlibrc()\n"


def site_files() -> dict[str, str]:
    """A read-only ``sitecustomize`` on every session's PYTHONPATH (``SITE_DIR``): a Python
    program started in a terminal from a workspace folder gets the same guard as a kernel."""
    return {f"{SITE_DIR}/sitecustomize.py": kernel_lines()}


def _under(path: str, top: str) -> bool:
    path, top = normpath(path), normpath(top)
    return path == top or path.startswith(top.rstrip("/") + "/")


def workspace_env(env: dict[str, str], spec: dict) -> list[str]:
    """Variables naming a place inside a shared read-write bind (empty: none)."""
    shared = [dst for _src, dst in spec.get("rw_binds", []) if _under(dst, SHARED_DIR)]
    bad = []
    for key, value in env.items():
        if key in ENV_MAY_NAME_WORKSPACE:
            continue
        for part in value.replace("file://", "").split(os.pathsep):
            if part.startswith("/") and any(_under(part, top) for top in shared):
                bad.append(key)
                break
    return sorted(bad)
