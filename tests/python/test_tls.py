"""redis-py over TLS: `rediss://` URLs against ferrokey-server's tls-port, with the CA made here by the
openssl command-line tool, with and without client certificates (tls-auth-clients yes|no)."""

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


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_leaf(d, name, cn, ext):
    """A key and a certificate signed by the test CA in `d`."""
    with open(os.path.join(d, f"{name}.ext"), "w") as f:
        f.write(ext)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
            "-subj", f"/CN={cn}", cwd=d)
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", f"{name}.crt", "-days", "2", "-extfile", f"{name}.ext", cwd=d)


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("tls"))
    with open(os.path.join(d, "ca.ext"), "w") as f:
        f.write("basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
                "subjectKeyIdentifier=hash\n")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
            "-subj", "/CN=ferrokey test CA", "-extensions", "v3_ca", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            cwd=d)
    common = ("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
              "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
    make_leaf(d, "server", "localhost",
              common + "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n")
    make_leaf(d, "client", "client", common + "extendedKeyUsage=clientAuth\n")
    return d


def start_server(certs, auth):
    binary = os.environ.get("FERROKEY_SERVER", "target/debug/ferrokey-server")
    port, tls_port = free_port(), free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--tls-port", str(tls_port),
         "--tls-cert-file", os.path.join(certs, "server.crt"),
         "--tls-key-file", os.path.join(certs, "server.key"),
         "--tls-ca-cert-file", os.path.join(certs, "ca.crt"),
         "--tls-auth-clients", auth],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 10
    while True:
        try:
            if redis.Redis(port=port).ping():
                return proc, port, tls_port
        except redis.ConnectionError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.05)


@pytest.fixture
def tls_server(certs, request):
    proc, port, tls_port = start_server(certs, request.param)
    yield port, tls_port
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.parametrize("tls_server", ["no"], indirect=True)
@pytest.mark.parametrize("protocol", [2, 3])
def test_rediss_url_with_ca_reaches_the_tls_port(certs, tls_server, protocol):
    port, tls_port = tls_server
    r = redis.from_url(f"rediss://127.0.0.1:{tls_port}/1", ssl_ca_certs=os.path.join(certs, "ca.crt"),
                       protocol=protocol, decode_responses=True)
    assert r.ping()
    assert r.set("k", "over tls")
    assert r.get("k") == "over tls"
    assert r.hset("h", mapping={"a": "1", "b": "2"}) == 2
    assert r.hgetall("h") == {"a": "1", "b": "2"}
    # The plain port serves the same keyspace at the same time.
    assert redis.Redis(port=port, db=1, decode_responses=True).get("k") == "over tls"
    info = r.info("server")
    assert info["listener2"]["name"] == "tls"
    assert r.config_get("tls-port") == {"tls-port": str(tls_port)}
    r.close()


@pytest.mark.parametrize("tls_server", ["no"], indirect=True)
def test_rediss_url_without_trusting_the_ca_fails(tls_server):
    _, tls_port = tls_server
    r = redis.from_url(f"rediss://127.0.0.1:{tls_port}/0")
    with pytest.raises(redis.ConnectionError):
        r.ping()


@pytest.mark.parametrize("tls_server", ["yes"], indirect=True)
def test_rediss_url_with_client_certificate_when_auth_clients_yes(certs, tls_server):
    _, tls_port = tls_server
    r = redis.from_url(
        f"rediss://127.0.0.1:{tls_port}/0",
        ssl_ca_certs=os.path.join(certs, "ca.crt"),
        ssl_certfile=os.path.join(certs, "client.crt"),
        ssl_keyfile=os.path.join(certs, "client.key"),
    )
    assert r.ping()
    pubsub = r.pubsub()
    pubsub.subscribe("ch")
    assert pubsub.get_message(timeout=5)["type"] == "subscribe"
    assert r.publish("ch", "hello") == 1
    msg = pubsub.get_message(timeout=5)
    assert msg["data"] == b"hello"
    pubsub.close()
    r.close()


@pytest.mark.parametrize("tls_server", ["yes"], indirect=True)
def test_rediss_url_without_client_certificate_is_refused_when_auth_clients_yes(certs, tls_server):
    _, tls_port = tls_server
    r = redis.from_url(f"rediss://127.0.0.1:{tls_port}/0", ssl_ca_certs=os.path.join(certs, "ca.crt"))
    with pytest.raises(redis.ConnectionError):
        r.ping()
