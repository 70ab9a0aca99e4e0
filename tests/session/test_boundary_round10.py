"""Round 10 of the sandbox boundary (S1, A3), in REAL sandboxes: config another member left.

Member A writes into a folder of the case's shared workspace; member B's tools start there (a
kernel's working directory is the notebook's folder).  Probe ``boundary_probe10.py``.

1. **./matplotlibrc** (found open, closed): matplotlib reads the working directory's rc first and
   no variable overrides it - ``figure.hooks`` called a function of A's choosing on B's every
   figure, ``animation.writer: ffmpeg`` + ``animation.ffmpeg_path: /bin/sh`` made B's
   ``anim.save()`` run A's shell script ``rawvideo`` as B, ``backend: module://...`` imported a
   module.  The kernel's read-only config installs ``sandbox_rc.guard_matplotlibrc``.
2. **Start-up config pointed into the workspace** (closed by default deny): the launcher refuses
   an environment whose HOME, IPython/Jupyter config, data or runtime dirs, MPLCONFIGDIR or PATH
   name a place in the workspace (``sandbox_rc.workspace_env``).
3. **Seen shut already** (kept as tests): git's ``core.fsmonitor`` of A's ``.git`` (git refuses
   a repository of another owner), ``ipython_*config.py``/``jupyter_*config.py`` in the folder
   (IPython and Jupyter apps read only their profile and system dirs), ``.sqliterc``, ``*.pth``,
   ``sitecustomize``/``usercustomize``, a planted ``json.py`` (PYTHONSAFEPATH).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hub_config import sandbox as sandbox_mod
from hub_config import sandbox_rc

from tests.session import probe_runs
from tests.session.test_sandbox import HUB_SECRETS

pytestmark = [pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox launcher needs root")]

PROBE = (Path(__file__).parent / "boundary_probe10.py").read_text()
LIMITS = {"memory_mb": 1024, "cpu_percent": 100, "max_processes": 64, "scratch_mb": 64}
GID = 301234
ROOT_IN = "/workspace/r10"
PY_PLANT = "open('RAN_{0}', 'w').write('x')\n"
PLANTS = {
    "mpl_hooks/matplotlibrc": "figure.hooks: builtins:print\n",
    "mpl_anim/matplotlibrc": ("animation.writer: ffmpeg\nanimation.ffmpeg_path: /bin/sh\n"
                              "figure.dpi: 7\n"),
    "mpl_anim/rawvideo": "echo x > RAN\n",
    "mpl_backend/matplotlibrc": "backend: module://this\n",
    "mpl_many/matplotlibrc": ("savefig.directory: /workspace/r10\n"
                              "animation.convert_path: /bin/sh\n"
                              "animation.ffmpeg_args: -c, touch RAN\ntext.usetex: True\n"
                              "webagg.address: 0.0.0.0\naxes.formatter.use_locale: True\n"
                              "image.cmap: gray\nsavefig.format: svg\nfigure.dpi: 7\n"
                              "animation.embed_limit: 1\n"),
    **{f"apps/{n}": PY_PLANT.format(n.split(".")[0]) for n in (
        "ipython_config.py", "ipython_kernel_config.py", "jupyter_config.py",
        "jupyter_nbconvert_config.py", "jupyter_server_config.py", "jupyter_notebook_config.py",
        "sitecustomize.py", "usercustomize.py", "json.py")},
    "apps/evil.pth": "import os; open('RAN_pth', 'w').write('x')\n",
    "apps/.sqliterc": ".system touch RAN_sqliterc\n.shell touch RAN_sqliterc\n",
    "apps/nb.ipynb": json.dumps({"cells": [], "metadata": {}, "nbformat": 4,
                                 "nbformat_minor": 5}),
}


def _env(name: str) -> dict:
    return {"HOME": f"/home/{name}", "USER": name, "MPLCONFIGDIR": "/tmp/matplotlib",
            "PYTHONSAFEPATH": "1", "PYTHONNOUSERSITE": "1", "LANG": "C.UTF-8",
            "PATH": f"{os.path.dirname(sys.executable)}:/usr/local/bin:/usr/bin:/bin",
            "ENCLAVE_WORKSPACE": "/workspace"}


def _plant(world) -> Path:
    """A's files, owned by A, in a folder of the case's workspace B can write too."""
    a_uid = world.uid_for("r10ann")
    ws = world.projects / "c1" / "workspace"
    root = ws / "r10"
    for rel, text in PLANTS.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    git = root / "git"
    git.mkdir()
    subprocess.run(["git", "init", "-q", str(git)], check=True)
    subprocess.run(["git", "-C", str(git), "config", "core.fsmonitor", "touch RAN; false"],
                   check=True)
    for d, dirs, files in os.walk(root):
        for n in [*dirs, *files, "."]:
            os.lchown(os.path.join(d, n), a_uid, GID)
        os.chmod(d, 0o2775)
    return root


@pytest.fixture(scope="module")
def runs(world):
    spec = world.spec(name="r10bob", gid=GID, limits=LIMITS)   # prepares the workspace
    _plant(world)
    out = {}
    for mode in ("without", "with"):
        path = world.root / "sandbox" / f"r10bob-{mode}.json"
        path.write_text(json.dumps(spec))
        log_path = Path(spec["log"])
        before = log_path.stat().st_size if log_path.is_file() else 0
        own_rc = ("import os; os.makedirs('/tmp/matplotlib'); "
                  "open('/tmp/matplotlib/matplotlibrc', 'w').write('lines.linewidth: 7\\n')\n")
        p = subprocess.run([sys.executable, "-m", "hub_config.sandbox", str(path), "--",
                            sys.executable, "-c", own_rc + PROBE, ROOT_IN, mode],
                           capture_output=True, text=True, timeout=300,
                           env={**HUB_SECRETS, **_env("r10bob"), **(
                               {"PYTHONPATH": sandbox_rc.SITE_DIR} if mode == "with" else {})})
        log = log_path.read_bytes()[before:].decode(errors="replace")
        assert p.returncode == 0 and "RESULT " in log, (log + p.stderr)[-3000:]
        out[mode] = probe_runs.result(log)
        for f in (world.projects / "c1" / "workspace" / "r10").rglob("RAN*"):
            f.unlink()   # each mode starts clean
    return out


MPL_SIGN = {"hooks": "Figure(", "backend": "Namespaces are one honking great idea"}


# ------------------------------------------------------------- 1. ./matplotlibrc: closed
def test_without_the_guard_another_members_matplotlibrc_acts(runs):
    """The demonstration, in B's real sandbox without the kernel's config: A's hook ran on B's
    figure, A's shell script ran as B when B saved an animation, A's backend module loaded."""
    got = runs["without"]
    assert MPL_SIGN["hooks"] in got["mpl_hooks"]["out"], got["mpl_hooks"]
    assert got["mpl_anim"]["ran"], got["mpl_anim"]
    assert MPL_SIGN["backend"] in got["mpl_backend"]["out"], got["mpl_backend"]
    assert "figure.dpi" in got["mpl_many"] and "text.usetex" in got["mpl_many"], got["mpl_many"]


@pytest.mark.parametrize("member", ["hooks", "anim", "backend"])
def test_another_members_matplotlibrc_does_nothing_in_a_kernel(runs, member):
    got = runs["with"][f"mpl_{member}"]
    assert not got["ran"], got
    assert MPL_SIGN.get(member, "\0") not in got["out"], got
    assert "was not read: the workspace is shared" in got["out"]   # the member is told


@pytest.mark.parametrize("member", ["hooks", "anim"])
def test_nor_in_a_program_started_from_a_terminal(runs, member):
    """No kernel config there: the session's read-only sitecustomize (PYTHONPATH) guards it."""
    assert MPL_SIGN["hooks"] in runs["without"]["terminal_hooks"]["out"]
    assert runs["without"]["terminal_anim"]["ran"]
    got = runs["with"][f"terminal_{member}"]
    assert not got["ran"] and MPL_SIGN.get(member, "\0") not in got["out"], got


