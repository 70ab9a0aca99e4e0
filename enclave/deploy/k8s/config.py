"""What an operator chooses for a cluster; everything else follows from the policy."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


# a Kubernetes namespace name (DNS label)
NAMESPACE = r"^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$"


class K8sConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    namespace: str = Field("nhi-enclave", pattern=NAMESPACE)
    sessions_namespace: str = Field("nhi-sessions", pattern=NAMESPACE)
    image: str = "nhi-enclave:latest"
    kubernetes_version: str = "1.33"
    # the directory service stays outside the cluster (the centre's own LDAP)
    ldap_uri: str = "ldaps://ldap.internal:636"
    # the Kubernetes API, which only the hub may reach (KubeSpawner creates the session pods)
    api_server_cidr: str = "10.96.0.1/32"
    ldap_cidr: str = "10.0.0.0/8"
    # warehouse and extracts on shared storage (ReadOnlyMany for sessions' brokers)
    data_storage_class: str = "enclave-data"
    workspace_storage_class: str = "enclave-workspaces"
    data_size: str = "2Ti"
    workspaces_size: str = "500Gi"
    postgres_size: str = "50Gi"
    # the seccomp profile installed on every node as <kubelet root>/seccomp/<this path>
    seccomp_profile: str = "profiles/nhi-enclave-session.json"
    # ... and the one for every other pod (hub, proxy, web services, PostgreSQL): the sandbox's
    # deny layer alone, allow by default - the session allow list was measured on sessions only
    service_seccomp_profile: str = "profiles/nhi-enclave-service.json"
    # sessions get no DNS (a DNS tunnel is a way out): they reach the hub and the submission
    # service by fixed ClusterIPs inside the service range
    hub_cluster_ip: str = "10.96.10.10"
    egress_session_cluster_ip: str = "10.96.10.11"
    hub_replicas: int = Field(1, ge=1, le=1)  # JupyterHub runs one hub process
    web_replicas: int = Field(2, ge=1, le=20)
