#!/usr/bin/env python3
"""Quarry benchmarks: prints a table of figures (median/min/max over repeats)
with the machine and commit. Benchmarks print figures; they never fail on a time.

Server pinned to core 0, load generator to core 1, loopback only, every run
bounded in time. nginx (Debian package) runs beside Quarry as the reference for
the TLS front: same certificate, one worker, a fixed JSON answer.

B4-B6 drive the simulated fleet (`quarry sim`, one loop thread on core 1) against a fresh
server each: B4 fleet capacity (10 s polls, stepping N), B5 delivery of a live query with and
without held polls, B6 server memory per connected idle host. They run once per N (no repeats).

  bench/run_bench.py                 # all figures, 3 repeats of 10 s (~15 min)
  bench/run_bench.py --quick         # smoke run: 1 repeat of 2 s, small fleets (CI, ~1 min)
  bench/run_bench.py --only B1,B3 --repeats 5 --duration 20
  bench/run_bench.py --only B4 --b4-steps 1000,5000 --b4-window 30
"""
import argparse, json, os, re, resource, shutil, signal, statistics, subprocess, sys, tempfile
import time
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


def cpu_split(pid):
    """(user, system) CPU seconds of a process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) / CLK, int(fields[12]) / CLK
    except OSError:
        return 0.0, 0.0


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def sched_seconds(pid):
    """(on CPU, waiting for a CPU) seconds over all threads, from /proc/PID/task/*/schedstat:
    the wait shows how much other processes (parallel builds) took from a pinned core."""
    run = wait = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    a, b = f.read().split()[:2]
                run += int(a)
                wait += int(b)
            except (OSError, ValueError):
                pass
    except OSError:
        pass
    return run / 1e9, wait / 1e9


def cpu_pressure():
    """The machine's CPU pressure (PSI some avg60, %): the share of time something waited."""
    try:
        return float(open("/proc/pressure/cpu").read().split()[2].split("=")[1])
    except (OSError, IndexError, ValueError):
        return float("nan")


def ramp_seconds(n, rate, cycle, quick):
    """Ramp-up: whole poll cycles (so the hosts' poll phases spread evenly), long enough to
    enroll n hosts at `rate` per second (enrollment is a durable write: fsync-bound)."""
    return 2 if quick else cycle * max(1, -(-n // int(rate * cycle)))


def wait_for(predicate, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


class Quarry:
    def __init__(self, tmp, env=None, name="quarry"):
        self.dir = os.path.join(tmp, name + "-data")
        e = dict(os.environ)
        e.update(env or {})
        self.log = open(os.path.join(tmp, name + ".log"), "w")
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

    def get(self, path):
        req = urllib.request.Request(self.admin + path,
                                     headers={"Authorization": "Bearer " + self.token})
        with urllib.request.urlopen(req, context=self.ctx, timeout=30) as r:
            return json.load(r)

    def healthz(self):
        return self.get("/healthz")

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
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class Sim:
    """`quarry sim` (one loop thread, core 1) against a Quarry; figures from --stats-json,
    one JSON line a second with cumulative counters and latency histograms."""

    def __init__(self, tmp, q, name, hosts, extra, duration, every="1s"):
        self.path = os.path.join(tmp, name + ".stats.jsonl")
        self.log = open(os.path.join(tmp, name + ".log"), "w")
        self.hosts = hosts
        self.parsed, self.offset = [], 0
        self.proc = subprocess.Popen(
            ["taskset", "-c", "1", BIN, "sim", "--data-dir", q.dir, "--hosts", str(hosts),
             "--threads", "1", "--duration", f"{int(duration)}s", "--stats-every", every,
             "--stats-json", self.path] + list(extra),
            stdout=self.log, stderr=subprocess.STDOUT)

    def lines(self):
        """Every complete stats line so far (read incrementally)."""
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                chunk = f.read()
        except OSError:
            return self.parsed
        complete = chunk[:chunk.rfind(b"\n") + 1]
        self.offset += len(complete)
        self.parsed += [json.loads(line) for line in complete.splitlines() if line.strip()]
        return self.parsed

    def wait_line(self, predicate, seconds, what):
        """The first stats line satisfying predicate; polls every 100 ms, bounded."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            for line in self.lines():
                if predicate(line):
                    return line
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        last = (self.lines() or [{}])[-1]
        raise RuntimeError(f"sim: timed out waiting for {what} (last: elapsed "
                           f"{last.get('elapsed_seconds')}, enrolled {last.get('enrolled')})")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def quantile_ms(buckets, q):
    """q-quantile of [(upper bound µs, count)], as the sim computes it (bucket upper bound)."""
    total = sum(c for _, c in buckets)
    if total == 0:
        return float("nan")
    rank = max(1, int(q * total + 0.5))
    seen = 0
    for upper, count in buckets:
        seen += count
        if seen >= rank:
            return upper / 1000
    return buckets[-1][0] / 1000


def window_stats(a, b):
    """Per endpoint requests, errors, p50 and p99 between two stats lines (a before b)."""
    out = {}
    for name, eb in b["endpoints"].items():
        ea = a["endpoints"][name]
        before = {u: c for u, c in ea["histogram_us"]}
        diff = [(u, c - before.get(u, 0)) for u, c in eb["histogram_us"]]
        diff = [(u, c) for u, c in diff if c > 0]
        out[name] = {"requests": eb["requests"] - ea["requests"],
                     "errors": eb["errors"] - ea["errors"],
                     "p50_ms": quantile_ms(diff, 0.5), "p99_ms": quantile_ms(diff, 0.99)}
    return out


def nofile_limits():
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def raise_nofile():
    """Soft open-file limit to the hard one; the server, the sim and wrk inherit it."""
    soft, hard = nofile_limits()
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def socket_fds(pid):
    n = 0
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                    n += 1
            except OSError:
                pass
    except OSError:
        pass
    return n


def fmt_ms(v):
    return "n/a" if v != v else f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


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


# B4: the served config's schedule gives every host a few snapshot lines per 10 s logger period
# (cheap tables, so the sim's CPU goes to the protocol, not to generating rows).
B4_CONFIG = {"options": {}, "schedule": {
    "uptime": {"query": "SELECT days, hours, minutes, total_seconds FROM uptime;",
               "interval": 10, "snapshot": True},
    "os_version": {"query": "SELECT name, version, platform, arch FROM os_version;",
                   "interval": 10, "snapshot": True},
    "osquery_info": {"query": "SELECT version, build_platform, config_hash, start_time, "
                              "watcher FROM osquery_info;", "interval": 10, "snapshot": True}}}
B4_STEPS = (1000, 2000, 5000, 10000, 20000)
P99_TARGET_MS = 100


def bench_b4(args, table, tmp):
    """Fleet capacity: 10 s distributed polls (no holding), 60 s config refresh, 10 s logger
    period with a few lines; per N: ramp-up, settle, then a measured window."""
    cfg = os.path.join(tmp, "b4-osquery.json")
    json.dump(B4_CONFIG, open(cfg, "w"))
    hard = nofile_limits()[1]
    cap = hard - 1000 if hard != resource.RLIM_INFINITY else 10 ** 9  # sockets + files
    steps = [500] if args.quick else [int(n) for n in args.b4_steps.split(",")]
    capped = [n for n in steps if n > cap]
    steps = sorted({min(n, cap) for n in steps})
    settle, win = (2, 8) if args.quick else (5, args.b4_window)
    best = None
    for n in steps:
        ramp = ramp_seconds(n, args.enroll_rate, 10, args.quick)
        q = Quarry(tmp, {"QUARRY_AGENT_HOLD_POLL_MS": "0", "QUARRY_AGENT_DISTRIBUTED_INTERVAL": "10",
                         "QUARRY_OSQUERY_CONFIG_FILE": cfg}, name=f"b4-{n}")
        sim = Sim(tmp, q, f"b4-sim-{n}", n,
                  ["--ramp-up", f"{ramp}s", "--distributed-interval", "10s", "--config-refresh",
                   "60s", "--logger-period", "10s", "--connections", "per-host"],
                  ramp + settle + win + 30)
        try:
            start = sim.wait_line(lambda l: l["elapsed_seconds"] >= ramp + settle,
                                  ramp + settle + 60, "the end of the ramp")
            c0, t0, s0 = cpu_seconds([q.proc.pid]), time.time(), sched_seconds(q.proc.pid)
            w0, u0 = sched_seconds(sim.proc.pid), cpu_split(q.proc.pid)
            end = sim.wait_line(lambda l: l["elapsed_seconds"] >= ramp + settle + win,
                                win + 60, "the end of the window")
            c1, t1, s1 = cpu_seconds([q.proc.pid]), time.time(), sched_seconds(q.proc.pid)
            w1, u1 = sched_seconds(sim.proc.pid), cpu_split(q.proc.pid)
            rss = rss_kb(q.proc.pid)
        except RuntimeError as e:
            table.add("B4", f"{n:,} hosts", [], "", f"FAIL: {e}")
            continue
        finally:
            sim.stop()
            q.stop()
        w = window_stats(start, end)
        span = end["elapsed_seconds"] - start["elapsed_seconds"]
        reqs = sum(e["requests"] for e in w.values())
        errors = sum(e["errors"] for e in w.values())
        ramp_errors = sum(e["errors"] for e in start["endpoints"].values())
        p99s = {k: e["p99_ms"] for k, e in w.items() if e["requests"] > 0}
        worst = max(p99s.values()) if p99s else float("nan")
        server_share = (c1 - c0) / (t1 - t0)
        server_wait = (s1[1] - s0[1]) / (t1 - t0)
        sim_share = (end["cpu_seconds"] - start["cpu_seconds"]) / span
        sim_wait = (w1[1] - w0[1]) / (t1 - t0)
        per_host_us = server_share * 1e6 / n
        ok = (errors == 0 and start["enrolled"] == n and end["enrolled"] == n and
              worst < P99_TARGET_MS)
        short = {"distributed_read": "read", "distributed_write": "write"}
        detail = ", ".join(f"{short.get(k, k)} {fmt_ms(v)}" for k, v in p99s.items())
        table.add("B4", f"{n:,} hosts: worst endpoint p99 over {span:.0f} s", [worst], "ms",
                  f"{'PASS' if ok else 'FAIL'} (< {P99_TARGET_MS} ms, no errors); p99 ms: {detail}; "
                  f"{reqs / span:,.0f} req/s; errors {errors} (ramp {ramp_errors}); enrolled "
                  f"{end['enrolled']:,}/{n:,}; ramp {ramp} s; sim at {sim_share:.0%} of core 1, "
                  f"waited for it {sim_wait:.0%}")
        table.add("B4", f"{n:,} hosts: server CPU", [server_share * 100], "% of core 0",
                  f"{per_host_us:.1f} µs CPU per host-second (~{1e6 / per_host_us:,.0f} hosts "
                  f"per core at this load); {(u1[1] - u0[1]) / max(1e-9, c1 - c0):.0%} of it "
                  f"in the kernel; its threads waited for a CPU {server_wait:.0%} of the "
                  f"window (summed); RSS {rss / 1024:,.0f} MiB" if per_host_us > 0 else "")
        if ok and (best is None or n > best[0]):  # every step runs: a noisy failure
            best = (n, per_host_us)                # does not hide a larger N that passes
    note = f"steps {','.join(str(n) for n in steps)}"
    if capped:
        note += f" ({','.join(str(n) for n in capped)} capped to {cap:,}: open-file limit {hard:,})"
    table.add("B4", "largest N with p99 < 100 ms and no errors", [best[0]] if best else [],
              "hosts", note)
    table.add("B4", "server CPU per host at that N", [best[1]] if best else [],
              "µs/host-s", "10 s polls + logs every 10 s + config every 60 s")


def b5_run(args, table, tmp, n, held):
    """Submits SELECT 1 to all of N hosts, held polls on (defaults) or off (10 s polls)."""
    env = {} if held else {"QUARRY_AGENT_HOLD_POLL_MS": "0",
                           "QUARRY_AGENT_DISTRIBUTED_INTERVAL": "10"}
    # The ramp is whole poll cycles (hold 12 s + interval 1 s, or the 10 s interval).
    ramp = ramp_seconds(n, args.enroll_rate, 13 if held else 10, args.quick)
    label = (f"{n:,} hosts, held polls" if held else f"{n:,} hosts, no hold (10 s polls)")
    q = Quarry(tmp, env, name=f"b5-{n}-{'held' if held else 'nohold'}")
    sim = Sim(tmp, q, f"b5-sim-{n}-{'held' if held else 'nohold'}", n,
              ["--ramp-up", f"{ramp}s", "--distributed-interval", "0", "--logger-period", "0",
               "--config-refresh", "60s", "--connections", "per-host"], ramp + 180,
              every="100ms")
    try:
        sim.wait_line(lambda l: l["elapsed_seconds"] >= ramp + 2 and l["enrolled"] == n,
                      ramp + 90, f"{n} hosts enrolled")
        wait_for(lambda: q.healthz()["online"] >= n, 30, "every host online")
        health = q.healthz()
        c0, t0 = cpu_seconds([q.proc.pid]), time.time()
        run = q.post(q.admin, "/api/v1/runs", {"sql": "SELECT 1", "targets": {"all": True},
                                               "timeout_seconds": 120},
                     {"Authorization": "Bearer " + q.token})
        deadline = time.time() + 60
        done = False
        while time.time() < deadline and not done:  # every 200 ms, up to 60 s
            done = q.get(f"/api/v1/runs/{run['id']}?hosts=0")["progress"]["done"]
            if not done:
                time.sleep(0.2)
        c1, t1 = cpu_seconds([q.proc.pid]), time.time()
        full = q.get(f"/api/v1/runs/{run['id']}")
        time.sleep(0.3)
        lines = [l for l in sim.lines() if "unix_us" in l]
    finally:
        sim.stop()
        q.stop()
    created = run["created_us"]
    # The hosts' side: distributed queries the sim received, sampled every 100 ms.
    base = max((l["queries_received"] for l in lines if l["unix_us"] <= created), default=0)

    def received_by(fraction):
        for l in lines:
            if l["unix_us"] > created and l["queries_received"] - base >= fraction * n:
                return (l["unix_us"] - created) / 1000
        return float("nan")

    during = [l for l in lines if l["unix_us"] >= created - 100_000 and
              l["unix_us"] <= created + (t1 - t0) * 1e6 + 100_000]
    sim_share = ((during[-1]["cpu_seconds"] - during[0]["cpu_seconds"]) /
                 max(1e-3, (during[-1]["unix_us"] - during[0]["unix_us"]) / 1e6)
                 if len(during) > 1 else float("nan"))
    online = [h for h in full["hosts"] if h.get("online")]
    ans = sorted((h["finished_us"] - created) / 1000 for h in online
                 if h.get("state") == "answered" and h.get("finished_us"))
    # Before 54dfeb2 a burst of pick-ups could overflow the write queue and leave
    # picked_up_us empty; such hosts are left out of the pick-up figures and counted (the
    # sim side below covers everyone).
    unrecorded = [h for h in online if not h.get("picked_up_us")]
    pick = sorted((h["picked_up_us"] - created) / 1000 for h in online if h.get("picked_up_us"))

    def pct(v, q):
        return v[min(len(v) - 1, int(q * len(v)))] if v else float("nan")

    target = "; target p99 < 1 s" if held and n >= 10000 else ""
    table.add("B5", f"{label}: pickup p99", [pct(pick, 0.99)], "ms",
              f"p50 {fmt_ms(pct(pick, 0.5))} ms, max {fmt_ms(pick[-1] if pick else float('nan'))} "
              f"ms; {health['held_polls']:,} polls held at submit{target}" +
              (f"; {len(unrecorded):,} pick-ups not stored, left out" if unrecorded else ""))
    table.add("B5", f"{label}: answer p99", [pct(ans, 0.99)], "ms",
              f"p50 {fmt_ms(pct(ans, 0.5))} ms, max {fmt_ms(ans[-1] if ans else float('nan'))} ms"
              f"; run done: {done} after {t1 - t0:.1f} s; meanwhile server at "
              f"{(c1 - c0) / (t1 - t0):.0%} of core 0, sim at {sim_share:.0%} of core 1")
    everyone = len(pick) == len(online) and online
    table.add("B5", f"{label}: every online host had it", [pick[-1]] if everyone else [], "ms",
              f"{len(pick):,}/{len(online):,} pick-ups stored, {len(ans):,} "
              "answered" + (f"; all answered after {fmt_ms(ans[-1])} ms"
                            if len(ans) == len(online) and ans else ""))
    table.add("B5", f"{label}: sim side, received p99", [received_by(0.99)], "ms",
              f"p50 {fmt_ms(received_by(0.5))} ms; all {n:,} after "
              f"{fmt_ms(received_by(1.0))} ms (sampled every 100 ms: +0-100 ms; includes the "
              "sim's own queue: one thread for every host)")


def bench_b5(args, table, tmp):
    sizes = [200] if args.quick else [1000, 10000]
    for n in sizes:
        for held in (True, False):
            try:
                b5_run(args, table, tmp, n, held)
            except (RuntimeError, OSError) as e:  # a fleet that never settled; go on
                table.add("B5", f"{n:,} hosts, {'held polls' if held else 'no hold'}", [], "",
                          f"failed: {e}")
    if not args.quick:
        hard = nofile_limits()[1]
        if hard != resource.RLIM_INFINITY and hard < 52000:
            table.add("B5", "50,000 hosts, held polls", [], "ms",
                      f"skipped: open-file limit {hard:,} per process (server and sim each need "
                      "a socket per host)")
        else:
            b5_run(args, table, tmp, 50000, True)


def bench_b6(args, table, tmp):
    """Server RSS per connected idle host: hold 0, 60 s polls, no schedule, config once. Two
    sims of N/2 hosts one after the other, so the second half gives a marginal figure too
    (free of the server's one-off growth: page cache, arenas, first-use buffers)."""
    n = 500 if args.quick else 5000
    half = n // 2
    ramp = 2 if args.quick else max(5, -(-half // int(args.enroll_rate)))
    q = Quarry(tmp, {"QUARRY_AGENT_HOLD_POLL_MS": "0", "QUARRY_AGENT_DISTRIBUTED_INTERVAL": "60"},
               name="b6")
    sims = []

    def connect(first, count):
        sim = Sim(tmp, q, f"b6-sim-{first}", count,
                  ["--first-index", str(first), "--ramp-up", f"{ramp}s", "--distributed-interval",
                   "60s", "--config-refresh", "0", "--logger-period", "60s", "--no-schedule",
                   "--connections", "per-host"], ramp + 180)
        sims.append(sim)
        line = sim.wait_line(lambda l: l["enrolled"] == count and
                             l["endpoints"]["distributed_read"]["requests"] >= count and
                             l["endpoints"]["config"]["requests"] >= count, ramp + 60,
                             "every host enrolled, configured and polled once")
        time.sleep(3)  # idle: nothing more until the 60 s poll and logger period
        return rss_kb(q.proc.pid), sum(e["errors"] for e in line["endpoints"].values())

    try:
        time.sleep(1)
        before = rss_kb(q.proc.pid)
        mid, errors1 = connect(0, half)
        after, errors2 = connect(half, n - half)
        sockets = socket_fds(q.proc.pid)
        for sim in sims:
            sim.stop()
        sims = []
        time.sleep(2)
        gone = rss_kb(q.proc.pid)
    finally:
        for sim in sims:
            sim.stop()
        q.stop()
    per_host = (after - before) / n
    table.add("B6", f"server RSS per connected idle host ({n:,} hosts)", [per_host], "KiB",
              f"target < 20 KB; RSS {before / 1024:,.0f} → {after / 1024:,.0f} MiB "
              f"({sockets:,} sockets open); {gone / 1024:,.0f} MiB after they disconnect; "
              f"errors {errors1 + errors2}")
    table.add("B6", f"server RSS per host, second {n - half:,} (marginal)",
              [(after - mid) / (n - half)], "KiB", f"first {half:,}: "
              f"{(mid - before) / half:.1f} KiB/host")


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
    global BIN
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--only", default="B1,B2,B3,B4,B5,B6,B7")
    ap.add_argument("--b4-steps", default=",".join(str(n) for n in B4_STEPS),
                    help="B4 fleet sizes (capped by the open-file limit)")
    ap.add_argument("--b4-window", type=int, default=30, help="B4 measured window, s")
    ap.add_argument("--enroll-rate", type=float, default=200,
                    help="B4-B6 ramp-up pacing, enrollments/s (each is an fsync'd write)")
    ap.add_argument("--bin", default=BIN, help="the quarry binary (default build/src/cli/quarry)")
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    BIN = os.path.abspath(args.bin)
    args.only = set(args.only.split(","))
    if args.quick:
        args.repeats, args.duration = 1, 2
    for tool in ("wrk", "nginx", "taskset"):
        if not shutil.which(tool):
            sys.exit(f"run_bench: needs {tool} (apt-get install wrk nginx-light util-linux)")
    if not os.path.exists(BIN):
        subprocess.run([os.path.join(ROOT, "scripts/build")], check=True)
    hard = raise_nofile()
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), "?")
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    mem = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    load = open("/proc/loadavg").read().split()[:3]
    header = (f"machine: {os.cpu_count()} cores, {cpu}, {mem / 1048576:.0f} GiB, open files "
              f"{hard:,}; commit {commit}{' + uncommitted changes' if dirty else ''} (binary built "
              f"{time.strftime('%H:%M', time.localtime(os.path.getmtime(BIN)))}); "
              f"{args.repeats} repeat(s) of {args.duration} s; server on core 0, load on core 1; "
              f"load average at start {' '.join(load)}, CPU pressure (PSI avg60) "
              f"{cpu_pressure():.0f}%")
    print(header, flush=True)
    table = Table()
    began = time.time()
    with tempfile.TemporaryDirectory(prefix="quarry-bench.") as tmp:
        # A private copy: other builds relinking build/ mid-run must not change the binary.
        BIN = shutil.copy(BIN, os.path.join(tmp, "quarry"))
        os.chmod(BIN, 0o755)
        if args.only & {"B1", "B2", "B3"}:
            bench_b1_b2_b3(args, table, tmp)
        sim_ok = "--stats-json" in subprocess.run([BIN, "sim", "--help"], capture_output=True,
                                                  text=True).stdout
        for name, fn in (("B4", bench_b4), ("B5", bench_b5), ("B6", bench_b6)):
            if name in args.only and not sim_ok:
                table.add(name, "fleet benchmark", [], "", "skipped: this quarry's sim has no "
                          "--stats-json (rebuild: ninja -C build quarry)")
            elif name in args.only:
                fn(args, table, tmp)
        if "B7" in args.only:
            bench_b7(args, table)
    header += (f"; at end {' '.join(open('/proc/loadavg').read().split()[:3])}, "
               f"{cpu_pressure():.0f}%; took {time.time() - began:.0f} s")
    print()
    print(header)
    print(table.markdown())
    if args.out:
        with open(args.out, "w") as f:
            f.write(header + "\n\n" + table.markdown() + "\n")


if __name__ == "__main__":
    main()
