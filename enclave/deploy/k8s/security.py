"""The guarantees every pod of the enclave carries, and the node's seccomp profile.

The profile is rendered from the same rule model the native sandbox compiles with libseccomp
(``hub_config.seccomp_rules``: its deny layer and its default-deny allow layer, as one filter),
in the OCI format that the kubelet loads for a ``Localhost`` profile, so a session has the same
syscall surface on one host and on a cluster.
"""
from __future__ import annotations

from typing import Any

from enclave.deploy.k8s.config import K8sConfig


def pod_security(cfg: K8sConfig, uid: int, gid: int, *, sandboxed: bool = False) -> dict[str, Any]:
    """``sandboxed``: a session or its broker (the native sandbox's whole filter); every other
    pod gets the deny layer alone (:func:`service_seccomp_profile`)."""
    profile = cfg.seccomp_profile if sandboxed else cfg.service_seccomp_profile
    return {"runAsNonRoot": True, "runAsUser": uid, "runAsGroup": gid, "fsGroup": gid,
            "seccompProfile": {"type": "Localhost", "localhostProfile": profile}}


def container_security() -> dict[str, Any]:
    return {"allowPrivilegeEscalation": False, "privileged": False, "readOnlyRootFilesystem": True,
            "runAsNonRoot": True, "capabilities": {"drop": ["ALL"]}, "procMount": "Default"}


def hardened_pod_spec(cfg: K8sConfig, *, uid: int, gid: int, sa_token: bool = False,
                      sandboxed: bool = False) -> dict[str, Any]:
    """Pod-level fields shared by every workload (Pod Security Standard 'restricted' and more)."""
    return {"securityContext": pod_security(cfg, uid, gid, sandboxed=sandboxed),
            "automountServiceAccountToken": sa_token, "enableServiceLinks": False,
            "hostNetwork": False, "hostPID": False, "hostIPC": False, "shareProcessNamespace": False}


def seccomp_profile() -> dict[str, Any]:
    """OCI seccomp profile rendered from the native sandbox's rule model
    (:func:`hub_config.seccomp_rules.oci_profile`): default ENOSYS, the allow list, every
    argument rule of both native layers (ioctl and prctl requests, socket families, types and
    protocols, clone namespace flags, personality, inotify read events, dnotify, RWF_NOWAIT,
    MADV_MERGEABLE, terminal injection)."""
    from hub_config.seccomp_rules import oci_profile

    return oci_profile()


def service_seccomp_profile() -> dict[str, Any]:
    """The native deny layer alone (default allow), for pods that are not sessions: the session
    profile's allow list was measured on sessions only (:func:`seccomp_rules.deny_only_profile`).
    Shipped beside the session profile; sessions and brokers name that one."""
    from hub_config.seccomp_rules import deny_only_profile

    return deny_only_profile()
