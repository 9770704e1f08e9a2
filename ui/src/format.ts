// Formatting of times, durations and counts.

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

// "2026-11-30 06:45:12" in local time, or "—" for 0.
export function dateTime(us: number): string {
  if (!us) return '—';
  const d = new Date(us / 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

// "06:45:12.345"
export function clockMs(us: number): string {
  if (!us) return '—';
  const d = new Date(us / 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

// "12 ms", "3.4 s", "5 min", "2 h"
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const a = Math.abs(ms);
  if (a < 1000) return `${Math.round(ms)} ms`;
  if (a < 60_000) return `${(ms / 1000).toFixed(a < 10_000 ? 2 : 1)} s`;
  if (a < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (a < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

// "5 s ago", "3 min ago", "never"
export function ago(us: number, nowMs = Date.now()): string {
  if (!us) return 'never';
  const ms = nowMs - us / 1000;
  if (ms < 0) return 'just now';
  if (ms < 1000) return 'just now';
  return `${duration(ms).replace(/\.\d+/, '')} ago`;
}

export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export function selectorText(sel: { all?: boolean; hosts?: unknown[]; platforms?: string[]; labels?: string[] } | undefined): string {
  if (!sel) return '';
  const parts: string[] = [];
  if (sel.all) parts.push('all hosts');
  if (sel.labels?.length) parts.push(`label ${sel.labels.join(' | ')}`);
  if (sel.platforms?.length) parts.push(`platform ${sel.platforms.join(' | ')}`);
  if (sel.hosts?.length) parts.push(`hosts ${sel.hosts.join(', ')}`);
  return parts.join(' & ') || '—';
}
