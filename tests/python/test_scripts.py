"""Lua scripts through redis-py against ferrokey-server, in RESP2 and RESP3: the `Lock` (whose release,
extend and reacquire are scripts run with EVALSHA), `register_script` with its NOSCRIPT fallback, and
rate limiters of the kind Open WebUI runs (HINCRBY / INCR + EXPIRE in one script)."""

import hashlib
import threading
import time

import pytest
import redis
from redis.exceptions import LockError, LockNotOwnedError, NoScriptError, ResponseError


# -- redis-py's Lock ---------------------------------------------------------------------------------


def test_lock_acquire_and_release_hold_the_key_only_while_owned(r):
    lock = r.lock("lock:a", timeout=10)
    assert lock.acquire(blocking=False)
    assert lock.locked() and lock.owned()
    assert r.get("lock:a") == lock.local.token.decode()
    assert 0 < r.pttl("lock:a") <= 10_000
    # A second lock on the same name cannot take it.
    assert not r.lock("lock:a", timeout=10).acquire(blocking=False)
    lock.release()
    assert not lock.locked()
    assert r.exists("lock:a") == 0
    # Releasing again is refused by redis-py itself (it no longer holds a token).
    with pytest.raises(LockError):
        lock.release()


def test_lock_extend_adds_time_or_replaces_the_ttl(r):
    lock = r.lock("lock:e", timeout=1)
    assert lock.acquire(blocking=False)
    assert lock.extend(10)
    assert 10_000 < r.pttl("lock:e") <= 11_000
    assert lock.extend(5, replace_ttl=True)
    assert 4_000 < r.pttl("lock:e") <= 5_000
    lock.release()


def test_lock_reacquire_resets_the_ttl(r):
    lock = r.lock("lock:r", timeout=5)
    assert lock.acquire(blocking=False)
    r.pexpire("lock:r", 100)
    assert lock.reacquire()
    assert 4_000 < r.pttl("lock:r") <= 5_000
    lock.release()


def test_lock_expired_lock_is_taken_by_another_and_the_first_no_longer_owns_it(r):
    first = r.lock("lock:x", timeout=0.2)
    assert first.acquire(blocking=False)
    first_token = first.local.token
    time.sleep(0.3)
    assert not first.locked()
    second = r.lock("lock:x", timeout=10)
    assert second.acquire(blocking=False)
    assert not first.owned() and second.owned()
    # The release, extend and reacquire scripts see another token and refuse.
    with pytest.raises(LockNotOwnedError):
        first.release()
    # A failed release forgets the token; give it back so extend and reacquire reach their scripts.
    first.local.token = first_token
    with pytest.raises(LockNotOwnedError):
        first.extend(1)
    first.local.token = first_token
    with pytest.raises(LockNotOwnedError):
        first.reacquire()
    assert r.exists("lock:x") == 1
    second.release()
    assert r.exists("lock:x") == 0


def test_lock_blocking_acquire_waits_for_the_release(r):
    # Not thread-local: another thread releases it.
    holder = r.lock("lock:b", timeout=10, thread_local=False)
    assert holder.acquire(blocking=False)
    # Nobody releases: a bounded wait gives up.
    started = time.monotonic()
    assert not r.lock("lock:b", timeout=10, sleep=0.02).acquire(blocking_timeout=0.2)
    # redis-py stops early when its next sleep would pass the deadline.
    assert time.monotonic() - started >= 0.15

    releaser = threading.Timer(0.2, holder.release)
    releaser.start()
    try:
        waiter = r.lock("lock:b", timeout=10, sleep=0.02)
        assert waiter.acquire(blocking=True, blocking_timeout=5)
        assert waiter.owned()
        waiter.release()
    finally:
        releaser.join()


def test_lock_as_a_context_manager(r):
    with r.lock("lock:c", timeout=10, blocking_timeout=1) as lock:
        assert lock.owned()
        assert r.incr("guarded") == 1
    assert r.exists("lock:c") == 0


# -- register_script and EVALSHA -----------------------------------------------------------------------


def test_register_script_runs_by_sha_and_reloads_after_script_flush(r):
    script = r.register_script("return {KEYS[1], ARGV[1], redis.call('INCR', KEYS[1])}")
    assert script.sha == hashlib.sha1(script.script.encode()).hexdigest()
    assert script(keys=["n"], args=["a"]) == ["n", "a", 1]
    assert r.script_exists(script.sha) == [True]
    r.script_flush()
    assert r.script_exists(script.sha) == [False]
    with pytest.raises(NoScriptError):
        r.evalsha(script.sha, 1, "n", "a")
    # The Script object catches NOSCRIPT, loads the script and runs it again.
    assert script(keys=["n"], args=["b"]) == ["n", "b", 2]
    assert r.script_exists(script.sha) == [True]


def test_register_script_sha_matches_script_load(r):
    body = "return redis.sha1hex(ARGV[1])"
    script = r.register_script(body)
    assert r.script_load(body) == script.sha
    assert script(args=[""]) == "da39a3ee5e6b4b0d3255bfef95601890afd80709"


