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
        nets = set(svc["networks"])
        if name == "release":
            assert nets == {"enclave", "edge"} and len(svc["ports"]) == 1
        else:
            assert nets == {"enclave"}, f"{name} must not reach the edge network"
            assert "ports" not in svc, f"{name} must not publish a port"
    # every entry point a service names is in the image
    for name, svc in services.items():
        cmd = svc.get("command") or []
        if cmd and cmd[0].startswith("/opt/enclave/docker/"):
            assert (ROOT / cmd[0].removeprefix("/opt/enclave/")).exists(), (name, cmd)


def test_compose_names_need_no_container_dns():
    """Services find each other through /etc/hosts at fixed addresses: DNS is off on both
    networks, every name in extra_hosts is that service's own fixed address, and every service
    that talks to others carries the whole list."""
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    assert all(net["x-podman.disable_dns"] is True for net in compose["networks"].values())
    subnet = compose["networks"]["enclave"]["ipam"]["config"][0]["subnet"]
    prefix = subnet.removesuffix(".0/24")
    hosts = dict(h.split(":", 1) for h in compose["x-enclave"]["extra_hosts"])
    addresses = {name: svc["networks"]["enclave"]["ipv4_address"] for name, svc in compose["services"].items()}
    assert len(set(addresses.values())) == len(addresses), addresses
    assert all(a.startswith(prefix + ".") for a in addresses.values()), (prefix, addresses)
    for name, address in hosts.items():
        assert addresses[name] == address, (name, address, addresses[name])
    for name, svc in compose["services"].items():
        if name != "db":  # PostgreSQL only answers
            assert svc["extra_hosts"] == compose["x-enclave"]["extra_hosts"], name
    # no one-shot dependency a starting service would run again (podman's --requires)
    assert not any("init" in (svc.get("depends_on") or []) for svc in compose["services"].values())


def test_k8s_singleuser_has_no_egress():
    values = yaml.safe_load((DOCKER / "k8s" / "jupyterhub-values.yaml").read_text())
    np = values["singleuser"]["networkPolicy"]
    assert np["enabled"] and np["egress"] == []
    assert not any(np["egressAllowRules"].values())
    assert values["singleuser"]["allowPrivilegeEscalation"] is False
    assert values["cull"]["enabled"] is False
