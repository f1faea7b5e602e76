"""Starts ferrokey-server on a free loopback port for the redis-py tests, and stops it afterwards."""

import os
import socket
import subprocess
import time

import pytest
import redis


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    binary = os.environ.get("FERROKEY_SERVER", "target/debug/ferrokey-server")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--save", "", "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 10
    while True:
        try:
            if redis.Redis(port=port).ping():
                break
        except redis.ConnectionError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.05)
    yield port
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def r(server, request):
    client = redis.Redis(port=server, protocol=request.param, decode_responses=True)
    client.flushall()
    yield client
    client.close()
