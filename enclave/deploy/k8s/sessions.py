"""A researcher's session on a cluster: the single-user pod (made by KubeSpawner's own pod
builder, as the hub would), the case's query broker as a pod of its own, and the network policy
that lets the two, the proxy and the hub talk and nothing else.

Same guarantees as the native sandbox: non-root, no privilege escalation, every capability
dropped, read-only root, the enclave's seccomp profile, no service-account token, no DNS (the
hub and the submission service are reached by fixed ClusterIPs), resource limits from the
policy, and no data in the session: only the broker mounts the case's extract, read-only.
"""
from __future__ import annotations

from typing import Any

from enclave.deploy.k8s.config import K8sConfig
from enclave.deploy.k8s.security import container_security, hardened_pod_spec

APP = "nhi-enclave"
SESSION_PORT = 8888
BROKER_PORT = 8765
HUB_PORT = 8081
WARDEN_PORT = 8090
EGRESS_SESSION_PORT = 8202


def session_labels(user: str, component: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": APP, "app.kubernetes.io/component": component,
            "enclave.nhi/session": user}


def _no_dns() -> dict[str, Any]:
    # dnsPolicy None needs one nameserver: loopback, where nothing answers
    return {"dnsPolicy": "None", "dnsConfig": {"nameservers": ["127.0.0.1"]}}


def _limits(memory_mb: int, cpu_percent: int) -> dict[str, Any]:
    # quantities as strings: "1.5" CPUs, never a float's "1.4999…"
    return {"mem_limit": f"{memory_mb}Mi", "mem_guarantee": f"{memory_mb}Mi",
            "cpu_limit": f"{cpu_percent / 100:g}", "cpu_guarantee": f"{min(cpu_percent / 100, 0.5):g}"}


def session_home() -> str:
    """The session's HOME: the pod's own emptyDir, never the persistent workspace volume - a
    home there carried IPython startup files, ``~/.jupyter`` server config (Python the server
    runs, after the enclave's own), kernel specs and rc files from one session into every next
    one (S1, as the native sandbox's home is a fresh tmpfs)."""
    return "/home/jovyan"