def test_nor_in_a_real_kernel_started_in_that_folder(runs):
    """nbconvert --execute (what an overnight job runs): a real ipykernel whose working
    directory is A's folder saves an animation and reads figure.dpi - A's script did not run."""
    got = runs["with"]["kernel_anim"]
    assert got["rc"] == 0 and "DPI 100.0" in got["out"], got
    assert not got["ran"] and "was not read: the workspace is shared" in got["out"], got


def test_no_key_of_a_planted_matplotlibrc_is_left(runs):
    line = [x for x in runs["with"]["mpl_many"].splitlines() if x.startswith("KEYS ")]
    assert line and json.loads(line[0][5:]) == [], runs["with"]["mpl_many"]


def test_the_members_own_private_rc_is_still_read(runs):
    assert "LW 7.0" in runs["with"]["own_rc"], runs["with"]["own_rc"]


def test_a_matplotlib_imported_before_the_guard_is_repaired(tmp_path):
    (tmp_path / "matplotlibrc").write_text("figure.dpi: 7\n")
    code = ("import matplotlib as m; from hub_config.sandbox_rc import guard_matplotlibrc\n"
            "before = m.rcParams['figure.dpi']; guard_matplotlibrc()\n"
            "print(before, m.rcParams['figure.dpi'] == m.rcParamsDefault['figure.dpi'])")
    if sandbox_rc.kernel_lines() == "":   # the switch: the kernel config installs nothing
        code = code.replace("guard_matplotlibrc()", "pass")
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert out.split() == ["7.0", "True"], out


