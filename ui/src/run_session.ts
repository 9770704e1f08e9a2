// RunSession: one run as the page sees it, fed by its event stream
// (GET /api/v1/runs/{id}/events, docs/api.md "Event stream"). For a finished
// run the stream replays everything and ends, so live and reopened runs take
// the same path.
//
// The reduce statement: the stream evaluates one (`?reduce=`, else the run's
// own). When the operator edits it afterwards, this session asks
// POST /api/v1/runs/{id}/reduce instead, at most once a second while rows keep
// arriving and once more at the end, and ignores the stream's reduce events.
//
// One EventSource per tab at a time: browsers allow six HTTP/1.1 connections
// per origin, shared by all tabs.
import { api, ApiError, eventsUrl } from './api';
import { throttle } from './dom';
import type { Progress, ResultRow, Run, RunHost, Table } from './types';

export interface RunSessionListener {
  progress?(p: Progress): void;
  host?(h: RunHost): void;
  rows?(rows: ResultRow[], newColumns: boolean): void;
  reduce?(t: Table | null, error: string | null): void;
  end?(run: Run): void;
  connection?(state: 'open' | 'reconnecting' | 'closed', error?: string): void;
}

const CLIENT_REDUCE_EVERY_MS = 1000;

export class RunSession {
  run: Run;
  progress: Progress | null = null;
  readonly hosts = new Map<number, RunHost>();
  readonly rows: ResultRow[] = [];
  readonly columns: string[] = [];
  private readonly columnSet = new Set<string>();
  lastSeq = 0;
  ended = false;
  reduceSql: string;
  reduceTable: Table | null = null;
  reduceError: string | null = null;
  private streamReduce: string;
  private es: EventSource | null = null;
  private reduceAbort: AbortController | null = null;
  private readonly clientReduce = throttle(() => void this.postReduce(), CLIENT_REDUCE_EVERY_MS);
  // Event counts and times (performance.now()), for the page and for tests.
  readonly stats = { progress: 0, host: 0, rows: 0, reduce: 0, reconnects: 0, rowCounts: [] as number[] };
  readonly timings: { start: number; open?: number; firstRow?: number; lastRow?: number; end?: number; reduce?: number } = { start: 0 };

  constructor(run: Run, reduceSql: string, private readonly listener: RunSessionListener, startedAt = performance.now()) {
    this.run = run;
    this.reduceSql = reduceSql.trim();
    this.streamReduce = this.reduceSql;
    this.timings.start = startedAt;
    if (run.progress) this.progress = run.progress;
  }

  start(): void {
    const es = new EventSource(eventsUrl(this.run.id, this.streamReduce));
    this.es = es;
    es.onopen = () => {
      this.timings.open ??= performance.now();
      this.listener.connection?.('open');
    };
    es.onerror = () => {
      if (this.ended) return;
      if (es.readyState === EventSource.CLOSED) {
        // An HTTP error (401, 404) or a refused connection: EventSource gives up.
        this.listener.connection?.('closed', 'the event stream was refused; reload to try again');
        void this.diagnose();
      } else {
        this.stats.reconnects++;
        this.listener.connection?.('reconnecting');
      }
    };
    es.addEventListener('progress', (e) => this.onProgress(JSON.parse((e as MessageEvent).data)));
    es.addEventListener('host', (e) => this.onHost(JSON.parse((e as MessageEvent).data)));
    es.addEventListener('rows', (e) => this.onRows(JSON.parse((e as MessageEvent).data)));
    es.addEventListener('reduce', (e) => this.onStreamReduce(JSON.parse((e as MessageEvent).data), null));
    es.addEventListener('reduce_error', (e) => this.onStreamReduce(null, JSON.parse((e as MessageEvent).data).error));
    es.addEventListener('end', (e) => this.onEnd(JSON.parse((e as MessageEvent).data)));
  }

  close(): void {
    this.es?.close();
    this.es = null;
    this.clientReduce.cancel();
    this.reduceAbort?.abort();
  }

  get streaming(): boolean {
    return this.es !== null;
  }

  // Switches the reduce statement; "" turns reducing off.
  setReduce(sql: string): void {
    this.reduceSql = sql.trim();
    if (!this.reduceSql) {
      this.clientReduce.cancel();
      this.reduceTable = null;
      this.reduceError = null;
      this.listener.reduce?.(null, null);
      return;
    }
    this.clientReduce.flush();
  }

  private usesStreamReduce(): boolean {
    return this.reduceSql !== '' && this.reduceSql === this.streamReduce && !this.ended;
  }

  private async postReduce(): Promise<void> {
    const sql = this.reduceSql;
    if (!sql) return;
    this.reduceAbort?.abort();
    const ctl = new AbortController();
    this.reduceAbort = ctl;
    try {
      const t = await api.reduce(this.run.id, sql, ctl.signal);
      if (ctl.signal.aborted || sql !== this.reduceSql) return;
      this.setReduceResult(t, null);
    } catch (e) {
      if ((e as Error).name === 'AbortError' || sql !== this.reduceSql) return;
      this.setReduceResult(null, e instanceof ApiError ? e.message : String(e));
    }
  }

  private setReduceResult(t: Table | null, error: string | null): void {
    this.stats.reduce++;
    this.timings.reduce = performance.now();
    if (t) this.reduceTable = t;
    this.reduceError = error;
    this.listener.reduce?.(t ?? this.reduceTable, error);
  }

  private onProgress(p: Progress): void {
    this.stats.progress++;
    this.progress = p;
    this.listener.progress?.(p);
  }

  private onHost(h: RunHost): void {
    this.stats.host++;
    this.hosts.set(h.host_id, h);
    this.listener.host?.(h);
  }

  private onRows(data: { rows: ResultRow[] }): void {
    const fresh = data.rows.filter((r) => r.seq > this.lastSeq);
    if (fresh.length === 0) return;
    this.stats.rows++;
    const now = performance.now();
    this.timings.firstRow ??= now;
    this.timings.lastRow = now;
    let newColumns = false;
    for (const r of fresh) {
      this.rows.push(r);
      for (const key of Object.keys(r.row ?? {})) {
        if (!this.columnSet.has(key)) {
          this.columnSet.add(key);
          this.columns.push(key);
          newColumns = true;
        }
      }
    }
    this.lastSeq = fresh[fresh.length - 1].seq;
    this.stats.rowCounts.push(this.rows.length);
    this.listener.rows?.(fresh, newColumns);
    if (this.reduceSql && !this.usesStreamReduce()) this.clientReduce();
  }

  private onStreamReduce(t: Table | null, error: string | null): void {
    if (!this.usesStreamReduce()) return;
    // Before the first row the table has no result columns: not an error yet.
    if (error && this.rows.length === 0) return;
    this.setReduceResult(t, error);
  }

  private onEnd(run: Run): void {
    this.run = run;
    this.timings.end = performance.now();
    this.es?.close();
    this.es = null;
    const finalReduceFromStream = this.usesStreamReduce();
    this.ended = true;
    // The stream sent its final reduce before `end`; an edited statement gets one last evaluation.
    if (this.reduceSql && !finalReduceFromStream) this.clientReduce.flush();
    this.listener.end?.(run);
  }

  // Why the stream was refused: a 401 sends the page to sign-in.
  private async diagnose(): Promise<void> {
    try {
      await api.run(this.run.id, false);
    } catch {
      // api.request reports 401 to the app itself
    }
  }
}