def session_pod(policy, cfg: K8sConfig, *, user: str, uid: int, case_code: str) -> dict[str, Any]:
    from kubespawner.objects import make_pod

    s = policy.sessions
    spec_extra = hardened_pod_spec(cfg, uid=uid, gid=uid, sandboxed=True)
    pod = make_pod(
        name=f"jupyter-{user}", cmd=["jupyterhub-singleuser"], port=SESSION_PORT, image=cfg.image,
        image_pull_policy="IfNotPresent", uid=uid, gid=uid, fs_gid=uid,
        allow_privilege_escalation=False, container_security_context=container_security(),
        pod_security_context=spec_extra.pop("securityContext"),
        env={"JUPYTERHUB_API_URL": f"http://{cfg.hub_cluster_ip}:{HUB_PORT}/hub/api",
             "EGRESS_URL": f"http://{cfg.egress_session_cluster_ip}:{EGRESS_SESSION_PORT}",
             "ENCLAVE_CASE": case_code, "HOME": session_home(), "PYTHONSAFEPATH": "1"},
        working_dir="/home/jovyan",
        volumes=[{"name": "workspace", "persistentVolumeClaim": {"claimName": "enclave-workspaces"}},
                 {"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}},
                 {"name": "home", "emptyDir": {"sizeLimit": "64Mi"}}],
        volume_mounts=[{"name": "workspace", "mountPath": "/workspace", "subPath": f"{case_code}/{user}"},
                       {"name": "tmp", "mountPath": "/tmp"},
                       {"name": "home", "mountPath": "/home/jovyan"}],
        labels=session_labels(user, "singleuser-server"),
        automount_service_account_token=False,
        extra_pod_config={**spec_extra, **_no_dns()},
        **_limits(s.sandbox_memory_mb, s.sandbox_cpu_percent))
    return _as_dict(pod)


def broker_pod(policy, cfg: K8sConfig, *, user: str, case_id: int, case_code: str) -> dict[str, Any]:
    from kubespawner.objects import make_pod

    s = policy.sessions
    uid = s.broker_uid_base + case_id
    spec_extra = hardened_pod_spec(cfg, uid=uid, gid=uid, sandboxed=True)
    pod = make_pod(
        name=f"broker-{user}", cmd=["python", "-m", "hub_config.broker"], port=BROKER_PORT,
        image=cfg.image, image_pull_policy="IfNotPresent", uid=uid, gid=uid, fs_gid=uid,
        allow_privilege_escalation=False, container_security_context=container_security(),
        pod_security_context=spec_extra.pop("securityContext"),
        # hub_config.broker's own settings; ENCLAVE_BROKER_AUTH comes from the session's Secret
        # TCP is HTTPS only (hub_config.broker.listen): certificate and key from the same Secret
        env={"ENCLAVE_BROKER_LISTEN": f"0.0.0.0:{BROKER_PORT}", "ENCLAVE_CASE_DATA": "/case/data",
             "ENCLAVE_BROKER_TLS_CERT": "/run/broker-tls/tls.crt",
             "ENCLAVE_BROKER_TLS_KEY": "/run/broker-tls/tls.key",
             "ENCLAVE_WARDEN_URL": f"http://{cfg.hub_cluster_ip}:{WARDEN_PORT}",
             "ENCLAVE_CASE": case_code,
             "ENCLAVE_QUERY_MAX_ROWS": str(s.query_max_result_rows),
             "ENCLAVE_QUERY_MAX_BYTES": str(s.query_max_result_bytes),
             "ENCLAVE_PURPOSE_MIN_LENGTH": str(s.purpose_min_length),
             "ENCLAVE_BROKER_MEMORY_MB": str(s.broker_memory_mb),
             "ENCLAVE_BROKER_THREADS": str(s.broker_compute_threads),
             "ENCLAVE_BROKER_AUTH": {"valueFrom": {"secretKeyRef": {"name": f"broker-{user}",
                                                                    "key": "auth"}}},
             # the case's sealing key (E6): in the broker, never in the session
             "ENCLAVE_PROVENANCE_KEY": {"valueFrom": {"secretKeyRef": {
                 "name": f"broker-{user}", "key": "provenance", "optional": True}}},
             # the case's extract key (O3): the extract is encrypted at rest; not optional when
             # the policy requires encryption, so a pod without it never starts half-configured
             "ENCLAVE_DATA_KEY": {"valueFrom": {"secretKeyRef": {
                 "name": f"broker-{user}", "key": "data",
                 "optional": not policy.data.encrypt_at_rest}}},
             "ENCLAVE_DATA_ENCRYPTED": "required" if policy.data.encrypt_at_rest else "optional"},
        volumes=[{"name": "extract", "persistentVolumeClaim": {"claimName": "enclave-data",
                                                               "readOnly": True}},
                 {"name": "tmp", "emptyDir": {"sizeLimit": "2Gi"}},
                 {"name": "broker-tls", "secret": {"secretName": f"broker-{user}", "defaultMode": 0o400,
                                                   "items": [{"key": "tls.crt", "path": "tls.crt"},
                                                             {"key": "tls.key", "path": "tls.key"}]}}],
        volume_mounts=[{"name": "extract", "mountPath": "/case/data", "readOnly": True,
                        "subPath": f"projects/{case_code}/data"},
                       {"name": "tmp", "mountPath": "/tmp"},
                       {"name": "broker-tls", "mountPath": "/run/broker-tls", "readOnly": True}],
        labels=session_labels(user, "broker"),
        automount_service_account_token=False,
        extra_pod_config={**spec_extra, **_no_dns()},
        **_limits(s.broker_memory_mb, s.broker_cpu_percent))
    return _as_dict(pod)


def session_network_policy(cfg: K8sConfig, user: str) -> dict[str, Any]:
    """One session's pair: its server talks to the proxy, the hub, the submission service and
    its own broker; the broker answers only that server and reaches only the warden."""
    def pods(ns: str, component: str, **extra) -> dict[str, Any]:
        return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}},
                "podSelector": {"matchLabels": {"app.kubernetes.io/component": component, **extra}}}

    server = {"app.kubernetes.io/component": "singleuser-server", "enclave.nhi/session": user}
    broker = {"app.kubernetes.io/component": "broker", "enclave.nhi/session": user}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "List", "items": [
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
         "metadata": {"name": f"session-{user}", "namespace": cfg.sessions_namespace},
         "spec": {"podSelector": {"matchLabels": server}, "policyTypes": ["Ingress", "Egress"],
                  "ingress": [{"from": [pods(cfg.namespace, "proxy"), pods(cfg.namespace, "hub")],
                               "ports": [{"port": SESSION_PORT, "protocol": "TCP"}]}],
                  "egress": [
                      {"to": [pods(cfg.namespace, "hub")], "ports": [{"port": HUB_PORT, "protocol": "TCP"}]},
                      {"to": [pods(cfg.namespace, "egress-session")],
                       "ports": [{"port": EGRESS_SESSION_PORT, "protocol": "TCP"}]},
                      {"to": [{"podSelector": {"matchLabels": broker}}],
                       "ports": [{"port": BROKER_PORT, "protocol": "TCP"}]}]}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
         "metadata": {"name": f"broker-{user}", "namespace": cfg.sessions_namespace},
         "spec": {"podSelector": {"matchLabels": broker}, "policyTypes": ["Ingress", "Egress"],
                  "ingress": [{"from": [{"podSelector": {"matchLabels": server}}],
                               "ports": [{"port": BROKER_PORT, "protocol": "TCP"}]}],
                  "egress": [{"to": [pods(cfg.namespace, "hub")],
                              "ports": [{"port": WARDEN_PORT, "protocol": "TCP"}]}]}},
    ]}


def _as_dict(obj) -> dict[str, Any]:
    # KubeSpawner's own client library turns its model objects into the API's JSON
    from kubernetes_asyncio.client import ApiClient

    # (a bare instance: serialising needs no HTTP client, whose constructor wants an event loop)
    return object.__new__(ApiClient).sanitize_for_serialization(obj)
