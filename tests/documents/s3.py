"""A real S3-compatible server for the tests: moto's HTTP server (`moto_server`), run as a
subprocess on a free port. It speaks the S3 protocol over HTTP, as MinIO does in production,
so django-storages' S3 backend and boto3 are exercised end to end (issue 12 §8)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

KEY, SECRET, REGION = "test-key", "test-secret", "eu-west-2"


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def env(self, bucket: str) -> dict[str, str]:
        """The variables the settings read to put the document store in `bucket`."""
        return {"STORAGE_S3_BUCKET": bucket, "STORAGE_S3_ENDPOINT_URL": self.endpoint,
                "STORAGE_S3_ACCESS_KEY": KEY, "STORAGE_S3_SECRET_KEY": SECRET,
                "STORAGE_S3_REGION": REGION}

    def storage_setting(self, bucket: str) -> dict[str, object]:
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "bucket_name": bucket, "endpoint_url": self.endpoint, "access_key": KEY,
            "secret_key": SECRET, "region_name": REGION, "default_acl": None,
            "querystring_auth": True, "file_overwrite": False}}

    def storages(self, bucket: str) -> dict[str, object]:
        """A STORAGES setting with the document store in `bucket`."""
        return {"default": self.storage_setting(bucket), "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

    def client(self):  # a boto3 client
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=KEY,
                            aws_secret_access_key=SECRET, region_name=REGION)

    def make_bucket(self, bucket: str) -> None:
        self.client().create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def s3_server() -> Iterator[S3Server]:
    port = _free_port()
    binary = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(binary), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET})
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)  # noqa: S310
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.2)
        yield S3Server(endpoint)
    finally:
        process.terminate()
        process.wait(timeout=10)
