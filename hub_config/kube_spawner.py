"""The hub's spawner on a cluster (issue 18): KubeSpawner for the session pod, plus what the
local sandbox spawner gives every session on one host - the case's query broker as a pod of
its own, its credential, and the network policy that lets the two talk and nothing else.

At start, before KubeSpawner makes the session pod:

1. a ClusterIP Service ``broker-<user>`` (sessions have no DNS: they reach the broker by this
   fixed address, which exists as soon as the Service does);
2. a Secret ``broker-<user>`` with the session's credential (its hub API token, the same
   credential the broker checks on one host) and a short-lived certificate for that address
   from the enclave's CA (the broker serves TCP over HTTPS only: ``hub_config.broker.listen``);
3. the broker pod (``enclave.deploy.k8s.sessions.broker_pod``: the case's extract read-only,
   the broker uid of the case, no service-account token, no DNS) and the two NetworkPolicies of
   the session (``session_network_policy``);
4. the session's environment: the broker's HTTPS address, the case, and the CA to trust -
   ``SSL_CERT_FILE`` names ``session_ca_file``, where the session pod mounts, read-only, the
   ConfigMap ``session-ca-<user>`` holding the enclave CA's certificate (created here, per
   session, from the same CA that issues the broker's certificate, so the anchor the session
   trusts is always the issuer of the address it talks to; certificates only, never a key).

Everything is removed again at stop, and on a failed start.  The objects themselves are the
ones ``enclave deploy k8s`` renders and validates against the Kubernetes schemas.
"""
from __future__ import annotations

import asyncio
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from kubespawner import KubeSpawner
from tornado import web
from traitlets import Dict, Float, TraitError, Unicode, validate

from hub_config.session_case import CaseState
from enclave.deploy.k8s.config import K8sConfig
from enclave.deploy.k8s.sessions import BROKER_PORT, broker_pod, session_labels, session_network_policy

CA_VOLUME = "enclave-ca"


def enclave_ca_pem(directory: Path | None = None) -> str:
    """The enclave CA's certificates, parsed and written out again: whatever else the file
    holds (a key pasted beside them) never reaches a session.  Every certificate must be a CA's."""
    from enclave.settings import get_settings

    path = Path(directory or get_settings().tls_dir) / "ca.pem"
    try:
        certs = x509.load_pem_x509_certificates(path.read_bytes())
    except OSError as e:
        raise web.HTTPError(503, f"the enclave CA {path} is not readable ({e.strerror})") from None
    except ValueError:
        raise web.HTTPError(503, f"the enclave CA {path} holds no PEM certificate") from None
    for cert in certs:
        try:
            is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        except x509.ExtensionNotFound:
            is_ca = False
        if not is_ca:
            raise web.HTTPError(503, f"the enclave CA {path} holds a certificate that is not a "
                                     f"CA's ({cert.subject.rfc4514_string()})")
    return "".join(c.public_bytes(Encoding.PEM).decode() for c in certs)


def _put(current: list | dict, item: dict) -> list | dict:
    # KubeSpawner takes volumes and mounts as a list or a dict; a restart replaces ours
    if isinstance(current, dict):
        return {**current, item["name"]: item}
    return [*(v for v in current if v.get("name") != item["name"]), item]


