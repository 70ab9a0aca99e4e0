"""The Kubernetes path: every rendered object validates against the Kubernetes schemas, and the
session guarantees of the native sandbox hold in the manifests (pod security, no token, no DNS,
no data in the session, limits from the policy), with the network policies evaluated by a small
model of NetworkPolicy semantics (a pod may talk to another only when the source's egress and
the target's ingress both allow it; no policy selecting a pod = allowed, any = only what they list).
No cluster can run here: the objects are checked, not applied."""
from __future__ import annotations

import copy
import ipaddress

import pytest

from enclave.deploy.k8s import K8sConfig, render_all
from enclave.deploy.k8s.validate import validate_all
from policies import current_policy

CFG = K8sConfig()


@pytest.fixture(scope="module")
def objs():
    return render_all(current_policy(), CFG)


def _pods(objs):
    """(namespace, labels, pod spec, name) of every pod the objects create."""
    for o in objs:
        ns = o["metadata"].get("namespace")
        if o["kind"] == "Pod":
            yield ns, o["metadata"]["labels"], o["spec"], o["metadata"]["name"]
        elif o["kind"] in ("Deployment", "StatefulSet"):
            t = o["spec"]["template"]
            yield ns, t["metadata"]["labels"], t["spec"], o["metadata"]["name"]


@pytest.mark.parametrize("version", ["1.30", "1.33", "1.37"])
def test_every_object_validates_strictly(objs, version):
    assert validate_all(objs, version) == []


@pytest.mark.parametrize("mutate", [
    lambda o: o["spec"]["template"]["spec"].__setitem__("hostNetwok", True),       # misspelt field
    lambda o: o["spec"].__setitem__("replicas", "two"),                            # wrong type
    lambda o: o["spec"]["template"]["spec"]["containers"][0].pop("name"),          # required field
    lambda o: o.__setitem__("apiVersion", "apps/v9"),                              # unknown version
])
def test_the_validator_is_not_vacuous(objs, mutate):
    dep = copy.deepcopy(next(o for o in objs if o["kind"] == "Deployment"))
    mutate(dep)
    assert validate_all([dep], "1.33")


