"""The deployment files stay valid although no Docker engine runs here (the engine is what
cannot exist on this machine; the files and their references are checked for real)."""
import re
from pathlib import Path

import yaml

DOCKER = Path(__file__).resolve().parents[2] / "docker"
ROOT = DOCKER.parent


def test_dockerfile_copy_sources_exist():
    text = (DOCKER / "enclave.Dockerfile").read_text()
    assert text.startswith("#") and "\nFROM " in text
    for line in text.splitlines():
        m = re.match(r"COPY\s+(.+)\s+\S+$", line.strip())
        if m:
            for src in m.group(1).split():
                assert (ROOT / src).exists(), f"COPY source {src} missing"


def test_compose_keeps_data_services_internal():
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    assert compose["networks"]["enclave"]["internal"] is True
    services = compose["services"]
    # only the release area reaches the edge network, and only it publishes a port
    for name, svc in services.items():
        nets = svc.get("networks") or compose["x-enclave"]["networks"]
        if name == "release":
            assert set(nets) == {"enclave", "edge"} and len(svc["ports"]) == 1
        else:
            assert nets == ["enclave"], f"{name} must not reach the edge network"
            assert "ports" not in svc, f"{name} must not publish a port"
    # every entry point a service names is in the image
    for name, svc in services.items():
        cmd = svc.get("command") or []
        if cmd and cmd[0].startswith("/opt/enclave/docker/"):
            assert (ROOT / cmd[0].removeprefix("/opt/enclave/")).exists(), (name, cmd)


def test_k8s_singleuser_has_no_egress():
    values = yaml.safe_load((DOCKER / "k8s" / "jupyterhub-values.yaml").read_text())
    np = values["singleuser"]["networkPolicy"]
    assert np["enabled"] and np["egress"] == []
    assert not any(np["egressAllowRules"].values())
    assert values["singleuser"]["allowPrivilegeEscalation"] is False
    assert values["cull"]["enabled"] is False
