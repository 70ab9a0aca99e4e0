"""An S3 endpoint for tests: moto's ``ThreadedMotoServer``, real HTTP on a free loopback port
(no real object store - MinIO, Ceph - can run here), with one bucket and a boto3 client for the
tests' own reading and tampering.  The steward's side is configured through the environment
the way ``datasets.load.store`` reads it."""
from __future__ import annotations

import contextlib
import logging
from typing import Iterator

import pytest

from tests.services.net import free_port

KEY, SECRET = "steward-key", "steward-secret"


@contextlib.contextmanager
def running_s3(bucket: str) -> Iterator[tuple[str, object]]:
    """(endpoint, boto3 client) while the server runs, with ``ENCLAVE_S3_*`` set to reach it."""
    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)   # a line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
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
        server.stop()
