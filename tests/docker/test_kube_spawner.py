"""The hub's KubeSpawner subclass (hub_config/kube_spawner.py): what it creates for a session
and that it leaves nothing behind.

No Kubernetes API server can run on this machine (no cluster binaries reach it), so the API is
a recording stand-in (``FakeCore`` / ``FakeNetworking``) and KubeSpawner's own pod start/stop
(its code, tested upstream) is replaced by a recorder.  What is real: every object the
subclass sends is validated against the Kubernetes schemas of the configured version, the
certificate is issued by the enclave's own CA and checked here, the session pod is built by
KubeSpawner's own ``get_pod_manifest`` (with the CA mount the subclass adds) and validated
too, and the order, cleanup and refusals are the subclass's own code."""
from __future__ import annotations

import asyncio
import datetime as dt
import socket
import ssl
import threading
import types

import pytest
from cryptography import x509
from kubernetes_asyncio.client.rest import ApiException

from enclave.deploy.k8s.validate import validate_all

CLUSTER_IP = "10.96.20.7"
RESOURCE = {"Service": "services", "Secret": "secrets", "Pod": "pods",
            "ConfigMap": "configmaps", "NetworkPolicy": "networkpolicies"}


class FakeCore:
    def __init__(self, phase: str = "Running") -> None:
        self.objects: dict[tuple[str, str], dict] = {}
        self.log: list[str] = []
        self.phase = phase
        self.calls: set[tuple[str, str]] = set()   # (verb, resource), for the hub's Role

    def _create(self, kind, namespace, body):
        self.calls.add(("create", RESOURCE[kind]))
        key = (kind, body["metadata"]["name"])
        assert key not in self.objects, f"{key} exists"
        assert body["metadata"]["namespace"] == namespace
        self.objects[key] = body
        self.log.append(f"create {kind} {body['metadata']['name']}")

    def _delete(self, kind, name, namespace):
        self.calls.add(("delete", RESOURCE[kind]))
        self.log.append(f"delete {kind} {name}")
        if self.objects.pop((kind, name), None) is None:
            raise ApiException(status=404, reason="Not Found")

    async def create_namespaced_service(self, namespace, body):
        self._create("Service", namespace, body)
        return types.SimpleNamespace(spec=types.SimpleNamespace(cluster_ip=CLUSTER_IP))

    async def create_namespaced_secret(self, namespace, body):
        self._create("Secret", namespace, body)

    async def create_namespaced_pod(self, namespace, body):
        self._create("Pod", namespace, body)

    async def create_namespaced_config_map(self, namespace, body):
        self._create("ConfigMap", namespace, body)

    async def delete_namespaced_config_map(self, name, namespace):
        self._delete("ConfigMap", name, namespace)

    async def read_namespaced_pod(self, name, namespace):
        self.calls.add(("get", "pods"))
        assert ("Pod", name) in self.objects
        return types.SimpleNamespace(status=types.SimpleNamespace(phase=self.phase))

    async def delete_namespaced_pod(self, name, namespace):
        self._delete("Pod", name, namespace)

    async def delete_namespaced_service(self, name, namespace):
        self._delete("Service", name, namespace)

    async def delete_namespaced_secret(self, name, namespace):
        self._delete("Secret", name, namespace)


class FakeNetworking:
    def __init__(self, core: FakeCore) -> None:
        self.core = core

    async def create_namespaced_network_policy(self, namespace, body):
        self.core._create("NetworkPolicy", namespace, body)

    async def delete_namespaced_network_policy(self, name, namespace):
        self.core._delete("NetworkPolicy", name, namespace)