# ------------------------------------------------- 3. seen shut already (kept as tests)
@pytest.mark.parametrize("mode", ["without", "with"])
def test_gits_fsmonitor_of_another_members_repository_does_not_run(runs, mode):
    got = runs[mode]["git"]
    assert not got["ran"] and "dubious ownership" in got["out"], got


@pytest.mark.parametrize("mode", ["without", "with"])
def test_no_config_or_module_in_the_folder_runs(runs, mode):
    """ipython_*/jupyter_*config.py, .sqliterc, *.pth, site/usercustomize, json.py: none ran,
    while the tools themselves worked (the controls)."""
    got = runs[mode]
    assert got["apps_ran"] == [], got["apps_ran"]
    assert got["ipython_apps"].strip().endswith("LOADED"), got["ipython_apps"]
    assert "Writing" in got["nbconvert"], got["nbconvert"]
    assert got["sqlite"] == "42"
    assert "/workspace" not in got["python"] and "PY /" in got["python"], got["python"]


# --------------------------------------------- 2. start-up config named in the workspace
BAD_ENV = {
    "HOME": "/workspace/r10", "MPLCONFIGDIR": "/workspace/.mpl",
    "JUPYTER_CONFIG_DIR": "/workspace/.jupyter", "JUPYTER_DATA_DIR": "/workspace/x/../d",
    "JUPYTER_PATH": "/usr/share/jupyter:/workspace/k", "JUPYTER_CONFIG_PATH": "/workspace",
    "JUPYTER_RUNTIME_DIR": "/workspace//rt", "PATH": "/usr/bin:/workspace/bin",
    "JUPYTERHUB_X": "file:///workspace/y",
}


@pytest.mark.parametrize("key", sorted(BAD_ENV))
def test_a_variable_naming_the_workspace_is_found(world, key):
    spec = world.spec(name="r10env", gid=GID, limits=LIMITS)
    assert sandbox_rc.workspace_env({**_env("r10env"), key: BAD_ENV[key]}, spec) == [key]


def test_the_sessions_own_environment_passes(world):
    spec = world.spec(name="r10env", gid=GID, limits=LIMITS)
    env = {**_env("r10env"), "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime",
           "JUPYTER_CONFIG_PATH": "/opt/enclave/jupyter", "ENCLAVE_WORKSPACE": "/workspace",
           "JUPYTERHUB_SERVICE_URL": "http+unix://%2Frun%2Fs%2Fjupyter.sock/user/x/",
           "MPLCONFIGDIR": "/tmp/workspace-mpl", "HOME": "/home/workspace"}
    assert sandbox_rc.workspace_env(env, spec) == []


def test_the_launcher_refuses_a_home_in_the_workspace(world, monkeypatch):
    """In this process (so a switch reaches it): the launcher itself refuses, nothing runs."""
    spec = world.spec(name="r10env", gid=GID, limits=LIMITS)
    ws = world.projects / "c1" / "workspace"
    marker = ws / "r10env-ran"
    cmd = ["/bin/sh", "-c", f"touch /workspace/{marker.name}"]
    for k, v in HUB_SECRETS.items():
        monkeypatch.setenv(k, v)
    rc = sandbox_mod.run(spec, cmd, {**_env("r10env"), "HOME": "/workspace/r10"})
    assert rc == sandbox_mod.EXIT_REFUSED and not marker.exists()
    assert "HOME name the shared workspace" in Path(spec["log"]).read_text()
    rc = sandbox_mod.run(spec, cmd, _env("r10env"))   # the control: the same, HOME private
    assert rc == 0 and marker.exists()
