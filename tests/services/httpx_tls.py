"""One SSL context per trust setting for the suite's httpx clients.

httpx builds a new ``SSLContext`` for every ``Client`` and every ``httpx.get`` that does not
pass one, and building it reads certifi's whole CA bundle: about 35 ms of CPU each, and the
suite makes thousands of them (polling a service until it answers makes one per poll).  The
context is only read once built (httpcore sets the same ALPN list, HTTP/1.1, on each use), so
clients that ask for the same trust can share it.  What decides the trust is kept in the key:
``SSL_CERT_FILE``/``SSL_CERT_DIR`` (a test that trusts an enclave's own CA sets one) and
``trust_env``.  Anything else (``verify=False``, a context, a CA path, a client certificate)
goes to httpx unchanged.
"""
from __future__ import annotations

import os
import threading

_made: dict[tuple, object] = {}
_lock = threading.Lock()


def share_default_contexts() -> None:
    import httpx._transports.default as transports
    from httpx._config import create_ssl_context

    def shared(verify=True, cert=None, trust_env=True):
        if verify is not True or cert:
            return create_ssl_context(verify=verify, cert=cert, trust_env=trust_env)
        key = (trust_env, trust_env and os.environ.get("SSL_CERT_FILE"),
               trust_env and os.environ.get("SSL_CERT_DIR"))
        with _lock:
            if key not in _made:
                _made[key] = create_ssl_context(verify=True, trust_env=trust_env)
            return _made[key]

    transports.create_ssl_context = shared