@pytest.fixture
def spawner(tmp_path, monkeypatch):
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\ncurrent-context: x\n"
                          "clusters: [{name: x, cluster: {server: 'https://127.0.0.1:1'}}]\n"
                          "contexts: [{name: x, context: {cluster: x, user: x}}]\n"
                          "users: [{name: x, user: {token: unused}}]\n")
    import kubernetes_asyncio.config.kube_config as kc

    monkeypatch.setattr(kc, "KUBE_CONFIG_DEFAULT_LOCATION", str(kubeconfig))
    monkeypatch.setenv("ENCLAVE_HOME", str(tmp_path / "var"))
    from enclave.tls import ensure_certificates

    certs = ensure_certificates(tmp_path / "var" / "tls", hosts=["127.0.0.1"])
    from datasets.keyring import master_key
    from enclave.settings import get_settings

    master_key(get_settings(), create=True)   # the keyring the case keys derive from
    from kubespawner import KubeSpawner

    from hub_config.kube_spawner import EnclaveKubeSpawner

    calls: list[str] = []

    async def fake_parent_start(self):  # KubeSpawner's own pod start (upstream code)
        calls.append("session pod start")
        # what KubeSpawner would send: its own manifest builder, with what the subclass set,
        # and which of the session's objects existed at that moment
        from enclave.deploy.k8s.sessions import _as_dict

        self.session_pod = _as_dict(await self.get_pod_manifest())
        self.session_pod["metadata"]["namespace"] = "nhi-sessions"
        self.existing_at_pod_start = set(self.api.objects)
        if getattr(self, "_fail_session", False):
            raise RuntimeError("the session pod did not start")
        return ("10.0.0.9", 8888)

    async def fake_parent_stop(self, now=False):
        calls.append("session pod stop")

    monkeypatch.setattr(KubeSpawner, "_start", fake_parent_start)
    monkeypatch.setattr(KubeSpawner, "stop", fake_parent_stop)
    loop = asyncio.new_event_loop()

    async def make():  # KubeSpawner builds its API client inside a running loop
        return EnclaveKubeSpawner(_mock=True)

    s = loop.run_until_complete(make())
    s.run = loop.run_until_complete
    s.user.name = "alice"
    s.api_token = "the-sessions-own-token"
    s.enclave = {"case_code": "C2026-0007", "case_id": 7, "booking_id": 1}
    s.enclave_k8s = {"kubernetes_version": "1.33"}
    core = FakeCore()
    s.api = core
    s._networking = lambda: FakeNetworking(core)
    s.calls = calls
    s.ca = certs.ca
    yield s
    # KubeSpawner's shared API client leaves a closing task on the loop: end it here, not in
    # a later test's garbage collection
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()


def test_start_creates_the_broker_then_the_session_and_stop_removes_it(spawner):
    core = spawner.api
    spawner.run(spawner._start())
    kinds = [(k, n) for k, n in core.objects]
    assert set(kinds) == {("Service", "broker-alice"), ("Secret", "broker-alice"), ("Pod", "broker-alice"),
                          ("ConfigMap", "session-ca-alice"),
                          ("NetworkPolicy", "session-alice"), ("NetworkPolicy", "broker-alice")}
    # the broker exists before the session pod is asked for
    assert spawner.calls == ["session pod start"]
    assert core.log.index("create Pod broker-alice") < len(core.log)
    problems = validate_all(list(core.objects.values()), "1.33")
    assert problems == [], problems
    env = spawner.environment
    assert env["ENCLAVE_BROKER_URL"] == f"https://{CLUSTER_IP}:8765"
    assert env["ENCLAVE_CASE"] == "C2026-0007"
    assert "ENCLAVE_PROVENANCE_KEY" not in env and "auth" not in str(env) and "provenance" not in str(env)
    secret = core.objects[("Secret", "broker-alice")]["stringData"]
    assert secret["auth"] == "token the-sessions-own-token"
    # the broker's certificate: for the Service's address, from the enclave's CA, short-lived
    cert = x509.load_pem_x509_certificates(secret["tls.crt"].encode())[0]
    ca = x509.load_pem_x509_certificate(spawner.ca.read_bytes())
    assert cert.issuer == ca.subject
    ca.public_key().verify(cert.signature, cert.tbs_certificate_bytes,
                           __import__("cryptography.hazmat.primitives.asymmetric.ec",
                                      fromlist=["ECDSA"]).ECDSA(cert.signature_hash_algorithm))
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert CLUSTER_IP in [str(ip) for ip in sans.get_values_for_type(x509.IPAddress)]
    assert cert.not_valid_after_utc - cert.not_valid_before_utc <= dt.timedelta(days=3)
    # the broker pod: the case's extract only, read-only, the case's broker uid
    pod = core.objects[("Pod", "broker-alice")]
    mounts = pod["spec"]["containers"][0]["volumeMounts"]
    data = [m for m in mounts if m["mountPath"] == "/case/data"][0]
    assert data["readOnly"] is True and data["subPath"] == "projects/C2026-0007/data"
    assert pod["spec"]["automountServiceAccountToken"] is False
    # the extract is encrypted at rest (O3): the broker pod, and only it, gets the case key from
    # its Secret - required, so a pod without the key never starts
    benv = {e["name"]: e for e in pod["spec"]["containers"][0]["env"]}
    ref = benv["ENCLAVE_DATA_KEY"]["valueFrom"]["secretKeyRef"]
    assert ref["name"] == "broker-alice" and ref["key"] == "data" and ref["optional"] is False
    assert benv["ENCLAVE_DATA_ENCRYPTED"]["value"] == "required"
    assert "ENCLAVE_DATA_KEY" not in env and secret["data"] not in str(env)
    assert len(bytes.fromhex(secret["data"])) == 32

    spawner.run(spawner.stop())
    assert core.objects == {}
    assert spawner.calls == ["session pod start", "session pod stop"]


