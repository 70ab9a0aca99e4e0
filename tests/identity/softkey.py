"""A software FIDO2 authenticator for the HTTP tests: what a browser and a security key send
back for ``navigator.credentials.create/get`` - real P-256 signatures, real CBOR (cbor2), a
"none" attestation - so the server's checks run on genuine answers.  Every field a test wants
to get wrong (origin, RP ID, counter, challenge) can be set on the call.  The browser test uses
Chromium's own virtual authenticator instead (tests/identity/test_browser_webauthn.py)."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40


def b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64u(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class SoftKey:
    def __init__(self) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.counter = 0

    @property
    def id(self) -> str:
        return b64u(self.credential_id)

    def _cose_key(self) -> bytes:
        nums = self.private.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: nums.x.to_bytes(32, "big"), -3: nums.y.to_bytes(32, "big")})

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()

    def create(self, public_key: dict, origin: str, *, rp_id: str | None = None) -> dict:
        """The answer to ``navigator.credentials.create({publicKey})`` made at ``origin``."""
        rp_id = rp_id or public_key["rp"]["id"]
        auth = (hashlib.sha256(rp_id.encode()).digest() + bytes([UP | UV | AT]) + struct.pack(">I", self.counter)
                + bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + self._cose_key())
        att = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth})
        cdj = self._client_data("webauthn.create", public_key["challenge"], origin)
        return {"id": self.id, "rawId": self.id, "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64u(cdj), "attestationObject": b64u(att), "transports": ["usb"]}}

    def get(self, public_key: dict, origin: str, *, rp_id: str | None = None, counter: int | None = None,
            challenge: str | None = None) -> dict:
        """The answer to ``navigator.credentials.get({publicKey})``; the counter goes up by one
        unless ``counter`` says what to claim (a clone repeating an old value)."""
        if counter is None:
            self.counter += 1
            counter = self.counter
        rp_id = rp_id or public_key["rpId"]
        auth = hashlib.sha256(rp_id.encode()).digest() + bytes([UP | UV]) + struct.pack(">I", counter)
        cdj = self._client_data("webauthn.get", challenge or public_key["challenge"], origin)
        sig = self.private.sign(auth + hashlib.sha256(cdj).digest(), ec.ECDSA(hashes.SHA256()))
        return {"id": self.id, "rawId": self.id, "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64u(cdj), "authenticatorData": b64u(auth), "signature": b64u(sig)}}
