"""Runs in member B's sandbox (round 10): every tool below is started in a folder of the shared
workspace where member A left its config; prints RESULT <json> of what ran.  argv: the
workspace folder root, "with" (the kernel's read-only config loaded first) or "without"."""
import json
import os
import subprocess
import sys

ROOT, MODE = sys.argv[1], sys.argv[2]
KERNEL_CONFIG = ("from traitlets.config.loader import PyFileConfigLoader\n"
                 "PyFileConfigLoader('ipython_kernel_config.py', path='/etc/ipython')"
                 ".load_config()\n")
MPL = {   # what a kernel would do in each folder
    "hooks": "import matplotlib.pyplot as plt; plt.figure()",
    "anim": ("import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt\n"
             "from matplotlib.animation import FuncAnimation\n"
             "fig = plt.figure(); a = FuncAnimation(fig, lambda i: [], frames=2)\n"
             "try:\n    a.save('out.mp4')\nexcept Exception as e:\n    print(type(e).__name__)"),
    "backend": "import matplotlib.pyplot as plt\ntry:\n    plt.figure()\nexcept Exception as e:\n    print(type(e).__name__)",
}

KEYS = ("savefig.directory", "animation.convert_path", "animation.ffmpeg_args", "text.usetex",
        "webagg.address", "axes.formatter.use_locale", "image.cmap", "savefig.format",
        "figure.dpi", "animation.embed_limit")


def py(code: str, cwd: str, kernel: bool = True) -> str:
    head = KERNEL_CONFIG if MODE == "with" and kernel else ""
    p = subprocess.run([sys.executable, "-c", head + code], cwd=cwd, capture_output=True,
                       text=True, timeout=120)
    return p.stdout + p.stderr


out = {}
for name, code in MPL.items():
    d = os.path.join(ROOT, f"mpl_{name}")
    text = py(code, d)
    out[f"mpl_{name}"] = {"ran": os.path.exists(os.path.join(d, "RAN")), "out": text[-600:]}
# a program started in a terminal there (no kernel config: only the session's PYTHONPATH)
for name in ("hooks", "anim"):
    d = os.path.join(ROOT, f"mpl_{name}")
    text = py(MPL[name], d, kernel=False)
    out[f"terminal_{name}"] = {"ran": os.path.exists(os.path.join(d, "RAN")), "out": text[-600:]}
# a real kernel (as an overnight job runs one): its working directory is the notebook's folder
if MODE == "with":
    d = os.path.join(ROOT, "mpl_anim")
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": MPL["anim"] + "\nimport matplotlib as m; print('DPI', m.rcParams['figure.dpi'])"}
    with open(os.path.join(d, "k.ipynb"), "w") as f:
        json.dump({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, f)
    nb = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook",
                         "--execute", "k.ipynb", "--output", "k.out.ipynb",
                         "--ExecutePreprocessor.startup_timeout=120"],
                        cwd=d, capture_output=True, text=True, timeout=240)
    try:
        with open(os.path.join(d, "k.out.ipynb")) as f:
            text = json.dumps(json.load(f)["cells"][0]["outputs"])
    except OSError:
        text = ""
    out["kernel_anim"] = {"ran": os.path.exists(os.path.join(d, "RAN")), "out": text[-800:],
                          "rc": nb.returncode, "err": nb.stderr[-400:]}
# every other key A may set: at matplotlib's default or not
d = os.path.join(ROOT, "mpl_many")
out["mpl_many"] = py(f"import json, matplotlib as m\nkeys = {KEYS!r}\n"
                     "print('KEYS', json.dumps(sorted(k for k in keys if m.rcParams[k] != "
                     "m.rcParamsDefault[k])))", d)
# the member's own private rc (MPLCONFIGDIR) still counts
d = os.path.join(ROOT, "mpl_hooks")
out["own_rc"] = py("import matplotlib as m; print('LW', m.rcParams['lines.linewidth'])", d)

d = os.path.join(ROOT, "git")
g = subprocess.run(["git", "status"], cwd=d, capture_output=True, text=True, timeout=60)
out["git"] = {"ran": os.path.exists(os.path.join(d, "RAN")), "out": (g.stdout + g.stderr)[-400:]}

d = os.path.join(ROOT, "apps")
out["ipython_apps"] = py("from ipykernel.kernelapp import IPKernelApp\n"
                         "a = IPKernelApp.instance(); a.init_profile_dir(); a.init_config_files()\n"
                         "a.load_config_file(); print('LOADED')", d)
nb = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "script", "nb.ipynb"],
                    cwd=d, capture_output=True, text=True, timeout=120)
out["nbconvert"] = (nb.stdout + nb.stderr)[-400:]
sq = subprocess.run(["sqlite3", ":memory:", "select 41+1"], cwd=d, capture_output=True,
                    text=True, timeout=60)
out["sqlite"] = sq.stdout.strip()
out["python"] = py("import json, site; print('PY', json.__file__)", d)
out["apps_ran"] = sorted(f for f in os.listdir(d) if f.startswith("RAN"))
print("RESULT " + json.dumps(out), flush=True)
