"""An S3 endpoint for tests: moto's S3 application served over real HTTP on a free loopback port
(no real object store - MinIO, Ceph - can run here), with one bucket and a boto3 client for the
tests' own reading and tampering.  The steward's side is configured through the environment
the way ``datasets.load.store`` reads it.

moto (5.2) names the multipart completion's answer ``CompleteMultipartUploadResponse``; S3's API
(and so the AWS SDK inside pyarrow) expects ``CompleteMultipartUploadResult``, and pyarrow takes
the unknown root for an error embedded in a 200 and fails every object over its 10 MB part
size.  The server here renames that one element, so large objects take the path a real store
gives them."""
from __future__ import annotations

import contextlib
import logging
import threading
from typing import Iterator

import pytest

from tests.services.net import free_port

KEY, SECRET = "steward-key", "steward-secret"


@contextlib.contextmanager
def running_s3(bucket: str) -> Iterator[tuple[str, object]]:
    """(endpoint, boto3 client) while the server runs, with ``ENCLAVE_S3_*`` set to reach it."""
    import boto3

    port = free_port()
    server = s3_server(port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=KEY,
                              aws_secret_access_key=SECRET, region_name="us-east-1")
        client.create_bucket(Bucket=bucket)
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("ENCLAVE_S3_ENDPOINT", endpoint)
            mp.setenv("ENCLAVE_S3_ACCESS_KEY_ID", KEY)
            mp.setenv("ENCLAVE_S3_SECRET_ACCESS_KEY", SECRET)
            mp.delenv("ENCLAVE_S3_SECRET_ACCESS_KEY_FILE", raising=False)
            yield endpoint, client
    finally:
        server.shutdown()
        server.server_close()


def s3_server(port: int):
    """moto's S3 application on 127.0.0.1:``port`` (werkzeug, a thread per request), the
    multipart completion named as S3 names it; call ``serve_forever``."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)   # a line per request otherwise
    return make_server("127.0.0.1", port,
                       _completion_named_as_s3(DomainDispatcherApplication(create_backend_app)),
                       threaded=True)


def _completion_named_as_s3(app):
    """WSGI middleware: the multipart completion's root element as S3 names it (see above)."""
    wrong, right = b"CompleteMultipartUploadResponse", b"CompleteMultipartUploadResult"

    def serve(environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST" or "uploadId=" not in \
                environ.get("QUERY_STRING", ""):
            return app(environ, start_response)
        held = {}

        def hold(status, headers, exc_info=None):
            held["status"], held["headers"] = status, headers
            return lambda data: None   # moto returns its body; it never writes

        body = b"".join(app(environ, hold)).replace(wrong, right)
        headers = [(k, str(len(body)) if k.lower() == "content-length" else v)
                   for k, v in held["headers"]]
        start_response(held["status"], headers)
        return [body]
    return serve


if __name__ == "__main__":   # its own process, for benches: python -m tests.services.s3 PORT
    import sys

    s3_server(int(sys.argv[1])).serve_forever()