def test_every_pod_meets_the_restricted_standard_and_more(objs):
    pods = list(_pods(objs))
    assert len(pods) >= 9
    for ns, labels, spec, name in pods:
        assert ns in (CFG.namespace, CFG.sessions_namespace), name
        psc = spec["securityContext"]
        assert psc["runAsNonRoot"] is True and psc["runAsUser"] > 0, name
        # sessions and their brokers: the native sandbox's whole filter; every other pod (hub,
        # proxy, web services, PostgreSQL): its deny layer alone (the allow list fits sessions only)
        sandboxed = ns == CFG.sessions_namespace or name.startswith(("jupyter-", "broker-"))
        want = CFG.seccomp_profile if sandboxed else CFG.service_seccomp_profile
        assert psc["seccompProfile"] == {"type": "Localhost", "localhostProfile": want}, name
        for key in ("hostNetwork", "hostPID", "hostIPC"):
            assert not spec.get(key), (name, key)
        assert not any("hostPath" in v for v in spec.get("volumes", [])), name
        assert spec.get("automountServiceAccountToken") is (name == "hub"), name
        for c in spec["containers"] + spec.get("initContainers", []):
            sc = c["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False and sc["privileged"] is False, name
            assert sc["capabilities"]["drop"] == ["ALL"] and not sc["capabilities"].get("add"), name
            assert sc["readOnlyRootFilesystem"] is True, name
            assert c["resources"]["limits"]["memory"] and c["resources"]["limits"]["cpu"], name


def _by_name(objs, kind, name, ns=None):
    return next(o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name
                and (ns is None or o["metadata"].get("namespace") == ns))


def test_the_session_pod_has_no_data_no_dns_no_secrets_and_the_policy_limits():
    pol = current_policy()
    s = pol.sessions.model_copy(update={"sandbox_memory_mb": 3000, "sandbox_cpu_percent": 150})
    pol2 = pol.model_copy(update={"sessions": s})
    pod = _by_name(render_all(pol2, CFG), "Pod", "jupyter-researcher")
    spec = pod["spec"]
    c = spec["containers"][0]
    assert c["resources"]["limits"] == {"memory": "3000Mi", "cpu": "1.5"}
    assert spec["dnsPolicy"] == "None" and spec["dnsConfig"]["nameservers"] == ["127.0.0.1"]
    claims = {v["persistentVolumeClaim"]["claimName"] for v in spec["volumes"] if "persistentVolumeClaim" in v}
    assert claims == {"enclave-workspaces"}  # the extract is only in the broker
    ws = next(m for m in c["volumeMounts"] if m["name"] == "workspace")
    assert ws["subPath"] == "C2026-0001/researcher"
    broker_env = {e["name"]: e for e in _by_name(render_all(pol2, CFG), "Pod", "broker-researcher")
                  ["spec"]["containers"][0]["env"]}
    assert broker_env["ENCLAVE_BROKER_AUTH"]["valueFrom"]["secretKeyRef"]["name"] == "broker-researcher"
    env = {e["name"]: e.get("value") for e in c.get("env", [])}
    assert not any("KEY" in k or "PASSWORD" in k or "SECRET" in k for k in env), env
    assert not any("valueFrom" in e for e in c.get("env", []))
    assert env["PYTHONSAFEPATH"] == "1"


def test_the_broker_reads_only_its_case_read_only_as_the_case_uid(objs):
    pol = current_policy()
    pod = _by_name(objs, "Pod", "broker-researcher")
    spec = pod["spec"]
    assert spec["securityContext"]["runAsUser"] == pol.sessions.broker_uid_base + 1
    session = _by_name(objs, "Pod", "jupyter-researcher")
    assert session["spec"]["securityContext"]["runAsUser"] != spec["securityContext"]["runAsUser"]
    m = next(m for m in spec["containers"][0]["volumeMounts"] if m["name"] == "extract")
    assert m["readOnly"] is True and m["subPath"] == "projects/C2026-0001/data"
    v = next(v for v in spec["volumes"] if v["name"] == "extract")
    assert v["persistentVolumeClaim"]["readOnly"] is True


def test_only_the_proxy_and_the_release_area_face_outside(objs):
    public = {o["metadata"]["name"] for o in objs if o["kind"] == "Service"
              and o["spec"]["type"] in ("LoadBalancer", "NodePort")}
    assert public == {"proxy", "release"}
    assert not any(o["kind"] in ("Ingress", "Route") for o in objs)


def test_the_hub_may_only_manage_pods_and_policies_in_the_sessions_namespace(objs):
    roles = [o for o in objs if o["kind"] in ("Role", "ClusterRole")]
    assert [r["kind"] for r in roles] == ["Role"]
    assert roles[0]["metadata"]["namespace"] == CFG.sessions_namespace
    resources = {r for rule in roles[0]["rules"] for r in rule["resources"]}
    assert resources == {"pods", "events", "networkpolicies", "secrets", "services", "configmaps"}
    assert not any("*" in r for rule in roles[0]["rules"] for r in rule["resources"] + rule["verbs"])
    # brokers' credentials can be written and removed by the hub, never read or listed
    secret_verbs = {v for rule in roles[0]["rules"] if "secrets" in rule["resources"] for v in rule["verbs"]}
    assert secret_verbs == {"create", "delete"}
    # each broker's address and each session's CA: made and removed, never read or listed
    for kind in ("services", "configmaps"):
        assert {v for rule in roles[0]["rules"] if kind in rule["resources"] for v in rule["verbs"]} \
            == {"create", "delete"}, kind


def test_the_seccomp_profile_is_the_native_sandbox_rule_model(objs):
    import json

    from hub_config.seccomp_filter import DENIED, refuse_serial_numbers
    from hub_config.seccomp_rules import oci_profile

    prof = json.loads(_by_name(objs, "ConfigMap", "enclave-seccomp")["data"]["nhi-enclave-session.json"])
    assert prof == oci_profile()  # parity with the native layers: test_k8s_seccomp_parity
    denied = set(prof["syscalls"][0]["names"])
    assert denied == {*DENIED, *refuse_serial_numbers()["outright"]} and {"unshare", "mount", "ptrace", "bpf", "keyctl",
                                      "io_uring_setup", "setns"} <= denied
    # the other pods' profile ships beside it: the deny layer, allow by default
    from hub_config.seccomp_rules import deny_only_profile

    service = json.loads(_by_name(objs, "ConfigMap", "enclave-seccomp")["data"]["nhi-enclave-service.json"])
    assert service == deny_only_profile() and service["defaultAction"] == "SCMP_ACT_ALLOW"
    refused = {n for rule in service["syscalls"] if rule["action"] != "SCMP_ACT_ALLOW" for n in rule["names"]}
    assert {"unshare", "mount", "ptrace", "bpf", "keyctl"} <= refused


# --- NetworkPolicy semantics, evaluated ---------------------------------------------------
NS_LABELS = {CFG.namespace: {"kubernetes.io/metadata.name": CFG.namespace},
             CFG.sessions_namespace: {"kubernetes.io/metadata.name": CFG.sessions_namespace},
             "kube-system": {"kubernetes.io/metadata.name": "kube-system"}}


def _matches(sel, labels):
    return all(labels.get(k) == v for k, v in (sel or {}).get("matchLabels", {}).items())


def _peer_ok(peer, other_ns, other_labels, policy_ns):
    if "ipBlock" in peer:
        return other_labels is None  # an address block never selects a pod, only outside addresses
    if other_labels is None:
        return False
    ns_ok = _matches(peer["namespaceSelector"], NS_LABELS[other_ns]) if "namespaceSelector" in peer \
        else other_ns == policy_ns
    return ns_ok and _matches(peer.get("podSelector"), other_labels)


def _allowed(objs, direction, pod_ns, pod_labels, other_ns, other, port):
    pols = [o for o in objs if o["kind"] == "NetworkPolicy" and o["metadata"]["namespace"] == pod_ns
            and direction in o["spec"]["policyTypes"] and _matches(o["spec"]["podSelector"], pod_labels)]
    if not pols:
        return True
    key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    for p in pols:
        for rule in p["spec"].get(key, []):
            if rule.get("ports") and port not in [x["port"] for x in rule["ports"]]:
                continue
            peers = rule.get(peers_key)
            if peers is None or any(_peer_ok(pr, other_ns, other, pod_ns) for pr in peers):
                return True
    return False


def _can(objs, src, dst, port):
    """src/dst: (namespace, labels) of a pod, or None for an address outside the cluster."""
    eg = True if src is None else _allowed(objs, "Egress", src[0], src[1], *(dst or (None, None)), port)
    ing = True if dst is None else _allowed(objs, "Ingress", dst[0], dst[1], *(src or (None, None)), port)
    if src is None and dst is None:
        return False
    # an egress to an outside address is allowed only by a rule without peers or with an ipBlock
    if dst is None and src is not None:
        eg = _egress_outside(objs, src, port)
    return eg and ing


def _egress_outside(objs, src, port, addr="93.184.216.34"):
    pols = [o for o in objs if o["kind"] == "NetworkPolicy" and o["metadata"]["namespace"] == src[0]
            and "Egress" in o["spec"]["policyTypes"] and _matches(o["spec"]["podSelector"], src[1])]
    for p in pols:
        for rule in p["spec"].get("egress", []):
            if rule.get("ports") and port not in [x["port"] for x in rule["ports"]]:
                continue
            peers = rule.get("to")
            if peers is None:
                return True
            for pr in peers:
                if "ipBlock" in pr and ipaddress.ip_address(addr) in ipaddress.ip_network(pr["ipBlock"]["cidr"]):
                    return True
    return not pols


def _pod(objs, name):
    for ns, labels, _spec, n in _pods(objs):
        if n == name:
            return ns, labels
    raise KeyError(name)


def _other_session(objs):
    """A second researcher's server and broker, labelled as the spawner labels them."""
    s = dict(_pod(objs, "jupyter-researcher")[1], **{"enclave.nhi/session": "mallory"})
    b = dict(_pod(objs, "broker-researcher")[1], **{"enclave.nhi/session": "mallory"})
    return (CFG.sessions_namespace, s), (CFG.sessions_namespace, b)


@pytest.mark.parametrize("src,dst,port,ok", [
    ("jupyter-researcher", "hub", 8081, True),
    ("jupyter-researcher", "egress-session", 8202, True),
    ("jupyter-researcher", "broker-researcher", 8765, True),
    ("proxy", "jupyter-researcher", 8888, True),
    ("broker-researcher", "hub", 8090, True),
    ("control", "postgres", 5432, True),
    # everything a session might try instead
    ("jupyter-researcher", "postgres", 5432, False),
    ("jupyter-researcher", "control", 8100, False),
    ("jupyter-researcher", "review", 8201, False),
    ("jupyter-researcher", "release", 8200, False),
    ("jupyter-researcher", "proxy", 8001, False),
    ("jupyter-researcher", "hub", 8090, False),       # the warden's log socket is for brokers
    ("jupyter-researcher", "hub", 22, False),
    ("jupyter-researcher", "broker-researcher", 22, False),
    ("broker-researcher", "postgres", 5432, False),
    ("broker-researcher", "jupyter-researcher", 8888, False),
    ("broker-researcher", "egress-session", 8202, False),
    ("egress-session", "hub", 8081, True),   # it checks each caller's hub token there
    ("egress-session", "hub", 8090, False),  # but never the warden (the query log)
    ("release", "hub", 8081, False),
    ("postgres", "hub", 8081, False),
])
def test_network_paths(objs, src, dst, port, ok):
    assert _can(objs, _pod(objs, src), _pod(objs, dst), port) is ok


@pytest.mark.parametrize("src", ["jupyter-researcher", "broker-researcher", "postgres", "egress-session"])
@pytest.mark.parametrize("port", [53, 80, 443, 636, 6443])
def test_no_way_out_of_the_cluster_for_sessions_brokers_and_data(objs, src, port):
    assert _can(objs, _pod(objs, src), None, port) is False


def test_sessions_cannot_reach_each_other_or_each_others_brokers(objs):
    me, my_broker = _pod(objs, "jupyter-researcher"), _pod(objs, "broker-researcher")
    other, other_broker = _other_session(objs)
    assert _can(objs, me, my_broker, 8765)
    assert not _can(objs, me, other_broker, 8765)
    assert not _can(objs, other, my_broker, 8765)
    assert not _can(objs, me, other, 8888) and not _can(objs, other, me, 8888)
