#!/usr/bin/env bash
# Benchmarks ferrokey-server against Debian's redis-server, side by side in one run, and prints per
# command the throughput ratio (ferrokey / redis) and server CPU per request, at pipeline 1 and 16,
# then memory per key after 1M `SET key:%012d <64 bytes>`.
#
# Usage: bench/compare.sh              (builds the release binary first)
# Env:   ROUNDS [3]  REQUESTS [200000 per run at P1; x5 at P16]  CLIENTS [50]  MEM_KEYS [1000000]
#        TESTS ["SET GET INCR LPUSH LPOP SADD HSET ZADD MSET PUBLISH"]  PIPELINES ["1 16"]
# Needs: redis-server, redis-benchmark, redis-cli (Debian's redis-server and redis-tools).
# Both servers run with no persistence; the benchmark client is pinned to CPU 0 and both servers to CPU 1
# when the machine has two or more CPUs, so they do not fight the client for a core.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C
ROUNDS=${ROUNDS:-3}; REQUESTS=${REQUESTS:-200000}; CLIENTS=${CLIENTS:-50}; MEM_KEYS=${MEM_KEYS:-1000000}
TESTS=${TESTS:-"SET GET INCR LPUSH LPOP SADD HSET ZADD MSET PUBLISH"}; PIPELINES=${PIPELINES:-"1 16"}
TARGET=${CARGO_TARGET_DIR:-$HOME/.cache/ferrokey/target}

cargo build -q --release -p ferrokey-server --target-dir "$TARGET"
FERROKEY="$TARGET/release/ferrokey-server"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PA=$(free_port); PB=$(free_port)
"$FERROKEY" --port "$PA" --bind 127.0.0.1 --save "" --appendonly no --loglevel warning >/dev/null &
PID_A=$!
redis-server --port "$PB" --bind 127.0.0.1 --save "" --appendonly no --loglevel warning >/dev/null &
PID_B=$!
trap 'kill $PID_A $PID_B 2>/dev/null; wait 2>/dev/null' EXIT
for p in "$PA" "$PB"; do
    for _ in $(seq 100); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.05; done
done

PIN=()
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
    taskset -a -p -c 1 "$PID_A" >/dev/null; taskset -a -p -c 1 "$PID_B" >/dev/null
    PIN=(taskset -c 0)
