// Simulated osqueryd hosts for the UI tests: each enrolls with the enroll
// secret, fetches its config, posts a few status and result log lines, then
// loops on distributed read → run → write over its own keep-alive TLS
// connection, the way osqueryd does (shared/reference/osquery-remote-api.md).
//
// Answers are fixed per host so that tests can predict them:
//   os_version      one row; distributions by host index (35% Ubuntu 22, 25% Debian 12,
//                   20% CentOS 7, 10% Ubuntu 24, 10% macOS 15)
//   processes       a few rows; with `on_disk = 0`, one row on every fourth host
//   last            two root logins on every third host
//   time, system_info, osquery_info, users, listening_ports   small fixed rows
//   apt_sources, deb_packages   Debian and Ubuntu hosts only ("no such table" elsewhere)
//   hash, yara      slow: the host works on them for SLOW_MS (for cancel tests)
//   anything else   status 1, message "no such table: <name>", as osquery answers
// Each host answers after its own latency (30–900 ms) so that timelines spread.
import https from 'node:https';
import { readFileSync } from 'node:fs';

const SLOW_MS = 120_000;
const DISTROS = [
  { share: 0.35, name: 'Ubuntu', major: '22', minor: '04', patch: '4', platform: 'ubuntu', platform_like: 'debian', codename: 'jammy', version: '22.04.4 LTS (Jammy Jellyfish)', type: '9', apt: true },
  { share: 0.25, name: 'Debian GNU/Linux', major: '12', minor: '5', patch: '0', platform: 'debian', platform_like: '', codename: 'bookworm', version: '12 (bookworm)', type: '9', apt: true },
  { share: 0.20, name: 'CentOS Linux', major: '7', minor: '9', patch: '2009', platform: 'centos', platform_like: 'rhel fedora', codename: '', version: '7 (Core)', type: '9', apt: false },
  { share: 0.10, name: 'Ubuntu', major: '24', minor: '04', patch: '1', platform: 'ubuntu', platform_like: 'debian', codename: 'noble', version: '24.04.1 LTS (Noble Numbat)', type: '9', apt: true },
  { share: 0.10, name: 'macOS', major: '15', minor: '1', patch: '0', platform: 'darwin', platform_like: 'darwin', codename: '', version: '15.1', type: '21', apt: false },
];
const ROLES = ['web', 'db', 'cache', 'worker'];

// The distribution of host `i` of `n`: contiguous blocks by share.
export function distroOf(i, n) {
  let cum = 0;
  for (const d of DISTROS) {
    cum += d.share;
    if (i < Math.round(cum * n)) return d;
  }
  return DISTROS[DISTROS.length - 1];
}

