// The operator API client. Every call rides on the `quarry_session` cookie that
// POST /api/v1/session set (HttpOnly: script never sees the token), so fetch
// and EventSource authenticate the same way.
import type {
  Host, HostDetail, Label, Run, RunStatus, Selector, Table, TargetCount, Who,
} from './types';

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

type Listener = () => void;
const unauthenticatedListeners: Listener[] = [];

// Called whenever the server answers 401 (session gone or token revoked).
export function onUnauthenticated(listener: Listener): void {
  unauthenticatedListeners.push(listener);
}

async function errorFrom(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body && typeof body.error === 'string') message = body.error;
  } catch {
    // not JSON: keep the status line
  }
  if (response.status === 401) unauthenticatedListeners.forEach((l) => l());
  return new ApiError(response.status, message);
}

export async function request(method: string, path: string, body?: unknown,
                              signal?: AbortSignal): Promise<Response> {
  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
    signal,
  };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, `cannot reach the server (${(e as Error).message})`);
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

async function json<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const response = await request(method, path, body, signal);
  return (await response.json()) as T;
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const api = {
  signIn: (token: string) => json<Who>('POST', '/api/v1/session', { token }),
  signOut: () => json<unknown>('DELETE', '/api/v1/session'),
  whoami: () => json<Who>('GET', '/api/v1/whoami'),

  hosts: (p: { q?: string; platform?: string; label?: string; status?: string; limit?: number; offset?: number } = {}) =>
    json<{ hosts: Host[]; total: number }>('GET', `/api/v1/hosts${query(p)}`),
  host: (id: number) => json<HostDetail>('GET', `/api/v1/hosts/${id}`),
  targets: (selector: Selector, signal?: AbortSignal) =>
    json<TargetCount>('POST', '/api/v1/targets', selector, signal),

  createRun: (body: { sql: string; targets: Selector; timeout_seconds: number; reduce?: string }) =>
    json<Run>('POST', '/api/v1/runs', body),
  runs: (p: { status?: RunStatus | ''; before?: number; limit?: number } = {}) =>
    json<{ runs: Run[] }>('GET', `/api/v1/runs${query(p)}`),
  run: (id: number, withHosts = true) =>
    json<Run>('GET', `/api/v1/runs/${id}${withHosts ? '' : '?hosts=0'}`),
  cancelRun: (id: number) => json<Run>('POST', `/api/v1/runs/${id}/cancel`),
  reduce: (id: number, sql: string, signal?: AbortSignal) =>
    json<Table>('POST', `/api/v1/runs/${id}/reduce`, { sql }, signal),
  resultsPage: (id: number, format: 'json' | 'csv', after: number, limit: number) =>
    request('GET', `/api/v1/runs/${id}/results${query({ format, after, limit })}`),

  labels: () => json<{ labels: Label[] }>('GET', '/api/v1/labels'),
  label: (name: string) => json<Label>('GET', `/api/v1/labels/${encodeURIComponent(name)}`),
  createLabel: (body: Record<string, unknown>) =>
    json<Label>('POST', '/api/v1/labels', body),
  deleteLabel: (name: string) => json<unknown>('DELETE', `/api/v1/labels/${encodeURIComponent(name)}`),

  search: (sql: string, maxRows = 10000, signal?: AbortSignal) =>
    json<Table>('POST', '/api/v1/search', { sql, max_rows: maxRows }, signal),
  searchCsv: (sql: string, maxRows = 100000) =>
    request('POST', '/api/v1/search?format=csv', { sql, max_rows: maxRows }),
};

export function eventsUrl(runId: number, reduce: string): string {
  return `/api/v1/runs/${runId}/events${reduce ? query({ reduce }) : ''}`;
}