def test_a_failed_session_start_leaves_no_broker(spawner):
    spawner._fail_session = True
    with pytest.raises(RuntimeError, match="did not start"):
        spawner.run(spawner._start())
    assert spawner.api.objects == {}


def test_a_broker_that_does_not_run_fails_the_spawn_and_is_removed(spawner):
    from tornado import web

    spawner.api.phase = "Failed"
    with pytest.raises(web.HTTPError) as e:
        spawner.run(spawner._start())
    assert e.value.status_code == 503 and "broker" in e.value.log_message
    assert spawner.api.objects == {} and spawner.calls == []  # no session pod without a broker


def test_no_booking_no_objects(spawner):
    from tornado import web

    spawner.enclave = None
    with pytest.raises(web.HTTPError) as e:
        spawner.run(spawner._start())
    assert e.value.status_code == 403
    assert spawner.api.objects == {} and spawner.calls == []


def test_left_overs_of_a_dead_session_are_replaced(spawner):
    spawner.run(spawner._start())
    first = spawner.api.objects[("Secret", "broker-alice")]["stringData"]["tls.key"]
    spawner.api_token = "a-new-token"
    spawner.run(spawner._start())  # the hub restarted the session without a clean stop
    secret = spawner.api.objects[("Secret", "broker-alice")]["stringData"]
    assert secret["auth"] == "token a-new-token" and secret["tls.key"] != first


# ---------------------------------------------------------------- the enclave CA in the session
def _ca_mount(pod: dict) -> tuple[dict, dict]:
    spec = pod["spec"]
    vol = [v for v in spec["volumes"] if v["name"] == "enclave-ca"]
    mounts = [m for m in spec["containers"][0]["volumeMounts"] if m["name"] == "enclave-ca"]
    assert len(vol) == 1 and len(mounts) == 1, (vol, mounts)
    return vol[0], mounts[0]