// Expected reduce of the OS-distribution example for n hosts: distro → count.
export function expectedDistros(n) {
  const out = new Map();
  for (let i = 0; i < n; ++i) {
    const d = distroOf(i, n);
    const key = `${d.name} ${d.major}`;
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

export function hostnameOf(i, n) {
  const d = distroOf(i, n);
  const role = d.platform === 'darwin' ? 'mac' : ROLES[i % ROLES.length];
  return `${role}-${String(i + 1).padStart(3, '0')}`;
}

function strings(row) {
  const out = {};
  for (const [k, v] of Object.entries(row)) out[k] = v === null || v === undefined ? '' : String(v);
  return out;
}

// The columns a simple `SELECT a, b AS c FROM …` asks for; null for `*` or expressions.
function projection(sql) {
  const m = /^\s*select\s+(.+?)\s+from\s/is.exec(sql);
  if (!m || m[1].trim() === '*' || m[1].includes('(')) return null;
  return m[1].split(',').map((part) => {
    const p = /^\s*([A-Za-z_][\w]*)(?:\s+as\s+([A-Za-z_]\w*))?\s*$/i.exec(part);
    return p ? { from: p[1], as: p[2] ?? p[1] } : null;
  });
}

function firstTable(sql) {
  const m = /\bfrom\s+([A-Za-z_][\w]*)/i.exec(sql);
  return m ? m[1].toLowerCase() : null;
}

class SimHost {
  constructor(i, n, opts) {
    this.i = i;
    this.n = n;
    this.opts = opts;
    this.distro = distroOf(i, n);
    this.hostname = hostnameOf(i, n);
    this.identifier = `sim-${String(i + 1).padStart(4, '0')}-${opts.tag}`;
    this.latencyMs = 30 + ((i * 7919) % 870);
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: opts.ca });
    this.nodeKey = '';
    this.stopped = false;
    this.timers = new Set();
    this.answered = 0;
  }

  post(path, body) {
    const url = new URL(path, this.opts.agentUrl);
    const data = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(url, {
        method: 'POST', agent: this.agent, ca: this.opts.ca, timeout: 30_000,
        headers: {
          'Content-Type': 'application/json', Accept: 'application/json', 'User-Agent': 'osquery/5.23.1',
          'Content-Length': Buffer.byteLength(data),
          ...(this.nodeKey ? { Authorization: `NodeKey ${this.nodeKey}` } : {}),
        },
      }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          try {
            resolve({ status: res.statusCode, body: JSON.parse(text) });
          } catch {
            resolve({ status: res.statusCode, body: {} });
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(data);
    });
  }

  sleep(ms) {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  async enroll() {
    const d = this.distro;
    const r = await this.post('/api/v1/osquery/enroll', {
      enroll_secret: this.opts.secret,
      host_identifier: this.identifier,
      platform_type: d.type,
      host_details: {
        os_version: strings({ arch: d.platform === 'darwin' ? 'arm64' : 'x86_64', build: '', codename: d.codename, major: d.major, minor: d.minor, name: d.name, patch: d.patch, platform: d.platform, platform_like: d.platform_like, version: d.version }),
        osquery_info: strings({ build_distro: 'centos7', build_platform: d.platform === 'darwin' ? 'darwin' : 'linux', config_hash: '', config_valid: '0', extensions: 'active', instance_id: `inst-${this.identifier}`, pid: 1000 + this.i, platform_mask: d.type, start_time: 1764480000, uuid: `uuid-${this.identifier}`, version: this.i % 7 === 0 ? '5.22.1' : '5.23.1', watcher: 999 + this.i }),
        system_info: strings({ computer_name: this.hostname, cpu_brand: 'AMD EPYC', cpu_logical_cores: 4, cpu_physical_cores: 2, hardware_serial: `SN${100000 + this.i}`, hardware_vendor: 'QEMU', hostname: this.hostname, physical_memory: 8589934592, uuid: `uuid-${this.identifier}` }),
      },
    });
    if (!r.body.node_key) throw new Error(`enroll refused for ${this.hostname}: ${JSON.stringify(r.body)}`);
    this.nodeKey = r.body.node_key;
  }

  async logs() {
    const now = Math.floor(Date.now() / 1000);
    const status = [
      { hostIdentifier: this.identifier, calendarTime: new Date().toUTCString(), unixTime: now, severity: 0, filename: 'init.cpp', line: 700, message: 'osquery initialized', version: '5.23.1' },
    ];
    if (this.i % 5 === 0) {
      status.push({ hostIdentifier: this.identifier, calendarTime: new Date().toUTCString(), unixTime: now, severity: 2, filename: 'scheduler.cpp', line: 83, message: 'Error executing scheduled query pack_it_usb_devices: no such table: usb_devices', version: '5.23.1' });
    }
    await this.post('/api/v1/osquery/log', { node_key: this.nodeKey, log_type: 'status', data: status });
    const names = ['pack/it/listening_ports', 'pack/it/users'];
    const result = names.slice(0, 1 + (this.i % 2)).map((name, k) => ({
      name, hostIdentifier: this.identifier, calendarTime: new Date().toUTCString(), unixTime: now, epoch: 0, counter: k,
      numerics: false, columns: { port: String(22 + k), address: '0.0.0.0' }, action: 'added',
    }));
    await this.post('/api/v1/osquery/log', { node_key: this.nodeKey, log_type: 'result', data: result });
  }

  // What this host answers to `sql`: { rows, status, message, slow }.
  answer(sql) {
    const table = firstTable(sql);
    const d = this.distro;
    const now = Math.floor(Date.now() / 1000);
    const fail = (name) => ({ rows: [], status: 1, message: `no such table: ${name}` });
    let rows;
    switch (table) {
      case 'os_version':
        rows = [{ name: d.name, version: d.version, major: d.major, minor: d.minor, patch: d.patch, build: '', platform: d.platform, platform_like: d.platform_like, codename: d.codename, arch: 'x86_64' }];
        break;
      case 'system_info':
        rows = [{ hostname: this.hostname, uuid: `uuid-${this.identifier}`, cpu_brand: 'AMD EPYC', cpu_logical_cores: '4', physical_memory: '8589934592', hardware_vendor: 'QEMU' }];
        break;
      case 'osquery_info':
        rows = [{ version: '5.23.1', build_platform: 'linux', pid: String(1000 + this.i), uuid: `uuid-${this.identifier}` }];
        break;
      case 'time':
        rows = [{ unix_time: String(now), datetime: new Date().toISOString() }];
        break;
      case 'processes':
        if (/on_disk\s*=\s*0/i.test(sql)) {
          rows = this.i % 4 === 0 ? [{ pid: String(4000 + this.i), name: 'kworkerd', path: '/tmp/.x/kworkerd (deleted)', on_disk: '0' }] : [];
        } else {
          rows = ['systemd', 'sshd', 'osqueryd', 'nginx', 'cron'].map((name, k) => ({ pid: String(k + 1 + this.i * 10), name, path: `/usr/sbin/${name}`, on_disk: '1', uid: '0' }));
        }
        break;
      case 'last':
        rows = this.i % 3 === 0 && d.platform !== 'darwin'
          ? [0, 1].map((k) => ({ username: 'root', tty: `pts/${k}`, pid: String(3000 + k), type: '7', type_name: 'user-process', time: String(now - 600 - 60 * k), host: `10.0.${this.i % 250}.${k + 5}` }))
          : [];
        break;
      case 'users':
        rows = [{ uid: '0', username: 'root', shell: '/bin/bash' }, { uid: '1000', username: 'deploy', shell: '/bin/bash' }];
        break;
      case 'listening_ports':
        rows = [{ pid: '812', port: '22', protocol: '6', address: '0.0.0.0' }, { pid: '901', port: '443', protocol: '6', address: '0.0.0.0' }];
        break;
      case 'apt_sources':
      case 'deb_packages':
        if (!d.apt) return fail(table);
        rows = table === 'apt_sources'
          ? [{ name: d.codename, base_uri: 'http://deb.example/debian', release: d.codename }]
          : [{ name: 'openssl', version: '3.0.15', arch: 'amd64' }, { name: 'bash', version: '5.2.15', arch: 'amd64' }];
        break;
      case 'hash':
      case 'yara':
        return { rows: [], status: 0, message: '', slow: true };
      default:
        return fail(table ?? 'unknown');
    }
    const cols = projection(sql);
    if (cols) {
      rows = rows.map((r) => {
        const o = {};
        for (const c of cols) if (c && c.from in r) o[c.as] = r[c.from];
        return o;
      });
    }
    return { rows: rows.map(strings), status: 0, message: '' };
  }

  async loop() {
    while (!this.stopped) {
      let work = {};
      try {
        const r = await this.post('/api/v1/osquery/distributed/read', { node_key: this.nodeKey });
        if (r.body.node_invalid) {
          await this.enroll();
          continue;
        }
        work = r.body.queries ?? {};
      } catch {
        if (this.stopped) return;
        await this.sleep(500);
        continue;
      }
      const ids = Object.keys(work).sort();  // osquery runs them in id order
      if (ids.length === 0) {
        await this.sleep(this.opts.pollMs);
        continue;
      }
      const queries = {}, statuses = {}, messages = {}, stats = {};
      for (const id of ids) {
        const a = this.answer(work[id]);
        await this.sleep(a.slow ? SLOW_MS : this.latencyMs);
        if (this.stopped) return;
        queries[id] = a.rows;
        statuses[id] = a.status;
        messages[id] = a.message;
        stats[id] = { wall_time_ms: Math.round(this.latencyMs / 3), user_time: 2, system_time: 1, memory: 4096 };
      }
      try {
        await this.post('/api/v1/osquery/distributed/write', { queries, statuses, messages, stats, node_key: this.nodeKey });
        this.answered += ids.length;
      } catch {
        // osquery keeps the results for the next cycle; the tests do not need that
      }
      await this.sleep(this.opts.pollMs);
    }
  }

  stop() {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.agent.destroy();
  }
}

// Starts `n` hosts against a running server; resolves once all have enrolled.
// info: server.json of the server. Returns { hosts, stop() }.
export async function startSimHosts(info, n, { tag = 'a', pollMs = 250, offset = 0 } = {}) {
  const ca = readFileSync(info.ca_file);
  const secret = readFileSync(info.enroll_secret_file, 'utf8').trim();
  const hosts = [];
  for (let i = 0; i < n; ++i) hosts.push(new SimHost(i + offset, n + offset, { agentUrl: info.agent_url, ca, secret, tag, pollMs }));
  // Enroll a few at a time: a thundering herd of TLS handshakes on two cores helps nobody.
  for (let i = 0; i < hosts.length; i += 20) {
    await Promise.all(hosts.slice(i, i + 20).map(async (x) => {
      await x.enroll();
      await x.post('/api/v1/osquery/config', { node_key: x.nodeKey });
      await x.logs();
    }));
  }
  for (const x of hosts) void x.loop();
  return {
    hosts,
    stop() {
      for (const x of hosts) x.stop();
    },
  };
}