class EnclaveKubeSpawner(CaseState, KubeSpawner):
    # set by the booking pre-spawn hook (hub_config.auth.booking_pre_spawn_hook)
    enclave: dict | None = None

    enclave_k8s = Dict(config=True, help="K8sConfig fields (enclave.deploy.k8s.config).")
    enclave_policy_dir = Unicode("", config=True, help="Policy directory ('' = $ENCLAVE_POLICY).")
    broker_start_timeout = Float(120, config=True, help="Seconds to wait for the broker pod.")
    session_ca_file = Unicode("/etc/enclave/ca.pem", config=True,
                              help="Where the session pod finds the enclave CA (its SSL_CERT_FILE).")

    @validate("session_ca_file")
    def _ca_path(self, proposal):
        path = PurePosixPath(proposal["value"])
        if (not path.is_absolute() or ".." in path.parts or len(path.parts) < 3
                or proposal["value"].endswith("/")):
            raise TraitError(f"session_ca_file must be an absolute file path below a directory "
                             f"(e.g. /etc/enclave/ca.pem), not {proposal['value']!r}")
        return str(path)

    # ------------------------------------------------------------------ the objects
    def _k8s(self) -> K8sConfig:
        return K8sConfig(**self.enclave_k8s)

    def _policy(self):
        from policies import load_policy

        return load_policy(self.enclave_policy_dir or None)

    def _session_name(self) -> str:
        # the name KubeSpawner gives this user's objects (DNS-label safe)
        return self._expand_user_properties("{username}")

    def broker_service(self) -> dict[str, Any]:
        cfg, user = self._k8s(), self._session_name()
        return {"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": f"broker-{user}", "namespace": cfg.sessions_namespace,
                             "labels": session_labels(user, "broker")},
                "spec": {"type": "ClusterIP", "selector": session_labels(user, "broker"),
                         "ports": [{"port": BROKER_PORT, "targetPort": BROKER_PORT, "protocol": "TCP"}]}}

    def broker_secret(self, cluster_ip: str) -> dict[str, Any]:
        from enclave.tls import issue_certificate

        from hub_config.broker_launch import data_key_hex, provenance_key_hex

        cfg, user = self._k8s(), self._session_name()
        chain, key = issue_certificate([cluster_ip])
        data = {"auth": f"token {self.api_token}", "tls.crt": chain.decode(), "tls.key": key.decode()}
        seal = provenance_key_hex(self.enclave["case_code"])
        if seal:
            data["provenance"] = seal
        data_key = data_key_hex(self.enclave["case_code"])
        if data_key:      # O3: only the broker pod reads the encrypted extract
            data["data"] = data_key
        return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                "metadata": {"name": f"broker-{user}", "namespace": cfg.sessions_namespace,
                             "labels": session_labels(user, "broker")},
                "stringData": data}

    def session_ca_config_map(self) -> dict[str, Any]:
        cfg, user = self._k8s(), self._session_name()
        return {"apiVersion": "v1", "kind": "ConfigMap", "immutable": True,
                "metadata": {"name": f"session-ca-{user}", "namespace": cfg.sessions_namespace,
                             "labels": session_labels(user, "singleuser-server")},
                "data": {"ca.pem": enclave_ca_pem()}}

    def _mount_ca(self) -> None:
        """The session pod gets the CA file, read-only, at ``session_ca_file`` (one file
        mounted by subPath: nothing else in its directory is hidden)."""
        vol = {"name": CA_VOLUME, "configMap": {"name": f"session-ca-{self._session_name()}",
                                                "defaultMode": 0o444, "optional": False,
                                                "items": [{"key": "ca.pem", "path": "ca.pem"}]}}
        mount = {"name": CA_VOLUME, "mountPath": self.session_ca_file, "subPath": "ca.pem",
                 "readOnly": True}
        self.volumes = _put(self.volumes, vol)
        self.volume_mounts = _put(self.volume_mounts, mount)

    def broker_objects(self) -> tuple[dict, list[dict]]:
        info, cfg, user = self.enclave, self._k8s(), self._session_name()
        pod = broker_pod(self._policy(), cfg, user=user, case_id=int(info["case_id"]),
                         case_code=info["case_code"])
        pod["metadata"]["namespace"] = cfg.sessions_namespace
        policies = session_network_policy(cfg, user)["items"]
        return pod, policies

    # ------------------------------------------------------------------ the API
    def _networking(self):
        from kubespawner.clients import shared_client

        return shared_client("NetworkingV1Api")

    async def _delete_quietly(self, call, name: str, namespace: str) -> None:
        from kubernetes_asyncio.client.rest import ApiException

        try:
            await call(name=name, namespace=namespace)
        except ApiException as e:
            if e.status != 404:
                raise

    async def _remove_session_objects(self) -> None:
        cfg, user = self._k8s(), self._session_name()
        ns, name = cfg.sessions_namespace, f"broker-{user}"
        net = self._networking()
        for call, n in ((self.api.delete_namespaced_config_map, f"session-ca-{user}"),
                        (self.api.delete_namespaced_pod, name),
                        (self.api.delete_namespaced_service, name),
                        (self.api.delete_namespaced_secret, name),
                        (net.delete_namespaced_network_policy, f"session-{user}"),
                        (net.delete_namespaced_network_policy, name)):
            await self._delete_quietly(call, n, ns)

    async def _start_broker(self) -> str:
        """Create the broker's Service, Secret, pod and policies; return its HTTPS URL once the
        pod runs."""
        ns = self._k8s().sessions_namespace
        svc = await self.api.create_namespaced_service(namespace=ns, body=self.broker_service())
        ip = svc.spec.cluster_ip
        await self.api.create_namespaced_secret(namespace=ns, body=self.broker_secret(ip))
        pod, policies = self.broker_objects()
        net = self._networking()
        for pol in policies:
            await net.create_namespaced_network_policy(namespace=ns, body=pol)
        await self.api.create_namespaced_pod(namespace=ns, body=pod)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.broker_start_timeout
        while True:
            got = await self.api.read_namespaced_pod(name=pod["metadata"]["name"], namespace=ns)
            phase = got.status.phase
            if phase == "Running":
                return f"https://{ip}:{BROKER_PORT}"
            if phase in ("Failed", "Succeeded") or loop.time() > deadline:
                raise web.HTTPError(503, f"the case's query broker did not start ({phase})")
            await asyncio.sleep(1)

    async def _start(self):
        if not self.enclave:
            raise web.HTTPError(403, "no active booking for this session")
        ca_map = self.session_ca_config_map()  # an unusable CA fails before any object exists
        try:
            await self._remove_session_objects()  # left-overs of a session that died
            await self.api.create_namespaced_config_map(namespace=ca_map["metadata"]["namespace"],
                                                        body=ca_map)
            url = await self._start_broker()
            self._mount_ca()
            self.environment = {**self.environment, "ENCLAVE_BROKER_URL": url,
                                "ENCLAVE_CASE": self.enclave["case_code"],
                                "ENCLAVE_PURPOSE_MIN_LENGTH":
                                    str(self._policy().sessions.purpose_min_length),
                                # the session trusts the enclave's CA for the broker's HTTPS
                                "SSL_CERT_FILE": self.session_ca_file}
            return await super()._start()
        except BaseException:
            await self._remove_session_objects()
            raise

    async def stop(self, now=False):
        try:
            await super().stop(now=now)
        finally:
            await self._remove_session_objects()