def test_the_session_pod_mounts_the_ca_read_only_where_ssl_cert_file_points(spawner):
    core = spawner.api
    spawner.run(spawner._start())
    cm = core.objects[("ConfigMap", "session-ca-alice")]
    # created before the session pod was asked for, with the broker's objects
    assert ("ConfigMap", "session-ca-alice") in spawner.existing_at_pod_start
    assert ("Pod", "broker-alice") in spawner.existing_at_pod_start
    pod = spawner.session_pod
    problems = validate_all([*core.objects.values(), pod], "1.33")
    assert problems == [], problems
    vol, mount = _ca_mount(pod)
    assert vol["configMap"]["name"] == "session-ca-alice"
    assert vol["configMap"]["items"] == [{"key": "ca.pem", "path": "ca.pem"}]
    assert vol["configMap"]["defaultMode"] == 0o444
    assert mount["readOnly"] is True and mount["subPath"] == "ca.pem"
    env = {e["name"]: e.get("value") for e in pod["spec"]["containers"][0]["env"]}
    assert mount["mountPath"] == env["SSL_CERT_FILE"] == "/etc/enclave/ca.pem"
    assert cm["immutable"] is True and set(cm["data"]) == {"ca.pem"}
    assert "binaryData" not in cm
    # the bytes: the CA's certificate and nothing else, no key material
    pem = cm["data"]["ca.pem"].encode()
    assert b"PRIVATE KEY" not in pem and b"tls.key" not in pem
    ca = x509.load_pem_x509_certificate(spawner.ca.read_bytes())
    assert x509.load_pem_x509_certificates(pem) == [ca]
    # no Secret is mounted into the session (the broker's key stays in the broker pod)
    assert not any("secret" in v for v in pod["spec"]["volumes"])


def test_a_client_trusting_only_the_mounted_file_accepts_the_brokers_certificate(spawner, tmp_path):
    """A real TLS handshake: a server with the broker's certificate and key from its Secret,
    a client that trusts only the ConfigMap's bytes (what SSL_CERT_FILE gives the session)
    and checks the broker's ClusterIP."""
    spawner.run(spawner._start())
    secret = spawner.api.objects[("Secret", "broker-alice")]["stringData"]
    (tmp_path / "tls.crt").write_text(secret["tls.crt"])
    (tmp_path / "tls.key").write_text(secret["tls.key"])
    (tmp_path / "ca.pem").write_text(spawner.api.objects[("ConfigMap", "session-ca-alice")]["data"]["ca.pem"])
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(tmp_path / "tls.crt", tmp_path / "tls.key")
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve():
        conn, _ = listener.accept()
        try:
            with server_ctx.wrap_socket(conn, server_side=True) as tls:
                tls.sendall(b"ok")
        except (ssl.SSLError, OSError):
            pass

    def handshake(cafile, name=CLUSTER_IP):
        t = threading.Thread(target=serve, daemon=True)
        t.start()
        ctx = ssl.create_default_context(cafile=str(cafile))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, \
                    ctx.wrap_socket(raw, server_hostname=name) as tls:
                return tls.recv(2)
        finally:
            t.join(10)

    try:
        assert handshake(tmp_path / "ca.pem") == b"ok"
        # the check is real: another CA, or another address, is refused
        from enclave.tls import ensure_certificates

        other = ensure_certificates(tmp_path / "other-ca", hosts=["127.0.0.1"]).ca
        with pytest.raises(ssl.SSLCertVerificationError):
            handshake(other)
        with pytest.raises(ssl.SSLCertVerificationError):
            handshake(tmp_path / "ca.pem", name="10.96.20.8")
    finally:
        listener.close()


def _key_pems():
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    return {
        "pkcs8": ec_key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption()),
        "traditional EC": ec_key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.TraditionalOpenSSL,
                                               ser.NoEncryption()),
        "traditional RSA": rsa_key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.TraditionalOpenSSL,
                                                 ser.NoEncryption()),
        "encrypted pkcs8": rsa_key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8,
                                                 ser.BestAvailableEncryption(b"pw")),
        "ed25519": ed25519.Ed25519PrivateKey.generate().private_bytes(
            ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption()),
    }


@pytest.mark.parametrize("where", ["after", "before"])
def test_a_key_beside_the_ca_certificate_never_reaches_the_session(spawner, where):
    """An operator's ca.pem with a key pasted in (the CA's own, or any other kind): the
    ConfigMap holds the certificate only - re-encoded from the parsed certificate, not copied."""
    ca_file = spawner.ca
    cert = ca_file.read_bytes()
    ca_key = (ca_file.parent / "ca.key").read_bytes()
    for name, key in {"the CA's own key": ca_key, **_key_pems()}.items():
        ca_file.write_bytes(cert + key if where == "after" else key + cert)
        cm = spawner.session_ca_config_map()
        pem = cm["data"]["ca.pem"].encode()
        assert b"PRIVATE KEY" not in pem and b"ENCRYPTED" not in pem, name
        assert pem == x509.load_pem_x509_certificate(cert).public_bytes(
            __import__("cryptography.hazmat.primitives.serialization", fromlist=["Encoding"]).Encoding.PEM), name


