// Test harness for the browser tests: the real `quarry serve` on loopback
// ports with a temporary data directory, an HTTPS client for the operator API,
// and Debian's Chromium driven by playwright-core.
//
// TLS: the server's certificate is signed by the CA it generated in the data
// directory. Node trusts that CA explicitly (ca option). Chromium is told to
// ignore certificate errors instead (context option ignoreHTTPSErrors, plus
// --ignore-certificate-errors): loading a private CA into Chromium needs an NSS
// database, and these tests are about the UI, not about TLS. The session
// cookie is `Secure`, which still works because the origin is https.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, mkdirSync, existsSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const artifacts = path.join(repoRoot, 'test-artifacts', 'ui');

export const QUARRY_BIN = process.env.QUARRY_BIN
  ? path.resolve(process.env.QUARRY_BIN)
  : path.join(repoRoot, 'build', 'src', 'cli', 'quarry');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Polls `fn` until it returns a truthy value or `timeoutMs` passes.
export async function waitFor(fn, { timeoutMs = 20_000, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function hasSubcommand(name) {
  try {
    const help = execFileSync(QUARRY_BIN, ['--help'], { encoding: 'utf8' });
    return new RegExp(`^\\s+${name}\\s`, 'm').test(help);
  } catch {
    return false;
  }
}

// Starts `quarry serve`; resolves when it printed "ready" and wrote server.json.
export async function startServer({ env = {} } = {}) {
  if (!existsSync(QUARRY_BIN)) throw new Error(`no quarry binary at ${QUARRY_BIN}: build it first, or set QUARRY_BIN`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'quarry-ui-'));
  const child = spawn(QUARRY_BIN, [
    'serve', '--data-dir', dataDir, '--agent-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--log-level', 'warn',
  ], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  await waitFor(() => {
    if (exited) throw new Error(`quarry serve exited (${JSON.stringify(exited)}): ${output}`);
    return output.includes('quarry serve: ready');
  }, { timeoutMs: 30_000, what: 'quarry serve to be ready' });
  const info = JSON.parse(readFileSync(path.join(dataDir, 'server.json'), 'utf8'));
  const token = readFileSync(info.operator_token_file, 'utf8').trim();
  const ca = readFileSync(info.ca_file);
  const server = {
    child, dataDir, info, token, ca,
    output: () => output,
    api: (method, p, body, auth = token, headers = {}) => apiCall(info.admin_url, ca, method, p, body, auth, headers),
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        await waitFor(() => exited, { timeoutMs: 15_000, what: 'quarry serve to stop' }).catch(() => child.kill('SIGKILL'));
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

// One operator API call over HTTPS with a bearer token (none when null);
// resolves {status, headers, body (parsed when JSON), text}.
export function apiCall(baseUrl, ca, method, p, body, token, extraHeaders = {}) {
  const url = new URL(p, baseUrl);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method, ca, timeout: 20_000,
      headers: {
        Accept: 'application/json',
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(data !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}),
        ...extraHeaders,
      },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let parsed = text;
        try { parsed = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, body: parsed, text });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(data);
  });
}

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM)`);
  // playwright gives each launch a fresh temporary --user-data-dir of its own.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--ignore-certificate-errors',  // tests only: see the note at the top
    ],
  });
}

export async function newPage(browser, { width = 1280, height = 800, colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width, height }, colorScheme, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  // Nothing but our own origin may be fetched at run time.
  const foreign = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith('https://127.0.0.1') && !u.startsWith('data:') && !u.startsWith('blob:')) foreign.push(u);
  });
  return { context, page, problems, foreign };
}

export async function screenshot(page, name) {
  mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, `${name}.png`);
  // From the top, so that the sticky header sits where it belongs in a full-page shot.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
