"""redis-py against a password-protected ferrokey: the URL forms Open WebUI uses, ACL users, and an aclfile."""

import os
import subprocess
import time

import pytest
import redis

from conftest import free_port


def start(args):
    """Starts ferrokey-server with extra arguments; returns (process, port). The caller stops it."""
    binary = os.environ.get("FERROKEY_SERVER", "target/debug/ferrokey-server")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--save", "", "--bind", "127.0.0.1", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    return proc, port


def wait_ready(proc, port, **auth):
    deadline = time.time() + 10
    while True:
        try:
            if redis.Redis(port=port, **auth).ping():
                return
        except (redis.ConnectionError, redis.AuthenticationError):
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.05)


@pytest.fixture(scope="module")
def protected():
    proc, port = start(["--requirepass", "pw"])
    wait_ready(proc, port, password="pw")
    yield port
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.parametrize("protocol", [2, 3])
def test_url_with_password_only_selects_db(protected, protocol):
    r = redis.Redis.from_url(f"redis://:pw@127.0.0.1:{protected}/1", protocol=protocol, decode_responses=True)
    r.set("k", "v1")
    assert r.get("k") == "v1"
    assert r.acl_whoami() == "default"
    r0 = redis.Redis.from_url(f"redis://:pw@127.0.0.1:{protected}/0", decode_responses=True)
    assert r0.get("k") is None
    r.flushall()


def test_no_password_gets_noauth(protected):
    r = redis.Redis(port=protected)
    with pytest.raises(redis.AuthenticationError):
        r.get("k")


def test_wrong_password_refused(protected):
    with pytest.raises(redis.AuthenticationError):
        redis.Redis.from_url(f"redis://:bad@127.0.0.1:{protected}/0").ping()


@pytest.mark.parametrize("protocol", [2, 3])
def test_url_with_user_and_password(protected, protocol):
    admin = redis.Redis(port=protected, password="pw", decode_responses=True)
    admin.acl_setuser("app", enabled=True, passwords=["+apppw"], keys=["app:*"], commands=["+@all"])
    r = redis.Redis.from_url(f"redis://app:apppw@127.0.0.1:{protected}/0", protocol=protocol, decode_responses=True)
    assert r.acl_whoami() == "app"
    r.set("app:1", "x")
    assert r.get("app:1") == "x"
    with pytest.raises(redis.exceptions.NoPermissionError, match="No permissions to access a key"):
        r.set("other", "x")
    assert r.client_info()["user"] == "app"
    admin.acl_deluser("app")
    admin.flushall()


def test_aclfile_loaded_at_startup_and_saved(tmp_path):
    acl = tmp_path / "users.acl"
    acl.write_text("user default on nopass ~* &* +@all\nuser webui on >secret ~* &* +@all -flushall\n")
    proc, port = start(["--aclfile", str(acl)])
    try:
        wait_ready(proc, port)
        r = redis.Redis.from_url(f"redis://webui:secret@127.0.0.1:{port}/0", decode_responses=True)
        assert r.acl_whoami() == "webui"
        with pytest.raises(redis.exceptions.NoPermissionError):
            r.flushall()
        admin = redis.Redis(port=port, decode_responses=True)
        admin.acl_setuser("extra", enabled=True, nopass=True)
        assert admin.acl_save()
        assert "user extra on nopass sanitize-payload resetchannels -@all" in acl.read_text()
        acl.write_text("user default on nopass ~* &* +@all\n")
        assert admin.acl_load()
        assert admin.acl_users() == ["default"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_bad_aclfile_refuses_to_start(tmp_path):
    acl = tmp_path / "bad.acl"
    acl.write_text("user alice on +nosuchcommand\n")
    proc, _port = start(["--aclfile", str(acl)])
    out, _ = proc.communicate(timeout=10)
    assert proc.returncode != 0
    assert b"Aborting ferrokey startup because of ACL errors" in out
    assert b"Unknown command or category name in ACL" in out