fi
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
used_memory() { redis-cli -p "$1" info memory | tr -d '\r' | awk -F: '$1=="used_memory"{print $2}'; }
HZ=$(getconf CLK_TCK)
median() { sort -g | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

# One redis-benchmark run; prints "rps cpu_us_per_request".
run() { # port pid test pipeline n
    local port=$1 pid=$2 t=$3 P=$4 n=$5 c0 c1 out rps args
    args=(-p "$port" -c "$CLIENTS" -n "$n" -r 100000 -d 64 -P "$P" --csv)
    c0=$(cpu_ticks "$pid")
    if [ "$t" = PUBLISH ]; then
        out=$("${PIN[@]}" redis-benchmark "${args[@]}" PUBLISH bench:chan:__rand_int__ "$(printf '%064d' 0)" 2>/dev/null)
    else
        out=$("${PIN[@]}" redis-benchmark "${args[@]}" -t "$(tr A-Z a-z <<<"$t")" 2>/dev/null)
    fi
    c1=$(cpu_ticks "$pid")
    rps=$(tr -d '"\r' <<<"$out" | awk -F, 'NF>=2 && $1!="test"{r=$2} END{print r+0}')
    awk -v r="$rps" -v d=$((c1 - c0)) -v n="$n" -v hz="$HZ" 'BEGIN{printf "%s %.2f\n", r, d*1e6/hz/n}'
}

echo "# ferrokey (A, port $PA) vs redis-server $(redis-server --version | awk '{print $3}' | tr -d 'v=') (B, port $PB)"
echo "# $(nproc) CPUs, -c $CLIENTS -d 64 -r 100000; $ROUNDS rounds after a warm-up run, each running both servers"
echo "# back to back (in alternating order); rps: median of the rounds, A/B: median of the rounds' ratios"
printf '%-8s %3s %12s %12s %7s %16s\n' test P "A rps" "B rps" "A/B" "cpu us/req A:B"
SUMMARY=$(mktemp)
for P in $PIPELINES; do
    n=$REQUESTS; [ "$P" -gt 1 ] && n=$((REQUESTS * 5))
    for t in $TESTS; do
        ra=(); rb=(); ca=(); cb=()
        # A short unmeasured run on each first (the data set and the servers' memory warm), then rounds
        # that alternate which server goes first, so a drift in the machine's load does not favour one.
        run "$PA" "$PID_A" "$t" "$P" $((n / 5)) >/dev/null; run "$PB" "$PID_B" "$t" "$P" $((n / 5)) >/dev/null
        for ((i = 0; i < ROUNDS; i++)); do
            for side in $( ((i % 2)) && echo "B A" || echo "A B"); do
                if [ "$side" = A ]; then
                    read -r r c < <(run "$PA" "$PID_A" "$t" "$P" "$n"); ra+=("$r"); ca+=("$c")
                else
                    read -r r c < <(run "$PB" "$PID_B" "$t" "$P" "$n"); rb+=("$r"); cb+=("$c")
                fi
            done
        done
        mA=$(printf '%s\n' "${ra[@]}" | median); mB=$(printf '%s\n' "${rb[@]}" | median)
        cA=$(printf '%s\n' "${ca[@]}" | median); cB=$(printf '%s\n' "${cb[@]}" | median)
        # The ratio is the median of each round's ratio: a round runs both servers back to back, so a
        # change in the machine's load between rounds cancels out.
        ratio=$(for ((i = 0; i < ROUNDS; i++)); do
            awk -v a="${ra[i]}" -v b="${rb[i]}" 'BEGIN{ if (b > 0) print a/b }'
        done | median | awk '{printf "%.2f", $1}')
        printf '%-8s %3s %12.0f %12.0f %7s %16s\n' "$t" "$P" "$mA" "$mB" "$ratio" "$cA:$cB"
        echo "$ratio $t P=$P" >>"$SUMMARY"
        redis-cli -p "$PA" flushall >/dev/null; redis-cli -p "$PB" flushall >/dev/null
    done
done
awk '{s += log($1); n++} END{printf "geomean ratio A/B = %.2f over %d tests\n", exp(s/n), n}' "$SUMMARY"
sort -g "$SUMMARY" | head -1 | awk '{printf "min ratio A/B = %s (%s %s)\n", $1, $2, $3}'
rm -f "$SUMMARY"

if [ "$MEM_KEYS" -gt 0 ]; then
    echo
    echo "# memory: $MEM_KEYS x SET key:%012d <64 bytes>"
    gen() { awk -v n="$MEM_KEYS" 'BEGIN{v=sprintf("%064d",0); for(i=0;i<n;i++){k=sprintf("key:%012d",i); printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$64\r\n%s\r\n", length(k), k, v}}'; }
    for side in "A $PA $PID_A" "B $PB $PID_B"; do
        set -- $side
        redis-cli -p "$2" flushall >/dev/null; sleep 0.5
        u0=$(used_memory "$2"); r0=$(rss_kb "$3")
        gen | redis-cli -p "$2" --pipe >/dev/null
        sleep 0.5
        u1=$(used_memory "$2"); r1=$(rss_kb "$3"); k=$(redis-cli -p "$2" dbsize)
        awk -v s="$1" -v k="$k" -v u0="$u0" -v u1="$u1" -v r0="$r0" -v r1="$r1" \
            'BEGIN{printf "%s keys=%d used_memory/key=%.1f rss/key=%.1f\n", s, k, (u1-u0)/k, (r1-r0)*1024/k}'
    done
fi
