"""redis-py, the client Open WebUI uses, against ferrokey-server under RESP2 and RESP3."""

import threading
import time

import redis


def test_strings_and_expiry(r):
    assert r.set("k", "v", ex=100)
    assert r.get("k") == "v"
    assert 0 < r.ttl("k") <= 100
    assert r.incr("n") == 1
    assert r.incrby("n", 5) == 6
    assert r.incrbyfloat("f", 1.5) == 1.5
    assert r.mget("k", "missing", "n") == ["v", None, "6"]
    assert r.set("k", "x", nx=True) is None
    assert r.getdel("k") == "v"
    assert r.exists("k") == 0


def test_hashes(r):
    assert r.hset("h", mapping={"a": "1", "b": "2"}) == 2
    assert r.hgetall("h") == {"a": "1", "b": "2"}
    assert r.hincrby("h", "a", 10) == 11
    assert sorted(r.hkeys("h")) == ["a", "b"]


def test_lists_sets_zsets(r):
    assert r.rpush("l", "a", "b", "c") == 3
    assert r.lrange("l", 0, -1) == ["a", "b", "c"]
    assert r.lpop("l") == "a"
    assert r.sadd("s", "x", "y") == 2
    assert r.smembers("s") == {"x", "y"}
    assert r.zadd("z", {"a": 1, "b": 2.5}) == 2
    # redis-py gives tuples under RESP2 and lists under RESP3 (as it does against Valkey).
    assert [tuple(p) for p in r.zrange("z", 0, -1, withscores=True)] == [("a", 1.0), ("b", 2.5)]
    assert r.zscore("z", "b") == 2.5


def test_errors_raise_with_valkey_text(r):
    r.set("str", "v")
    try:
        r.lpush("str", "x")
        raise AssertionError("expected WRONGTYPE")
    except redis.ResponseError as e:
        assert str(e).startswith("WRONGTYPE Operation against a key holding the wrong kind of value")


def test_pipeline_and_transaction(r):
    pipe = r.pipeline(transaction=True)
    pipe.set("a", "1").incr("a").get("a")
    assert pipe.execute() == [True, 2, "2"]


def test_watch_aborts_on_concurrent_write(r, server):
    other = redis.Redis(port=server, decode_responses=True)
    with r.pipeline() as pipe:
        pipe.watch("w")
        other.set("w", "changed")
        pipe.multi()
        pipe.set("w", "mine")
        try:
            pipe.execute()
            raise AssertionError("expected WatchError")
        except redis.WatchError:
            pass
    assert r.get("w") == "changed"


def test_pubsub_delivers_messages(r, server):
    p = r.pubsub()
    p.subscribe("news")
    p.psubscribe("ne*")
    assert p.get_message(timeout=1)["type"] == "subscribe"
    assert p.get_message(timeout=1)["type"] == "psubscribe"
    publisher = redis.Redis(port=server, decode_responses=True)
    assert publisher.publish("news", "hello") == 2
    kinds = set()
    for _ in range(2):
        m = p.get_message(timeout=2)
        assert m["data"] == "hello"
        kinds.add(m["type"])
    assert kinds == {"message", "pmessage"}
    p.close()


def test_blpop_woken_by_other_client(r, server):
    result = {}

    def waiter():
        c = redis.Redis(port=server, decode_responses=True)
        result["v"] = c.blpop(["q"], timeout=5)

    t = threading.Thread(target=waiter)
    t.start()
    time.sleep(0.2)
    r.rpush("q", "job")
    t.join(timeout=5)
    assert result["v"] == ("q", "job") or result["v"] == ["q", "job"]


def test_blpop_times_out_with_none(r):
    assert r.blpop(["empty"], timeout=0.1) is None


def test_scan_iter_and_select(server):
    c = redis.Redis(port=server, db=1, decode_responses=True)
    c.flushdb()
    for i in range(300):
        c.set(f"key:{i}", i)
    assert len(set(c.scan_iter(match="key:*", count=50))) == 300
    assert redis.Redis(port=server, db=2).dbsize() == 0


def test_url_with_db(server):
    c = redis.Redis.from_url(f"redis://127.0.0.1:{server}/1", decode_responses=True)
    c.set("in-db-1", "yes")
    assert c.get("in-db-1") == "yes"
    assert redis.Redis(port=server, db=0).get("in-db-1") is None


def test_info_reports_compatible_version(r):
    info = r.info("server")
    assert info["redis_version"] == "7.2.4"