def test_an_unusable_ca_file_fails_the_spawn_before_any_object(spawner):
    from tornado import web

    from enclave.tls import issue_certificate

    ca_file = spawner.ca
    leaf, key = issue_certificate(["10.0.0.1"], directory=ca_file.parent)
    cases = {"missing": None, "empty": b"", "a key only": (ca_file.parent / "ca.key").read_bytes(),
             "not PEM": b"\x30\x82\x01\x0a garbage", "a server certificate, not a CA's": leaf}
    for name, content in cases.items():
        if content is None:
            ca_file.unlink()
        else:
            ca_file.write_bytes(content)
        with pytest.raises(web.HTTPError) as e:
            spawner.run(spawner._start())
        assert e.value.status_code == 503 and "enclave CA" in e.value.log_message, name
        assert spawner.api.objects == {} and spawner.api.log == [] and spawner.calls == [], name


def test_the_ca_is_removed_with_the_session_at_stop_and_on_every_failed_start(spawner):
    spawner.run(spawner._start())
    spawner.run(spawner.stop())
    assert spawner.api.objects == {}
    assert "delete ConfigMap session-ca-alice" in spawner.api.log
    # the broker never runs: no session pod, no CA left
    spawner.api.phase = "Failed"
    with pytest.raises(Exception):
        spawner.run(spawner._start())
    assert spawner.api.objects == {}
    # the session pod fails
    spawner.api.phase = "Running"
    spawner._fail_session = True
    with pytest.raises(RuntimeError):
        spawner.run(spawner._start())
    assert spawner.api.objects == {}


def test_a_restart_mounts_the_ca_once_and_keeps_the_operators_volumes(spawner):
    spawner.volumes = {"scratch": {"name": "scratch", "emptyDir": {}}}
    spawner.volume_mounts = {"scratch": {"name": "scratch", "mountPath": "/scratch"}}
    spawner.run(spawner._start())
    spawner.run(spawner._start())   # the hub restarts it without a clean stop
    pod = spawner.session_pod
    _ca_mount(pod)
    assert {v["name"] for v in pod["spec"]["volumes"]} >= {"scratch", "enclave-ca"}
    assert validate_all([pod], "1.33") == []
    spawner.volumes, spawner.volume_mounts = [], []
    spawner.run(spawner._start())
    spawner.run(spawner._start())
    _ca_mount(spawner.session_pod)


@pytest.mark.parametrize("path", ["ca.pem", "/ca.pem", "/etc/../ca.pem", "/etc/enclave/", ""])
def test_the_ca_path_must_be_an_absolute_file_in_a_directory(spawner, path):
    from traitlets import TraitError

    with pytest.raises(TraitError):
        spawner.session_ca_file = path


def test_the_hubs_role_allows_exactly_what_the_spawner_calls(spawner):
    """Every API call the spawner made in a start, a restart and a stop is one the rendered Role
    grants (a missing grant is a spawn that fails on a real cluster)."""
    from enclave.deploy.k8s.config import K8sConfig
    from enclave.deploy.k8s.render import hub_rbac

    spawner.run(spawner._start())
    spawner.run(spawner._start())
    spawner.run(spawner.stop())
    role = [o for o in hub_rbac(K8sConfig()) if o["kind"] == "Role"][0]
    granted = {(v, r) for rule in role["rules"] for r in rule["resources"] for v in rule["verbs"]}
    assert spawner.api.calls <= granted, spawner.api.calls - granted
    assert {("create", "configmaps"), ("delete", "configmaps"), ("create", "services")} <= spawner.api.calls
