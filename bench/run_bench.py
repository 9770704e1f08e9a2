#!/usr/bin/env python3
"""Quarry benchmarks: prints a table of figures (median/min/max over repeats)
with the machine and commit. Benchmarks print figures; they never fail on a time.

Server pinned to core 0, load generator to core 1, loopback only, every run
bounded in time. nginx (Debian package) runs beside Quarry as the reference for
the TLS front: same certificate, one worker, a fixed JSON answer.

  bench/run_bench.py                 # all figures, 3 repeats of 10 s
  bench/run_bench.py --quick         # smoke run: 1 repeat of 2 s (CI)
  bench/run_bench.py --only B1,B3 --repeats 5 --duration 20
"""
import argparse, json, os, re, shutil, signal, statistics, subprocess, sys, tempfile, time
import urllib.request, ssl

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "build/src/cli/quarry")
CLK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        except OSError:
            pass
    return total / CLK


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wait_for(predicate, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


class Quarry:
    def __init__(self, tmp, env=None):
        self.dir = os.path.join(tmp, "quarry-data")
        e = dict(os.environ)
        e.update(env or {})
        self.log = open(os.path.join(tmp, "quarry.log"), "w")
        self.proc = subprocess.Popen(
            ["taskset", "-c", "0", BIN, "serve", "--data-dir", self.dir, "--agent-listen",
             "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--log-level", "warn"],
            stdout=self.log, stderr=subprocess.STDOUT, env=e)
        wait_for(lambda: os.path.exists(os.path.join(self.dir, "server.json")) and
                 self._ready(), 30, "quarry serve")
        info = json.load(open(os.path.join(self.dir, "server.json")))
        self.agent = info["agent_url"]
        self.admin = info["admin_url"]
        self.ca = os.path.join(self.dir, "ca.pem")
        self.secret = open(os.path.join(self.dir, "enroll_secret")).read().strip()
        self.token = open(os.path.join(self.dir, "operator_token")).read().strip()
        self.ctx = ssl.create_default_context(cafile=self.ca)

    def _ready(self):
        try:
            info = json.load(open(os.path.join(self.dir, "server.json")))
            return info.get("pid") == self.proc.pid
        except (OSError, ValueError):
            return False

    def post(self, base, path, body, headers=None):
        req = urllib.request.Request(base + path, data=json.dumps(body).encode(),
                                     headers=headers or {}, method="POST")
        with urllib.request.urlopen(req, context=self.ctx, timeout=30) as r:
            return json.load(r)

    def enroll(self, ident):
        return self.post(self.agent, "/api/v1/osquery/enroll",
                         {"enroll_secret": self.secret, "host_identifier": ident,
                          "platform_type": "9", "host_details": {}})["node_key"]

    def run_on_all(self, sql):
        return self.post(self.admin, "/api/v1/runs", {"sql": sql, "targets": {"all": True},
                                                      "timeout_seconds": 3600},
                         {"Authorization": "Bearer " + self.token})["id"]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class Nginx:
    def __init__(self, tmp, cert, key):
        self.dir = os.path.join(tmp, "nginx")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        conf = f"""
worker_processes 1;
daemon off;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  client_body_temp_path {self.dir}/body;
  proxy_temp_path {self.dir}/proxy;
  fastcgi_temp_path {self.dir}/fastcgi;
  uwsgi_temp_path {self.dir}/uwsgi;
  scgi_temp_path {self.dir}/scgi;
  server {{
    listen 127.0.0.1:{self.port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    location / {{ default_type application/json; return 200 '{{"queries":{{}}}}'; }}
  }}
}}
"""
        path = os.path.join(self.dir, "nginx.conf")
        open(path, "w").write(conf)
        self.proc = subprocess.Popen(["taskset", "-c", "0", "nginx", "-c", path, "-p", self.dir],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: os.path.exists(f"{self.dir}/nginx.pid") and self.pids(), 10, "nginx")
        self.url = f"https://127.0.0.1:{self.port}"

    def pids(self):
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True)
        return [self.proc.pid] + [int(p) for p in out.stdout.split()]

    def stop(self):
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wrk(url, script, conns, duration, env, pids, headers=()):
    cmd = ["taskset", "-c", "1", "wrk", "-t1", f"-c{conns}", f"-d{duration}s", "--latency",
           "-s", os.path.join(ROOT, "bench", script)]
    for h in headers:
        cmd += ["-H", h]
    cmd.append(url)
    e = dict(os.environ)
    e.update(env)
    c0 = cpu_seconds(pids)
    out = subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=duration + 60).stdout
    c1 = cpu_seconds(pids)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    reqs = int(re.search(r"(\d+) requests in", out).group(1))
    def lat(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        if not m:
            return float("nan")
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    return {"rps": rps, "p50_ms": lat(50), "p99_ms": lat(99),
            "cpu_us": (c1 - c0) * 1e6 / max(reqs, 1), "errors": errors}


class Table:
    def __init__(self):
        self.rows = []

    def add(self, bench, metric, values, unit, note=""):
        vals = [v for v in values if v == v]
        if not vals:
            self.rows.append((bench, metric, "n/a", "", "", unit, note))
            return
        fmt = (lambda v: f"{v:,.0f}") if max(vals) >= 100 else (lambda v: f"{v:.2f}")
        self.rows.append((bench, metric, fmt(statistics.median(vals)), fmt(min(vals)),
                          fmt(max(vals)), unit, note))
        print(f"  {bench} {metric}: {fmt(statistics.median(vals))} {unit} {note}", flush=True)

    def markdown(self):
        out = ["| bench | figure | median | min | max | unit | note |",
               "|---|---|---|---|---|---|---|"]
        out += ["| " + " | ".join(r) + " |" for r in self.rows]
        return "\n".join(out)


def bench_b1_b2_b3(args, table, tmp):
    q = Quarry(tmp, {"QUARRY_AGENT_HOLD_POLL_MS": "0"})
    ng = Nginx(tmp, os.path.join(q.dir, "server.pem"), os.path.join(q.dir, "server.key"))
    try:
        key = q.enroll("bench-0")
        env = {"NODE_KEY": key, "ENROLL_SECRET": q.secret}
        runs = range(args.repeats)
        if "B1" in args.only:
            qr = [wrk(q.agent + "/api/v1/osquery/distributed/read", "read.lua", 64, args.duration,
                      env, [q.proc.pid]) for _ in runs]
            nr = [wrk(ng.url + "/api/v1/osquery/distributed/read", "read.lua", 64, args.duration,
                      env, ng.pids()) for _ in runs]
            table.add("B1", "Quarry empty distributed reads", [r["rps"] for r in qr], "req/s",
                      "64 keep-alive TLS conns")
            table.add("B1", "Quarry p50 / p99", [r["p50_ms"] for r in qr], "ms p50",
                      f"p99 {statistics.median([r['p99_ms'] for r in qr]):.2f} ms")
            table.add("B1", "Quarry server CPU per request", [r["cpu_us"] for r in qr], "µs")
            table.add("B1", "nginx fixed JSON answer", [r["rps"] for r in nr], "req/s")
            table.add("B1", "nginx server CPU per request", [r["cpu_us"] for r in nr], "µs")
            table.add("B1", "CPU per request Quarry/nginx",
                      [a["cpu_us"] / b["cpu_us"] for a, b in zip(qr, nr)], "×", "target ≤ 1.25")
        if "B2" in args.only:
            qe = [wrk(q.agent + "/api/v1/osquery/enroll", "enroll.lua", 32, args.duration, env,
                      [q.proc.pid]) for _ in runs]
            ne = [wrk(ng.url + "/", "read.lua", 32, args.duration, env, ng.pids(),
                      headers=["Connection: close"]) for _ in runs]
            table.add("B2", "Quarry enrollments (new TLS conn each)", [r["rps"] for r in qe], "/s",
                      f"errors {sum(r['errors'] for r in qe)}")
            table.add("B2", "nginx handshakes (new TLS conn each)", [r["rps"] for r in ne], "/s")
            table.add("B2", "rate Quarry/nginx", [a["rps"] / b["rps"] for a, b in zip(qe, ne)], "×",
                      "target ≥ 0.8")
        if "B3" in args.only:
            keys = [key] + [q.enroll(f"bench-{i}") for i in range(1, 64)]
            keys_file = os.path.join(tmp, "keys")
            open(keys_file, "w").write("\n".join(keys) + "\n")
            run = q.run_on_all("SELECT * FROM processes")
            wenv = dict(env, KEYS_FILE=keys_file, QUERY_ID=f"q{run}", ROWS="100", LINES="100")
            wr = [wrk(q.agent + "/api/v1/osquery/distributed/write", "write.lua", 64, args.duration,
                      wenv, [q.proc.pid]) for _ in runs]
            lg = [wrk(q.agent + "/api/v1/osquery/log", "log.lua", 64, args.duration, wenv,
                      [q.proc.pid]) for _ in runs]
            table.add("B3", "durable result rows (distributed write, 100 rows/req)",
                      [r["rps"] * 100 for r in wr], "rows/s", "target ≥ 100,000; synchronous=FULL")
            table.add("B3", "durable log lines (logger, 100 lines/req)", [r["rps"] * 100 for r in lg],
                      "lines/s")
            table.add("B3", "write p99", [r["p99_ms"] for r in wr], "ms")
    finally:
        ng.stop()
        q.stop()


def bench_b7(args, table):
    exe = os.path.join(ROOT, "build/src/search/reduce_bench")
    if not os.path.exists(exe):
        table.add("B7", "reduce GROUP BY over 3M rows", [], "s", "reduce_bench not built")
        return
    rows = "300000" if args.quick else "3000000"
    times, loads = [], []
    for _ in range(1 if args.quick else min(args.repeats, 3)):
        out = subprocess.run([exe, rows, "100", "single"], capture_output=True, text=True,
                             timeout=600).stdout
        m = re.search(r"query: wall best [\d.]+ s, median ([\d.]+) s;[^\n]*GROUP BY name", out)
        if m:
            times.append(float(m.group(1)))
        m = re.search(r"load: .*? in ([\d.]+) s wall", out)
        if m:
            loads.append(float(m.group(1)))
    table.add("B7", f"reduce GROUP BY name over {int(rows):,} rows (query)", times, "s",
              "target < 1 s")
    table.add("B7", "loading those rows into the reducer", loads, "s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--only", default="B1,B2,B3,B7")
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    args.only = set(args.only.split(","))
    if args.quick:
        args.repeats, args.duration = 1, 2
    for tool in ("wrk", "nginx", "taskset"):
        if not shutil.which(tool):
            sys.exit(f"run_bench: needs {tool} (apt-get install wrk nginx-light util-linux)")
    if not os.path.exists(BIN):
        subprocess.run([os.path.join(ROOT, "scripts/build")], check=True)
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), "?")
    header = (f"machine: {os.cpu_count()} cores, {cpu}; commit {commit}; "
              f"{args.repeats} repeat(s) of {args.duration} s; server on core 0, load on core 1")
    print(header, flush=True)
    table = Table()
    with tempfile.TemporaryDirectory(prefix="quarry-bench.") as tmp:
        if args.only & {"B1", "B2", "B3"}:
            bench_b1_b2_b3(args, table, tmp)
        if "B7" in args.only:
            bench_b7(args, table)
    print()
    print(header)
    print(table.markdown())
    if args.out:
        with open(args.out, "w") as f:
            f.write(header + "\n\n" + table.markdown() + "\n")


if __name__ == "__main__":
    main()
