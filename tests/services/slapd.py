"""A throw-away OpenLDAP ``slapd``: slapd.conf in a temp dir, an MDB database, a free loopback
port; users and groups loaded with ``ldapadd``; stopped (and the directory removed) after."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.services.net import free_port

SUFFIX = "dc=enclave,dc=test"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PW = "slapd-root-secret"
SCHEMAS = ("core", "cosine", "nis", "inetorgperson")


def slapd_bin() -> str | None:
    for p in ("/usr/sbin/slapd", shutil.which("slapd") or ""):
        if p and os.path.exists(p):
            return p
    return None


class SlapdServer:
    def __init__(self) -> None:
        if slapd_bin() is None or shutil.which("ldapadd") is None:
            raise RuntimeError("slapd/ldap-utils not installed (apt-get install slapd ldap-utils)")
        self.dir = Path(tempfile.mkdtemp(prefix="enclave-slapd-"))
        self.port = free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def _conf(self) -> str:
        schema = "\n".join(f"include /etc/ldap/schema/{s}.schema" for s in SCHEMAS)
        modpath = "/usr/lib/ldap"
        return f"""{schema}
pidfile {self.dir}/slapd.pid
modulepath {modpath}
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{SUFFIX}"
rootdn "{ROOT_DN}"
rootpw {ROOT_PW}
directory {self.dir}/db
access to attrs=userPassword by self auth by anonymous auth by * none
access to * by users read by * none
"""

    def start(self) -> "SlapdServer":
        (self.dir / "db").mkdir()
        conf = self.dir / "slapd.conf"
        conf.write_text(self._conf())
        log = open(self.dir / "slapd.log", "wb")
        # -d 0: stay in the foreground (we own the process); -h: only our loopback port.
        self.proc = subprocess.Popen([slapd_bin(), "-f", str(conf), "-h", self.uri, "-d", "0"],
                                     stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"slapd exited: {(self.dir / 'slapd.log').read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("slapd did not start listening within 20 s")
        self.ldapadd(f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\n"
                     f"dc: enclave\no: Enclave test\n\n"
                     f"dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people\n\n"
                     f"dn: ou=groups,{SUFFIX}\nobjectClass: organizationalUnit\nou: groups\n")
        return self

    def ldapadd(self, ldif: str) -> None:
        subprocess.run(["ldapadd", "-x", "-H", self.uri, "-D", ROOT_DN, "-w", ROOT_PW],
                       input=ldif.encode(), check=True, capture_output=True)

    def user_dn(self, uid: str) -> str:
        return f"uid={uid},ou=people,{SUFFIX}"

    def add_user(self, uid: str, password: str, changed: dt.datetime | None) -> str:
        """A posixAccount/shadowAccount; ``changed`` becomes shadowLastChange (A4 age)."""
        n = abs(hash(uid)) % 50000 + 10000
        lines = [f"dn: {self.user_dn(uid)}", "objectClass: inetOrgPerson",
                 "objectClass: posixAccount", "objectClass: shadowAccount",
                 f"uid: {uid}", f"cn: {uid}", f"sn: {uid}", f"uidNumber: {n}",
                 f"gidNumber: {n}", f"homeDirectory: /nonexistent/{uid}",
                 f"userPassword: {password}"]
        if changed is not None:
            lines.append(f"shadowLastChange: {(changed.date() - dt.date(1970, 1, 1)).days}")
        self.ldapadd("\n".join(lines) + "\n")
        return self.user_dn(uid)

    def settings(self, group_roles: dict[str, str]) -> dict:
        """The enclave's LDAP settings for this directory (the hub's ``ldap`` options; the
        authenticator's with an ``ldap_`` prefix)."""
        return {"server_uri": self.uri, "user_dn_template": f"uid={{username}},ou=people,{SUFFIX}",
                "group_search_base": f"ou=groups,{SUFFIX}", "group_roles": group_roles}

    def add_group(self, cn: str, member_uids: list[str]) -> None:
        members = "\n".join(f"member: {self.user_dn(u)}" for u in member_uids)
        self.ldapadd(f"dn: cn={cn},ou=groups,{SUFFIX}\nobjectClass: groupOfNames\ncn: {cn}\n"
                     f"{members}\n")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def directory(users: dict[str, tuple[str, float | None]], groups: dict[str, list[str]]):
    """A running slapd for the block (the test skipped where slapd is not installed), with
    ``users`` {uid: (password, days since its last change, or None for no date)} and
    ``groups`` {cn: [uid, ...]} loaded."""
    import pytest

    if slapd_bin() is None:
        pytest.skip("slapd not installed (apt-get install slapd ldap-utils)")
    srv = SlapdServer().start()
    try:
        today = dt.datetime.now(dt.timezone.utc)
        for uid, (password, days) in users.items():
            srv.add_user(uid, password, None if days is None else today - dt.timedelta(days=days))
        for cn, members in groups.items():
            srv.add_group(cn, members)
        yield srv
    finally:
        srv.stop()
