"""TLS for every front end: a local certificate authority made on first start, or the operator's.

``enclave up`` calls :func:`ensure_certificates`.  With ``ENCLAVE_TLS_CERT`` and
``ENCLAVE_TLS_KEY`` set (PEM files; ``ENCLAVE_TLS_CA`` for the chain clients should trust) the
operator's certificate is used as it is, after checking that the key matches it and that it is
valid now.  Otherwise ``$ENCLAVE_TLS`` (default ``$ENCLAVE_HOME/tls``) gets, once, a local CA
(``ca.pem``, key ``ca.key`` mode 0600) and a server certificate it signed for the host names
asked for; the server certificate is issued again when a host is missing or it nears its end.
Clients trust ``ca.pem`` (``ca-bundle.pem`` adds the public roots, for ``SSL_CERT_FILE``).
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from enclave.core.private_file import write_private

CA_DAYS = 3650
SERVER_DAYS = 397          # the longest browsers accept for a server certificate
RENEW_BEFORE_DAYS = 30


class TLSError(RuntimeError):
    pass


@dataclass(frozen=True)
class Certificates:
    cert: Path      # server certificate (PEM)
    key: Path       # its private key (PEM, 0600)
    ca: Path        # what clients should trust
    bundle: Path    # ca plus the public roots (for SSL_CERT_FILE)
    generated: bool


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _san(hosts: list[str]) -> x509.SubjectAlternativeName:
    names: list[x509.GeneralName] = []
    for h in dict.fromkeys(hosts):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(h)))
        except ValueError:
            names.append(x509.DNSName(h))
    return x509.SubjectAlternativeName(names)


def _covers(cert: x509.Certificate, hosts: list[str], now: dt.datetime) -> bool:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    have = {str(v) for v in san.get_values_for_type(x509.IPAddress)} | set(san.get_values_for_type(x509.DNSName))
    return set(hosts) <= have and cert.not_valid_after_utc - now > dt.timedelta(days=RENEW_BEFORE_DAYS)


def _make_ca(d: Path, now: dt.datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "NHI enclave"),
                      x509.NameAttribute(NameOID.COMMON_NAME, f"NHI enclave local CA {now:%Y-%m-%d}")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    write_private(d / "ca.key", _key_pem(key))
    (d / "ca.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _issue(ca: x509.Certificate, ca_key, hosts: list[str], now: dt.datetime,
           days: int = SERVER_DAYS) -> tuple[bytes, bytes]:
    """A server certificate for ``hosts`` signed by the CA: (certificate chain PEM, key PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
            .issuer_name(ca.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_san(hosts), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM),
            _key_pem(key))


def _make_server(d: Path, ca: x509.Certificate, ca_key, hosts: list[str], now: dt.datetime) -> None:
    chain, key = _issue(ca, ca_key, hosts, now)
    write_private(d / "server.key", key)
    (d / "server.pem").write_bytes(chain)


def issue_certificate(hosts: list[str], *, days: int = 2, directory: Path | None = None,
                      now: dt.datetime | None = None) -> tuple[bytes, bytes]:
    """A short-lived certificate from the enclave's own CA, kept in memory (e.g. a session's
    broker pod on a cluster, handed over in the session's Secret): (chain PEM, key PEM)."""
    from enclave.settings import get_settings

    d = Path(directory or get_settings().tls_dir)
    now = now or dt.datetime.now(dt.timezone.utc)
    try:
        ca = x509.load_pem_x509_certificate((d / "ca.pem").read_bytes())
        ca_key = serialization.load_pem_private_key((d / "ca.key").read_bytes(), password=None)
    except OSError as e:
        raise TLSError(f"the enclave CA is not in {d} ({e}); run `enclave up` or give the "
                       f"operator's certificates") from None
    return _issue(ca, ca_key, hosts, now, days=days)


def _bundle(d: Path, ca_file: Path) -> Path:
    import certifi

    out = d / "ca-bundle.pem"
    out.write_bytes(ca_file.read_bytes() + b"\n" + Path(certifi.where()).read_bytes())
    return out


def _operator(cert_file: Path, key_file: Path, ca_file: Path | None, d: Path, now: dt.datetime) -> Certificates:
    try:
        certs = x509.load_pem_x509_certificates(cert_file.read_bytes())
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    except (OSError, ValueError) as e:
        raise TLSError(f"ENCLAVE_TLS_CERT/ENCLAVE_TLS_KEY: cannot read ({e})") from None
    leaf = certs[0]
    if leaf.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) != \
            key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo):
        raise TLSError(f"{key_file} is not the key of {cert_file}")
    if not (leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc):
        raise TLSError(f"{cert_file} is not valid now (valid {leaf.not_valid_before_utc} to {leaf.not_valid_after_utc})")
    if key_file.stat().st_mode & 0o077:
        raise TLSError(f"{key_file} is readable by group/others; chmod 600 it")
    ca = ca_file or cert_file
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    return Certificates(cert_file, key_file, ca, _bundle(d, ca), generated=False)


def ensure_certificates(directory: Path | None = None, hosts: list[str] | None = None,
                        now: dt.datetime | None = None) -> Certificates:
    """The certificates the front ends serve; created on first use (see the module doc)."""
    from enclave.settings import get_settings

    d = Path(directory or get_settings().tls_dir)
    now = now or dt.datetime.now(dt.timezone.utc)
    if os.environ.get("ENCLAVE_TLS_CERT") or os.environ.get("ENCLAVE_TLS_KEY"):
        if not (os.environ.get("ENCLAVE_TLS_CERT") and os.environ.get("ENCLAVE_TLS_KEY")):
            raise TLSError("set both ENCLAVE_TLS_CERT and ENCLAVE_TLS_KEY (or neither)")
        ca = os.environ.get("ENCLAVE_TLS_CA")
        return _operator(Path(os.environ["ENCLAVE_TLS_CERT"]), Path(os.environ["ENCLAVE_TLS_KEY"]),
                         Path(ca) if ca else None, d, now)
    hosts = list(dict.fromkeys((hosts or []) + ["localhost", "127.0.0.1"]))
    if "0.0.0.0" in hosts:
        hosts.remove("0.0.0.0")
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    generated = False
    if (d / "ca.pem").exists() and (d / "ca.key").exists():
        ca = x509.load_pem_x509_certificate((d / "ca.pem").read_bytes())
        ca_key = serialization.load_pem_private_key((d / "ca.key").read_bytes(), password=None)
    else:
        ca, ca_key = _make_ca(d, now)
        generated = True
    server_ok = False
    if (d / "server.pem").exists() and (d / "server.key").exists() and not generated:
        server = x509.load_pem_x509_certificates((d / "server.pem").read_bytes())[0]
        server_ok = server.issuer == ca.subject and _covers(server, hosts, now)
    if not server_ok:
        _make_server(d, ca, ca_key, hosts, now)
        generated = True
    return Certificates(d / "server.pem", d / "server.key", d / "ca.pem", _bundle(d, d / "ca.pem"), generated)
