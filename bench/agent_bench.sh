#!/usr/bin/env bash
# Agent-side figures on this machine: empty distributed reads over keep-alive TLS,
# and durable ingest (distributed-write rows/s, logger lines/s).
# The server is pinned to core 0, wrk to core 1. Loopback only; bounded durations.
#   bench/agent_bench.sh [seconds-per-run]
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-10}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
BIN=build/src/cli/quarry
[ -x "$BIN" ] || scripts/build
DIR=$(mktemp -d /tmp/quarry-bench.XXXXXX)
taskset -c 0 "$BIN" serve --data-dir "$DIR/data" --agent-listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 \
  --log-level warn >"$DIR/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 1 100); do grep -q "ready" "$DIR/server.log" 2>/dev/null && break; sleep 0.1; done
PORT=$(python3 -c "import json;print(json.load(open('$DIR/data/server.json'))['agent_url'].rsplit(':',1)[1])")
URL=https://127.0.0.1:$PORT
SECRET=$(cat "$DIR/data/enroll_secret")
enroll() {
  curl -s --cacert "$DIR/data/ca.pem" -d "{\"enroll_secret\":\"$SECRET\",\"host_identifier\":\"$1\",\"platform_type\":\"9\",\"host_details\":{}}" \
    "$URL/api/v1/osquery/enroll" | python3 -c "import json,sys;print(json.load(sys.stdin)['node_key'])"
}
NODE_KEY=$(enroll bench-0)
export NODE_KEY
KEYS_FILE="$DIR/keys"
echo "$NODE_KEY" >"$KEYS_FILE"
for i in $(seq 1 63); do enroll "bench-$i" >>"$KEYS_FILE"; done
export KEYS_FILE
ADMIN=$(python3 -c "import json;print(json.load(open('$DIR/data/server.json'))['admin_url'])")
RUN=$(curl -s --cacert "$DIR/data/ca.pem" -H "Authorization: Bearer $(cat "$DIR/data/operator_token")" \
  -d '{"sql":"SELECT * FROM processes","all":true,"timeout_seconds":3600}' "$ADMIN/api/v1/runs" \
  | python3 -c "import json,sys;print(json.load(sys.stdin)['id'])")
export QUERY_ID="q$RUN"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo none)"
cpu_ticks() { awk '{print $14+$15}' /proc/$PID/stat; }
run() {  # name, script, connections, extra env
  local name=$1 script=$2 conns=$3
  local t0 t1; t0=$(cpu_ticks)
  local out; out=$(taskset -c 1 wrk -t1 -c"$conns" -d"${DUR}s" --latency -s "bench/$script" "$URL$4")
  t1=$(cpu_ticks)
  local rps; rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  local reqs; reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  local p50; p50=$(echo "$out" | awk '/ 50%/ {print $2}')
  local p99; p99=$(echo "$out" | awk '/ 99%/ {print $2}')
  local errs; errs=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
  local cpu_us; cpu_us=$(python3 -c "print(round(($t1-$t0)*1e6/$(getconf CLK_TCK)/max($reqs,1),1))")
  printf "%-34s %10s req/s  p50 %-8s p99 %-8s server CPU %6s us/req %s\n" "$name" "$rps" "$p50" "$p99" "$cpu_us" "$errs"
  LAST_RPS=$rps
}
run "empty distributed read (64 conns)" read.lua 64 /api/v1/osquery/distributed/read
ROWS=100 run "distributed write, 100 rows/req" write.lua 64 /api/v1/osquery/distributed/write
echo "  => durable result rows/s: $(python3 -c "print(int(float('$LAST_RPS')*100))")  (rows in the results table: $(sqlite3 "$DIR/data/quarry.db" "SELECT count(*) FROM results"))"
LINES=100 run "logger, 100 result lines/req" log.lua 64 /api/v1/osquery/log
echo "  => durable log lines/s:   $(python3 -c "print(int(float('$LAST_RPS')*100))")"
