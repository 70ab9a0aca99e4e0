"""The cluster objects of one enclave: two namespaces under the 'restricted' Pod Security
Standard, default-deny network policies with one allow rule per real conversation, the hub and
proxy, the three web services and the session-facing submission service, PostgreSQL as the
state database, shared storage for the warehouse/extracts and the workspaces, and the node's
seccomp profile.  Researchers reach only the proxy; outsiders only the release area.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from enclave.deploy.k8s.config import K8sConfig
from enclave.deploy.k8s.security import (container_security, hardened_pod_spec,
                                         seccomp_profile, service_seccomp_profile)
from enclave.deploy.k8s.sessions import (APP, EGRESS_SESSION_PORT, HUB_PORT, SESSION_PORT,
                                         WARDEN_PORT, broker_pod, session_network_policy,
                                         session_pod)

SERVICE_UID = 10001
PG_UID = 999
# component -> (port, command, public?)
WEB = {
    "control": (8100, ["uvicorn", "--factory", "enclave.web.app:create_app", "--host", "0.0.0.0",
                       "--port", "8100"], False),
    "review": (8201, ["python", "-m", "egress_review.serve", "--mode", "internal", "--host", "0.0.0.0",
                      "--port", "8201"], False),
    "release": (8200, ["python", "-m", "egress_review.serve", "--mode", "external", "--host", "0.0.0.0",
                       "--port", "8200"], True),
    # the session app alone; it checks each caller's hub token with the hub's API
    "egress-session": (EGRESS_SESSION_PORT, ["python", "-m", "egress_review.serve", "--mode", "session",
                                             "--host", "0.0.0.0", "--port", str(EGRESS_SESSION_PORT),
                                             "--hub-api-url", f"http://hub:{HUB_PORT}/hub/api"], False),
}
PROXY_PORT, PROXY_API_PORT, PG_PORT = 8000, 8001, 5432


def _labels(component: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": APP, "app.kubernetes.io/component": component}


def _meta(cfg: K8sConfig, name: str, component: str, ns: str | None = None) -> dict[str, Any]:
    return {"name": name, "namespace": ns or cfg.namespace, "labels": _labels(component)}


def _namespace(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": {
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/enforce-version": "latest",
                "pod-security.kubernetes.io/audit": "restricted",
                "pod-security.kubernetes.io/warn": "restricted"}}}


def _container(cfg: K8sConfig, name: str, cmd: list[str], port: int, env: dict[str, str],
               mounts: list[dict], memory: str, cpu: str) -> dict[str, Any]:
    return {"name": name, "image": cfg.image, "imagePullPolicy": "IfNotPresent", "command": cmd,
            "ports": [{"containerPort": port, "protocol": "TCP"}],
            "env": [{"name": k, "value": v} for k, v in sorted(env.items())] + [
                {"name": "ENCLAVE_DB_PASSWORD",
                 "valueFrom": {"secretKeyRef": {"name": "enclave-db", "key": "password"}}}],
            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}, *mounts],
            "resources": {"limits": {"memory": memory, "cpu": cpu},
                          "requests": {"memory": memory, "cpu": "100m"}},
            "securityContext": container_security(),
            "readinessProbe": {"tcpSocket": {"port": port}, "periodSeconds": 5}}


def _deployment(cfg: K8sConfig, component: str, containers: list[dict], volumes: list[dict], *,
                replicas: int, sa: str | None = None, uid: int = SERVICE_UID) -> dict[str, Any]:
    spec = hardened_pod_spec(cfg, uid=uid, gid=uid, sa_token=sa is not None)
    if sa:
        spec["serviceAccountName"] = sa
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta(cfg, component, component),
            "spec": {"replicas": replicas, "selector": {"matchLabels": _labels(component)},
                     "strategy": {"type": "Recreate"} if replicas == 1 else {"type": "RollingUpdate"},
                     "template": {"metadata": {"labels": _labels(component)},
                                  "spec": {**spec, "containers": containers,
                                           "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}},
                                                       *volumes]}}}}


def _service(cfg: K8sConfig, component: str, ports: list[int], *, public: bool = False,
             cluster_ip: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"selector": _labels(component), "type": "LoadBalancer" if public else "ClusterIP",
                            "ports": [{"name": f"p{p}", "port": p, "targetPort": p, "protocol": "TCP"}
                                      for p in ports]}
    if cluster_ip:
        spec["clusterIP"] = cluster_ip
    return {"apiVersion": "v1", "kind": "Service", "metadata": _meta(cfg, component, component), "spec": spec}


def _pvc(cfg: K8sConfig, name: str, storage_class: str, size: str, mode: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": _meta(cfg, name, "storage"),
            "spec": {"accessModes": [mode], "storageClassName": storage_class,
                     "resources": {"requests": {"storage": size}}}}


def _peer(cfg: K8sConfig, component: str, ns: str | None = None) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns or cfg.namespace}},
            "podSelector": {"matchLabels": {"app.kubernetes.io/component": component}}}


def _allow(cfg: K8sConfig, component: str, ingress: list[tuple[list[dict], int]],
           egress: list[tuple[list[dict], int]]) -> dict[str, Any]:
    def rules(pairs, key):
        return [{key: peers, "ports": [{"port": port, "protocol": "TCP"}]} if peers
                else {"ports": [{"port": port, "protocol": "TCP"}]} for peers, port in pairs]

    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": _meta(cfg, f"allow-{component}", component),
            "spec": {"podSelector": {"matchLabels": _labels(component)},
                     "policyTypes": ["Ingress", "Egress"],
                     "ingress": rules(ingress, "from"), "egress": rules(egress, "to")}}


def _deny_all(cfg: K8sConfig, ns: str) -> dict[str, Any]:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "default-deny", "namespace": ns},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}


def network_policies(cfg: K8sConfig) -> list[dict[str, Any]]:
    pg = [_peer(cfg, "postgres")]
    ldap = [{"ipBlock": {"cidr": cfg.ldap_cidr}}]
    dns = [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}]
    sessions = _peer(cfg, "singleuser-server", cfg.sessions_namespace)
    brokers = _peer(cfg, "broker", cfg.sessions_namespace)
    hub = [_peer(cfg, "hub")]
    web_egress = [(pg, PG_PORT), (ldap, 636), (dns, 53), (hub, HUB_PORT)]
    out = [_deny_all(cfg, cfg.namespace), _deny_all(cfg, cfg.sessions_namespace),
           _allow(cfg, "proxy", ingress=[([], PROXY_PORT), (hub, PROXY_API_PORT)],
                  egress=[(hub, HUB_PORT), ([sessions], SESSION_PORT), (dns, 53)]),
           _allow(cfg, "hub",
                  ingress=[([_peer(cfg, "proxy")], HUB_PORT), ([sessions], HUB_PORT),
                           ([brokers], WARDEN_PORT),
                           ([_peer(cfg, c) for c in ("control", "review", "release", "egress-session")],
                            HUB_PORT)],
                  egress=[([_peer(cfg, "proxy")], PROXY_API_PORT), (pg, PG_PORT), (ldap, 636),
                          ([{"ipBlock": {"cidr": cfg.api_server_cidr}}], 443),
                          ([{"ipBlock": {"cidr": cfg.api_server_cidr}}], 6443),
                          ([sessions], SESSION_PORT), (dns, 53)]),
           _allow(cfg, "postgres",
                  ingress=[([_peer(cfg, c) for c in ("hub", "control", "review", "release",
                                                       "egress-session")], PG_PORT)],
                  egress=[])]
    for comp, (port, _cmd, public) in WEB.items():
        if comp == "egress-session":
            out.append(_allow(cfg, comp, ingress=[([sessions], port)],
                              egress=[(pg, PG_PORT), (hub, HUB_PORT), (dns, 53)]))
        elif comp == "release":
            out.append(_allow(cfg, comp, ingress=[([], port)], egress=[(pg, PG_PORT), (ldap, 636), (dns, 53)]))
        else:
            out.append(_allow(cfg, comp, ingress=[([], port)], egress=web_egress))
    return out


def hub_rbac(cfg: K8sConfig) -> list[dict[str, Any]]:
    """KubeSpawner creates sessions, brokers, their addresses, credentials, CA certificates and
    network policies in the sessions namespace, and nothing else anywhere."""
    meta = {"name": "hub", "namespace": cfg.sessions_namespace, "labels": _labels("hub")}
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(cfg, "hub", "hub"),
         "automountServiceAccountToken": True},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta,
         "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch", "create", "delete"]},
                   {"apiGroups": [""], "resources": ["events"], "verbs": ["get", "list", "watch"]},
                   {"apiGroups": ["networking.k8s.io"], "resources": ["networkpolicies"],
                    "verbs": ["get", "create", "delete"]},
                   # each broker's credential: written and removed, never read back
                   {"apiGroups": [""], "resources": ["secrets"], "verbs": ["create", "delete"]},
                   # each broker's fixed address and each session's CA certificate
                   {"apiGroups": [""], "resources": ["services", "configmaps"],
                    "verbs": ["create", "delete"]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": meta,
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "hub"},
         "subjects": [{"kind": "ServiceAccount", "name": "hub", "namespace": cfg.namespace}]},
    ]


def workloads(policy, cfg: K8sConfig) -> list[dict[str, Any]]:
    env = {"ENCLAVE_HOME": "/var/lib/enclave", "ENCLAVE_POLICY": f"/etc/enclave/policy",
           "ENCLAVE_DB_URL": f"postgresql+psycopg://enclave@postgres.{cfg.namespace}:{PG_PORT}/enclave",
           "ENCLAVE_LDAP_URI": cfg.ldap_uri}
    data = {"name": "data", "persistentVolumeClaim": {"claimName": "enclave-data"}}
    policy_vol = {"name": "policy", "configMap": {"name": "enclave-policy"}}
    mounts = [{"name": "data", "mountPath": "/var/lib/enclave"},
              {"name": "policy", "mountPath": "/etc/enclave/policy", "readOnly": True}]
    out: list[dict[str, Any]] = []
    hub = _container(cfg, "hub", ["jupyterhub", "-f", "/opt/enclave/hub_config/jupyterhub_config.py"],
                     HUB_PORT, {**env, "ENCLAVE_SPAWNER": "kubernetes",
                                "ENCLAVE_SESSIONS_NAMESPACE": cfg.sessions_namespace}, mounts, "2Gi", "2")
    hub["ports"].append({"containerPort": WARDEN_PORT, "protocol": "TCP"})
    out.append(_deployment(cfg, "hub", [hub], [data, policy_vol], replicas=cfg.hub_replicas, sa="hub"))
    out.append(_service(cfg, "hub", [HUB_PORT, WARDEN_PORT], cluster_ip=cfg.hub_cluster_ip))
    proxy = _container(cfg, "proxy", ["configurable-http-proxy", "--port", str(PROXY_PORT),
                                      "--api-port", str(PROXY_API_PORT), "--api-ip", "0.0.0.0",
                                      "--default-target", f"http://hub:{HUB_PORT}", "--error-target",
                                      f"http://hub:{HUB_PORT}/hub/error"], PROXY_PORT, {}, [], "512Mi", "1")
    out.append(_deployment(cfg, "proxy", [proxy], [], replicas=1))
    out.append(_service(cfg, "proxy", [PROXY_PORT], public=True))
    out.append(_service(cfg, "proxy-api", [PROXY_API_PORT]) | {"spec": {
        "selector": _labels("proxy"), "type": "ClusterIP",
        "ports": [{"name": "api", "port": PROXY_API_PORT, "targetPort": PROXY_API_PORT, "protocol": "TCP"}]}})
    for comp, (port, cmd, public) in WEB.items():
        c = _container(cfg, comp, cmd, port, env, mounts, "1Gi", "1")
        out.append(_deployment(cfg, comp, [c], [data, policy_vol], replicas=cfg.web_replicas))
        out.append(_service(cfg, comp, [port], public=public,
                            cluster_ip=cfg.egress_session_cluster_ip if comp == "egress-session" else None))
    pg_spec = hardened_pod_spec(cfg, uid=PG_UID, gid=PG_UID)
    pg = {"name": "postgres", "image": "postgres:15", "imagePullPolicy": "IfNotPresent",
          "ports": [{"containerPort": PG_PORT, "protocol": "TCP"}],
          "env": [{"name": "POSTGRES_USER", "value": "enclave"}, {"name": "POSTGRES_DB", "value": "enclave"},
                  {"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"},
                  {"name": "POSTGRES_PASSWORD",
                   "valueFrom": {"secretKeyRef": {"name": "enclave-db", "key": "password"}}}],
          "volumeMounts": [{"name": "pgdata", "mountPath": "/var/lib/postgresql/data"},
                           {"name": "tmp", "mountPath": "/tmp"},
                           {"name": "run", "mountPath": "/var/run/postgresql"}],
          "resources": {"limits": {"memory": "4Gi", "cpu": "2"}, "requests": {"memory": "1Gi", "cpu": "250m"}},
          "securityContext": container_security()}
    out.append({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": _meta(cfg, "postgres", "postgres"),
                "spec": {"serviceName": "postgres", "replicas": 1,
                         "selector": {"matchLabels": _labels("postgres")},
                         "template": {"metadata": {"labels": _labels("postgres")},
                                      "spec": {**pg_spec, "containers": [pg],
                                               "volumes": [{"name": "tmp", "emptyDir": {}},
                                                           {"name": "run", "emptyDir": {}}]}},
                         "volumeClaimTemplates": [{"metadata": {"name": "pgdata"},
                                                   "spec": {"accessModes": ["ReadWriteOnce"],
                                                            "resources": {"requests": {"storage": cfg.postgres_size}}}}]}})
    out.append(_service(cfg, "postgres", [PG_PORT]))
    return out


def storage(cfg: K8sConfig) -> list[dict[str, Any]]:
    out = [_pvc(cfg, "enclave-data", cfg.data_storage_class, cfg.data_size, "ReadWriteMany")]
    for ns in (cfg.sessions_namespace,):
        ws = _pvc(cfg, "enclave-workspaces", cfg.workspace_storage_class, cfg.workspaces_size, "ReadWriteMany")
        ws["metadata"]["namespace"] = ns
        out.append(ws)
        data_ro = _pvc(cfg, "enclave-data", cfg.data_storage_class, cfg.data_size, "ReadOnlyMany")
        data_ro["metadata"]["namespace"] = ns
        out.append(data_ro)
    return out


def config_maps(policy, cfg: K8sConfig) -> list[dict[str, Any]]:
    return [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(cfg, "enclave-policy", "policy"),
             "data": {"policy.json": json.dumps(policy.model_dump(mode="json"), sort_keys=True,
                                                ensure_ascii=False)}},
            {"apiVersion": "v1", "kind": "ConfigMap",
             "metadata": _meta(cfg, "enclave-seccomp", "node-setup"),
             "data": {Path(cfg.seccomp_profile).name: json.dumps(seccomp_profile(), indent=1),
                      Path(cfg.service_seccomp_profile).name: json.dumps(service_seccomp_profile(), indent=1)}}]


def render_all(policy, cfg: K8sConfig | None = None, *, example_user: str = "researcher",
               example_case_id: int = 1, example_case: str = "C2026-0001") -> list[dict[str, Any]]:
    """Every object of the deployment, plus one session's pods and policy as KubeSpawner and
    the hub would create them (so that they are validated like the rest)."""
    cfg = cfg or K8sConfig()
    uid = policy.sessions.sandbox_uid_base + 1
    example = [session_pod(policy, cfg, user=example_user, uid=uid, case_code=example_case),
               broker_pod(policy, cfg, user=example_user, case_id=example_case_id, case_code=example_case),
               *session_network_policy(cfg, example_user)["items"]]
    for obj in example[:2]:
        obj["metadata"]["namespace"] = cfg.sessions_namespace
    return [_namespace(cfg.namespace), _namespace(cfg.sessions_namespace), *config_maps(policy, cfg),
            *storage(cfg), *hub_rbac(cfg), *network_policies(cfg), *workloads(policy, cfg), *example]
