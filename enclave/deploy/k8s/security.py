"""The guarantees every pod of the enclave carries, and the node's seccomp profile.

The profile is the same deny list the native sandbox compiles with libseccomp
(``hub_config.seccomp_filter``), written in the OCI format that the kubelet loads for a
``Localhost`` profile, so a session has the same syscall surface on one host and on a cluster.
"""
from __future__ import annotations

from typing import Any

from enclave.deploy.k8s.config import K8sConfig



def pod_security(cfg: K8sConfig, uid: int, gid: int) -> dict[str, Any]:
    return {"runAsNonRoot": True, "runAsUser": uid, "runAsGroup": gid, "fsGroup": gid,
            "seccompProfile": {"type": "Localhost", "localhostProfile": cfg.seccomp_profile}}


def container_security() -> dict[str, Any]:
    return {"allowPrivilegeEscalation": False, "privileged": False, "readOnlyRootFilesystem": True,
            "runAsNonRoot": True, "capabilities": {"drop": ["ALL"]}, "procMount": "Default"}


def hardened_pod_spec(cfg: K8sConfig, *, uid: int, gid: int, sa_token: bool = False) -> dict[str, Any]:
    """Pod-level fields shared by every workload (Pod Security Standard 'restricted' and more)."""
    return {"securityContext": pod_security(cfg, uid, gid),
            "automountServiceAccountToken": sa_token, "enableServiceLinks": False,
            "hostNetwork": False, "hostPID": False, "hostIPC": False, "shareProcessNamespace": False}


def seccomp_profile() -> dict[str, Any]:
    """OCI seccomp profile: allow by default, refuse with EPERM what the native filter refuses."""
    from hub_config.seccomp_filter import DENIED, NAMESPACE_FLAGS

    eperm = 1
    return {
        "defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"],
        "syscalls": [
            {"names": sorted(DENIED), "action": "SCMP_ACT_ERRNO", "errnoRet": eperm},
            # clone with a namespace flag set: one rule per flag, as (flags & F) == F (the
            # arguments of one rule are ANDed; flags are the first argument on x86_64)
            *({"names": ["clone"], "action": "SCMP_ACT_ERRNO", "errnoRet": eperm,
               "args": [{"index": 0, "value": flag, "valueTwo": flag, "op": "SCMP_CMP_MASKED_EQ"}]}
              for flag in NAMESPACE_FLAGS),
            # clone3 passes its flags in memory a filter cannot read: refuse it, glibc falls back
            {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
        ],
    }
