"""S1 on a cluster (round 10): nothing a session reads at start comes from the persistent
workspace volume.  The session pod's HOME was ``/workspace`` (the member's persistent volume):
IPython startup files, ``~/.jupyter/jupyter_server_config.py`` (run by the server after the
enclave's own config), kernel specs, ``.pdbrc``/``.sqliterc``/matplotlib rc written in one
session acted in every later one.  Checked on the rendered manifests (no cluster runs here)."""
from __future__ import annotations

import pytest

from enclave.deploy.k8s import K8sConfig, render_all
from hub_config import sandbox_rc
from policies import current_policy

# what the tools of a session read their start-up config from, when set
STARTUP_VARS = ("HOME", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_PATH", "IPYTHONDIR",
                "MPLCONFIGDIR", "XDG_CONFIG_HOME", "PATH", "PYTHONPATH", "PYTHONUSERBASE")


@pytest.fixture(scope="module")
def pod():
    objs = render_all(current_policy(), K8sConfig())
    return next(o for o in objs if o["kind"] == "Pod" and
                o["metadata"]["name"].startswith("jupyter-"))


def _mounts(pod):
    spec = pod["spec"]
    kinds = {v["name"]: next(k for k in v if k != "name") for v in spec["volumes"]}
    return [(m["mountPath"], kinds[m["name"]]) for m in spec["containers"][0]["volumeMounts"]]


def test_home_is_the_pods_own_scratch_not_the_workspace_volume(pod):
    env = {e["name"]: e.get("value", "") for e in pod["spec"]["containers"][0]["env"]}
    home = env["HOME"]
    under = [kind for path, kind in _mounts(pod) if sandbox_rc._under(home, path)]
    assert under == ["emptyDir"], (home, _mounts(pod))


@pytest.mark.parametrize("var", STARTUP_VARS)
def test_no_start_up_variable_names_a_persistent_volume(pod, var):
    env = {e["name"]: e.get("value", "") for e in pod["spec"]["containers"][0]["env"]}
    persistent = [path for path, kind in _mounts(pod) if kind == "persistentVolumeClaim"]
    assert persistent, _mounts(pod)   # the workspace is there (the check is not vacuous)
    for part in env.get(var, "").split(":"):
        assert not any(sandbox_rc._under(part, p) for p in persistent), (var, part)
