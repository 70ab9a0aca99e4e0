"""What every sandbox (a session, its query broker, an overnight job) is built from: the
read-only system binds, where programs may come from, the Python prefix, log locations."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import quote

# egress_review + deidentify: safe_tables, the pre-check engine and the submit client run in the
# session (D1 code only - no data lives in these packages).
# datasets: the broker reads the encrypted extract with datasets.parquet_crypto (O3)
PROJECT_PACKAGES = ("enclave", "policies", "hub_config", "egress_review", "deidentify", "datasets")
def unix_url(sock: str, path: str = "") -> str:
    return f"http+unix://{quote(sock, safe='')}{path}"


def python_prefix() -> str:
    return os.path.realpath(sys.base_prefix)


def package_dirs() -> dict[str, str]:
    import importlib

    out = {}
    for name in PROJECT_PACKAGES:
        mod = importlib.import_module(name)
        out[name] = os.path.dirname(os.path.realpath(mod.__file__))
    return out


def log_path(sandbox_root: Path, name: str) -> str:
    """A sandbox's log file: outside every sandbox, root's, never the hub's own log."""
    return str(sandbox_root / "logs" / f"{name}.log")


# What a session needs from the host's /etc, bound one by one: the dynamic linker, time zone,
# fonts, MIME types, name-service switch (files only), certificates, OS release.  Not the whole
# /etc: it also holds the host's name, machine id, mounts, network, package-index and proxy
# settings (pip.conf, apt, environment) and service configuration - none of it a session's
# business, and some of it credentials.  passwd, group, hosts and resolv.conf are generated.
ETC_ALLOWED = ("alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime",
               "timezone", "fonts", "mime.types", "nsswitch.conf", "host.conf", "gai.conf",
               "protocols", "services", "ssl", "ca-certificates", "ca-certificates.conf",
               "os-release", "debian_version", "magic", "magic.mime", "locale.alias",
               "inputrc", "bash.bashrc", "profile", "terminfo")


def system_binds() -> list[list[str]]:
    """Read-only: the OS, the allowed parts of /etc, the Python prefix and the approved
    project packages."""
    ro = [["/usr", "/usr"]]
    for name in ETC_ALLOWED:
        path = os.path.join("/etc", name)
        if os.path.exists(path):
            ro.append([os.path.realpath(path), path])
    prefix = python_prefix()
    if not prefix.startswith("/usr/"):
        ro.append([prefix, prefix])
    for pkg_dir in package_dirs().values():
        ro.append([pkg_dir, pkg_dir])
    return ro


def exec_dirs() -> list[str]:
    """Where a sandbox's programs may come from (S1, ``hub_config.exec_guard``): the system and
    the Python prefix, both bound read-only - never the workspace, scratch or imports."""
    prefix = python_prefix()
    return ["/usr"] + ([prefix] if not prefix.startswith("/usr/") else [])
