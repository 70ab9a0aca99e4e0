"""Key derivation is RFC 5869 HKDF-SHA256 from `cryptography`: the RFC's own test vectors, and
the derived keys the loader and extract builder use are unchanged by the switch from the former
hand-written HKDF (published pseudonyms must stay stable across releases of the code)."""
import hashlib
import hmac

import pytest

from deidentify.keys import case_key, hkdf, release_key

# RFC 5869 appendix A, test cases 1-3 (SHA-256)
VECTORS = [
    (bytes.fromhex("0b" * 22), bytes.fromhex("000102030405060708090a0b0c"),
     bytes.fromhex("f0f1f2f3f4f5f6f7f8f9"), 42,
     "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
    (bytes(range(0x00, 0x50)), bytes(range(0x60, 0xb0)), bytes(range(0xb0, 0x100)), 82,
     "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09"
     "da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"),
    (bytes.fromhex("0b" * 22), b"", b"", 42,
     "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"),
]


@pytest.mark.parametrize("ikm, salt, info, length, okm", VECTORS)
def test_rfc5869_vectors(ikm, salt, info, length, okm):
    assert hkdf(ikm, info, length=length, salt=salt).hex() == okm


def _former(master: bytes, info: str, length: int = 32, salt: bytes = b"nhi-enclave") -> bytes:
    prk = hmac.new(salt, master, hashlib.sha256).digest()
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info.encode() + bytes([i]), hashlib.sha256).digest()
        out += block
        i += 1
    return out[:length]


@pytest.mark.parametrize("master", [bytes(32), bytes(range(32)), b"\xff" * 32])
def test_release_and_case_keys_unchanged(master):
    assert release_key(master, "2026Q3") == _former(master, "release:2026Q3")
    assert case_key(master, "C2026-0001") == _former(master, "case:C2026-0001")
