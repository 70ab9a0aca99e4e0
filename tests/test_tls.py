"""TLS by default (enclave/tls.py): the local CA and server certificate made on first start, the
operator's certificate taken only when it is sound, and the web front ends over real HTTPS with
HSTS (the whole `enclave up` with the hub: tests/test_enclave_up.py)."""
from __future__ import annotations

import datetime as dt
import os
import ssl

import certifi
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from enclave.tls import TLSError, ensure_certificates


def _leaf(path):
    return x509.load_pem_x509_certificates(path.read_bytes())[0]


def _sans(cert):
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return {str(v) for v in san.get_values_for_type(x509.IPAddress)} | set(san.get_values_for_type(x509.DNSName))


def test_first_start_makes_a_ca_and_a_server_certificate(tmp_path):
    c = ensure_certificates(tmp_path / "tls", hosts=["127.0.0.1"])
    assert c.generated
    for key in (tmp_path / "tls" / "ca.key", c.key):
        assert key.stat().st_mode & 0o077 == 0
    ca = x509.load_pem_x509_certificate(c.ca.read_bytes())
    leaf = _leaf(c.cert)
    assert leaf.issuer == ca.subject and {"127.0.0.1", "localhost"} <= _sans(leaf)
    leaf.verify_directly_issued_by(ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    ctx = ssl.create_default_context(cafile=str(c.bundle))  # the bundle holds the CA and public roots
    assert len(ctx.get_ca_certs()) > 10


def test_restart_keeps_them_and_a_new_host_or_old_age_reissues_only_the_server(tmp_path):
    first = ensure_certificates(tmp_path, hosts=["127.0.0.1"])
    ca_pem, cert_pem = first.ca.read_bytes(), first.cert.read_bytes()
    again = ensure_certificates(tmp_path, hosts=["127.0.0.1"])
    assert not again.generated and again.cert.read_bytes() == cert_pem
    wider = ensure_certificates(tmp_path, hosts=["enclave.example.org"])
    assert wider.generated and wider.ca.read_bytes() == ca_pem
    assert "enclave.example.org" in _sans(_leaf(wider.cert))
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=380)
    renewed = ensure_certificates(tmp_path, hosts=["enclave.example.org"], now=later)
    assert renewed.generated and _leaf(renewed.cert).not_valid_after_utc > later + dt.timedelta(days=300)


def _operator_files(tmp_path, *, expired=False, wrong_key=False, mode=0o600):
    src = ensure_certificates(tmp_path / "src", hosts=["127.0.0.1"],
                              now=dt.datetime.now(dt.timezone.utc) - (dt.timedelta(days=500) if expired else dt.timedelta()))
    key = src.key
    if wrong_key:
        other = ensure_certificates(tmp_path / "other", hosts=["127.0.0.1"])
        key = other.key
    os.chmod(key, mode)
    return src.cert, key, src.ca


@pytest.mark.parametrize("problem,match", [(None, None), ("expired", "not valid now"), ("wrong_key", "not the key"),
                                           ("mode", "chmod"), ("only_cert", "together|both")])
def test_the_operators_certificate(tmp_path, monkeypatch, problem, match):
    cert, key, ca = _operator_files(tmp_path, expired=problem == "expired", wrong_key=problem == "wrong_key",
                                    mode=0o644 if problem == "mode" else 0o600)
    monkeypatch.setenv("ENCLAVE_TLS_CERT", str(cert))
    if problem != "only_cert":
        monkeypatch.setenv("ENCLAVE_TLS_KEY", str(key))
    monkeypatch.setenv("ENCLAVE_TLS_CA", str(ca))
    if problem is None:
        got = ensure_certificates(tmp_path / "tls")
        assert (got.cert, got.key, got.ca, got.generated) == (cert, key, ca, False)
        assert not (tmp_path / "tls" / "ca.key").exists()  # no CA of our own when the operator has one
    else:
        with pytest.raises(TLSError, match=match):
            ensure_certificates(tmp_path / "tls")


def _apps(db_url, home):
    from egress_review.api import create_app as review_app
    from enclave.web.app import create_app as control_app

    yield "control", control_app(db_url)
    for mode in ("internal", "external"):
        yield f"review-{mode}", review_app(db_url, store_dir=home / "egress", release_dir=home / "release",
                                           recover_on_start=False, mode=mode)


def test_front_ends_over_https_with_hsts(enclave_home, db_url):
    """Each uvicorn front end served with the generated certificate: trusted with the CA,
    refused without it, HSTS on its answers, and no plain HTTP on its port."""
    from tests.control.http_load_kit import serve

    certs = ensure_certificates(enclave_home / "tls", hosts=["127.0.0.1"])
    trusting = ssl.create_default_context(cafile=str(certs.ca))
    untrusting = ssl.create_default_context(cafile=certifi.where())
    for name, app in _apps(db_url, enclave_home):
        with serve(app, ssl_certfile=str(certs.cert), ssl_keyfile=str(certs.key)) as base:
            assert base.startswith("https://")
            r = httpx.get(f"{base}/login", verify=trusting, timeout=30)
            assert r.status_code == 200, (name, r.status_code)
            assert r.headers["strict-transport-security"] == "max-age=31536000", name
            with pytest.raises(httpx.ConnectError):
                httpx.get(f"{base}/login", verify=untrusting, timeout=10)
            with pytest.raises(httpx.HTTPError):
                httpx.get(base.replace("https://", "http://") + "/login", timeout=10)


def test_no_hsts_over_plain_http_test_servers(enclave_home, db_url):
    """HSTS is only meaningful (and only sent) over HTTPS."""
    from fastapi.testclient import TestClient

    from enclave.web.app import create_app

    r = TestClient(create_app(db_url), base_url="http://testserver").get("/login")
    assert r.status_code == 200 and "strict-transport-security" not in r.headers
    s = TestClient(create_app(db_url), base_url="https://testserver").get("/login")
    assert s.headers["strict-transport-security"].startswith("max-age=")


def test_private_keys_are_not_world_readable_and_the_key_matches(tmp_path):
    c = ensure_certificates(tmp_path, hosts=["127.0.0.1"])
    key = serialization.load_pem_private_key(c.key.read_bytes(), password=None)
    pub = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert pub == _leaf(c.cert).public_key().public_bytes(serialization.Encoding.DER,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo)
