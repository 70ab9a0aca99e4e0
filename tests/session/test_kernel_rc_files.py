"""S1: nothing a member leaves in the case's shared workspace runs in another member's kernel.

The kernel's working directory is the notebook's folder, which every member of the case can
write.  pdb (``%debug``, ``breakpoint()``, IPython's debugger) runs the commands of a ``.pdbrc``
found there or in the home, and IPython would put the folder on ``sys.path`` (a planted
``pandas.py``).  The sandbox's read-only IPython config (``hub_config.spawner.kernel_config``)
turns both off; here it is loaded the way IPython loads it, by traitlets' file loader, in a
fresh interpreter whose working directory and home hold the planted files.  The real kernel in
the real sandbox is checked in tests/hub/test_hub.py."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from hub_config import spawner

PLANTS = {   # .pdbrc lines that would run code as whoever debugs
    "shell": "!import os; open('RAN', 'w').write('x')\n",
    "alias": "alias ll !__import__('os').system('id > RAN')\nll\n",
    "interact": "interact\nimport os\n",
    "commands": "import builtins\np builtins.exec(\"open('RAN','w')\")\n",
}

PROBE = textwrap.dedent("""
    import json, sys
    from traitlets.config.loader import PyFileConfigLoader
    if sys.argv[1] == "with":
        PyFileConfigLoader("ipython_kernel_config.py", path=sys.argv[2]).load_config()
    import pdb
    from IPython.core.debugger import Pdb as IPdb
    print(json.dumps({"pdb": pdb.Pdb().rcLines, "ipython": IPdb().rcLines}))
""")


def _run(tmp_path, rc: str, mode: str) -> dict:
    etc, work, home = tmp_path / "etc", tmp_path / "work", tmp_path / "home"
    for d in (etc, work, home):
        d.mkdir(exist_ok=True)
    (etc / "ipython_kernel_config.py").write_text(spawner.kernel_config())
    (work / ".pdbrc").write_text(rc)
    (home / ".pdbrc").write_text(rc)
    out = subprocess.run([sys.executable, "-c", PROBE, mode, str(etc)], cwd=work, check=True,
                         capture_output=True, text=True, env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
                         timeout=60)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_a_planted_pdbrc_is_never_read(tmp_path, plant):
    rc = PLANTS[plant]
    bare = _run(tmp_path, rc, "without")
    # without the config both debuggers would run it (twice: home and working directory)
    assert bare["pdb"] and bare["ipython"], bare
    got = _run(tmp_path, rc, "with")
    assert got["pdb"] == [] and got["ipython"] == [], got
    assert not (tmp_path / "work" / "RAN").exists()


def test_a_debugger_asked_for_explicitly_still_works(tmp_path):
    # the researcher's own debugging is not taken away: breakpoints and commands still run
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "ipython_kernel_config.py").write_text(spawner.kernel_config())
    code = textwrap.dedent("""
        import io, sys
        from traitlets.config.loader import PyFileConfigLoader
        PyFileConfigLoader("ipython_kernel_config.py", path=sys.argv[1]).load_config()
        import pdb
        out = io.StringIO()
        p = pdb.Pdb(stdin=io.StringIO("p 6 * 7\\ncontinue\\n"), stdout=out)
        p.set_trace()
        x = 1
        sys.stdout.write(out.getvalue())
    """)
    r = subprocess.run([sys.executable, "-c", code, str(etc)], cwd=tmp_path, capture_output=True,
                       text=True, timeout=60)
    assert "42" in r.stdout, r.stdout + r.stderr