def test_register_script_in_a_pipeline_loads_missing_scripts(r):
    script = r.register_script("return redis.call('SET', KEYS[1], ARGV[1])")
    r.script_flush()
    pipe = r.pipeline()
    script(keys=["k"], args=["v"], client=pipe)
    pipe.get("k")
    assert pipe.execute() == ["OK", "v"]


def test_script_errors_reach_redis_py_with_valkey_text(r):
    r.set("s", "text")
    with pytest.raises(ResponseError) as e:
        r.eval("return redis.call('INCR', KEYS[1])", 1, "s")
    assert str(e.value).startswith("value is not an integer or out of range script: ")
    with pytest.raises(ResponseError) as e:
        r.eval("return redis.error_reply('MY custom')", 0)
    assert str(e.value) == "MY custom"


def test_script_reply_types_per_protocol(r):
    resp3 = r.connection_pool.connection_kwargs.get("protocol") == 3
    # false is a null, a float truncates, and an array ends at its first nil.
    assert r.eval("return {1, 'two', {3}, false, 4.9, nil, 5}", 0) == [1, "two", [3], None, 4]
    assert r.eval("return {ok='fine'}", 0) == "fine"
    assert r.eval("return 3.99", 0) == 3
    # Under setresp(3) a script can return maps, sets and doubles; RESP2 callers get them downgraded.
    as_map = r.eval("redis.setresp(3); return {map={a=1}}", 0)
    as_set = r.eval("redis.setresp(3); return {set={x=true}}", 0)
    as_double = r.eval("redis.setresp(3); return {double=1.5}", 0)
    if resp3:
        # redis-py hands a RESP3 set over as a list.
        assert (as_map, list(as_set), as_double) == ({"a": 1}, ["x"], 1.5)
    else:
        assert (as_map, as_set, as_double) == (["a", 1], ["x"], "1.5")
    # And redis.call's replies reach the script in the protocol it chose.
    r.hset("h", "f", "v")
    assert r.eval("redis.setresp(3); return redis.call('HGETALL', 'h')['map'] ~= nil and 1 or 0", 0) == 1
    assert r.eval("return #redis.call('HGETALL', 'h')", 0) == 2


def test_cjson_and_cmsgpack_round_trip(r):
    assert r.eval("return cjson.encode(cjson.decode(ARGV[1]))", 0, '{"a":[1,2,3]}') == '{"a":[1,2,3]}'
    assert r.eval("return cmsgpack.unpack(cmsgpack.pack({1,2,'x'}))[3]", 0) == "x"


# -- rate limiters as Open WebUI writes them -----------------------------------------------------------

# A sliding window kept as per-second buckets in a hash: count this request in its bucket, drop
# buckets older than the window, keep the hash alive one window, and answer whether the request fits.
SLIDING_WINDOW = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('HINCRBY', key, tostring(now), 1)
local total = 0
local fields = redis.call('HGETALL', key)
for i = 1, #fields, 2 do
  if tonumber(fields[i]) <= now - window then
    redis.call('HDEL', key, fields[i])
  else
    total = total + tonumber(fields[i + 1])
  end
end
redis.call('EXPIRE', key, window)
if total > limit then return {0, total} end
return {1, total}
"""

# A fixed window: INCR, and on the first hit set the window's expiry.
FIXED_WINDOW = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('TTL', KEYS[1])}
"""


def test_sliding_window_rate_limiter_allows_up_to_the_limit(r):
    limiter = r.register_script(SLIDING_WINDOW)
    replies = [limiter(keys=["rl:user:1"], args=[1000, 60, 3]) for _ in range(5)]
    assert replies == [[1, 1], [1, 2], [1, 3], [0, 4], [0, 5]]
    assert 0 < r.ttl("rl:user:1") <= 60
    # A minute later the old bucket falls out of the window.
    assert limiter(keys=["rl:user:1"], args=[1060, 60, 3]) == [1, 1]
    assert r.hgetall("rl:user:1") == {"1060": "1"}
    # Other users count apart.
    assert limiter(keys=["rl:user:2"], args=[1000, 60, 3]) == [1, 1]


def test_fixed_window_rate_limiter_counts_and_expires(r):
    limiter = r.register_script(FIXED_WINDOW)
    assert limiter(keys=["rl:ip"], args=[1]) == [1, 1]
    assert limiter(keys=["rl:ip"], args=[1])[0] == 2
    time.sleep(1.1)
    assert r.exists("rl:ip") == 0
    assert limiter(keys=["rl:ip"], args=[1]) == [1, 1]


def test_rate_limiter_is_atomic_under_concurrent_clients(server, r):
    limiter_sha = r.script_load(FIXED_WINDOW)
    errors = []

    def hit():
        c = redis.Redis(port=server, decode_responses=True)
        try:
            for _ in range(50):
                c.evalsha(limiter_sha, 1, "rl:shared", 100)
        except Exception as e:  # surfaced below
            errors.append(e)
        finally:
            c.close()

    threads = [threading.Thread(target=hit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert r.get("rl:shared") == "200"
    assert 0 < r.ttl("rl:shared") <= 100
