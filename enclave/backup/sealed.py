"""Files sealed with a passphrase: scrypt derives the key, AES-256-GCM encrypts and authenticates
(``cryptography``).  A wrong passphrase or one changed byte is refused, never half-read."""
from __future__ import annotations

import base64
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

FORMAT = "enclave-sealed-v1"
SCRYPT = {"n": 2 ** 15, "r": 8, "p": 1}  # ~32 MiB, ~0.1 s: costly to guess, quick to open once


class SealError(ValueError):
    pass


def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def seal(files: dict[str, bytes], passphrase: str) -> bytes:
    salt, nonce = os.urandom(16), os.urandom(12)
    plain = json.dumps({k: base64.b64encode(v).decode() for k, v in sorted(files.items())}).encode()
    header = {"format": FORMAT, "kdf": "scrypt", **SCRYPT, "salt": salt.hex(), "nonce": nonce.hex()}
    aad = json.dumps(header, sort_keys=True).encode()
    ct = AESGCM(_key(passphrase, salt, **SCRYPT)).encrypt(nonce, plain, aad)
    return json.dumps({**header, "ciphertext": base64.b64encode(ct).decode()}).encode()


def open_sealed(blob: bytes, passphrase: str) -> dict[str, bytes]:
    try:
        d = json.loads(blob)
        header = {k: d[k] for k in ("format", "kdf", "n", "r", "p", "salt", "nonce")}
        if header["format"] != FORMAT or header["kdf"] != "scrypt":
            raise SealError(f"not a {FORMAT} file")
        if not (2 ** 14 <= int(header["n"]) <= 2 ** 20):
            raise SealError("scrypt cost out of range")
        key = _key(passphrase, bytes.fromhex(header["salt"]), int(header["n"]), int(header["r"]), int(header["p"]))
        aad = json.dumps(header, sort_keys=True).encode()
        plain = AESGCM(key).decrypt(bytes.fromhex(header["nonce"]), base64.b64decode(d["ciphertext"]), aad)
    except InvalidTag:
        raise SealError("wrong passphrase, or the sealed keys were altered") from None
    except (ValueError, KeyError, TypeError) as e:
        raise SealError(f"unreadable sealed file ({e})") from None
    return {k: base64.b64decode(v) for k, v in json.loads(plain).items()}
