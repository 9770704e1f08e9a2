// TargetPicker: all hosts, or any mix of labels, platforms and hosts (docs/api.md,
// "Targets": values of one kind are OR-ed, kinds AND-ed, named hosts always
// included). Shows "N hosts match, M online" live from POST /api/v1/targets,
// refreshed on every change and every few seconds while on screen.
import { api, ApiError } from '../api';
import { debounce, h } from '../dom';
import type { Selector } from '../types';

type Kind = 'label' | 'platform' | 'host';
interface Choice { kind: Kind; value: string }

const REFRESH_MS = 10_000;
const FAMILIES = ['linux', 'darwin', 'windows', 'posix'];

export class TargetPicker {
  readonly el: HTMLElement;
  private mode: 'all' | 'some' = 'all';
  private choices: Choice[] = [];
  private readonly chips: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly datalist: HTMLDataListElement;
  private readonly countEl: HTMLElement;
  private readonly chooser: HTMLElement;
  private readonly radios: Record<'all' | 'some', HTMLInputElement>;
  private labels = new Set<string>();
  private platforms = new Set<string>(FAMILIES);
  private inflight: AbortController | null = null;
  private timer: number | undefined;
  private readonly refreshSoon = debounce(() => this.refresh(), 200);
  // The latest count, for callers (and tests).
  matched: { hosts: number; online: number } | null = null;

  constructor(private readonly onChange: () => void = () => {}) {
    const radio = (value: 'all' | 'some', text: string) => {
      const input = h('input', { type: 'radio', name: 'target-mode', value, checked: value === 'all' });
      input.addEventListener('change', () => {
        if (input.checked) this.setMode(value);
      });
      return { input, label: h('label', { class: 'seg-item' }, input, text) };
    };
    const all = radio('all', 'All hosts');
    const some = radio('some', 'Choose…');
    this.radios = { all: all.input, some: some.input };
    this.chips = h('div', { class: 'chips', id: 'target-chips', 'aria-live': 'polite' });
    this.datalist = h('datalist', { id: 'target-suggestions' });
    this.input = h('input', {
      id: 'target-input',
      type: 'text',
      list: 'target-suggestions',
      placeholder: 'label:prod, platform:linux or a hostname',
      'aria-label': 'Add a target: label:NAME, platform:NAME or a host',
      autocomplete: 'off',
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        this.addFromInput();
      } else if (e.key === 'Backspace' && !this.input.value && this.choices.length) {
        this.remove(this.choices.length - 1);
      }
    });
    this.input.addEventListener('change', () => {
      // Picking a datalist suggestion fires change: add it at once.
      if (/^(label|platform|host):/.test(this.input.value)) this.addFromInput();
    });
    const addBtn = h('button', { type: 'button', class: 'small', onclick: () => this.addFromInput() }, 'Add');
    this.chooser = h('div', { class: 'chooser', hidden: true },
      this.chips, h('div', { class: 'row' }, this.input, addBtn), this.datalist);
    this.countEl = h('div', { class: 'target-count', id: 'target-count', role: 'status' }, '…');
    this.el = h('fieldset', { class: 'targets' },
      h('legend', null, 'Targets'),
      h('div', { class: 'seg', role: 'radiogroup', 'aria-label': 'Target mode' }, all.label, some.label),
      this.chooser,
      this.countEl);
    void this.loadSuggestions();
    this.refresh();
    this.timer = window.setInterval(() => {
      if (!this.el.isConnected) return window.clearInterval(this.timer);
      this.refresh();
    }, REFRESH_MS);
  }

  destroy(): void {
    window.clearInterval(this.timer);
    this.inflight?.abort();
  }

  selector(): Selector | null {
    if (this.mode === 'all') return { all: true };
    if (this.choices.length === 0) return null;
    const pick = (k: Kind) => this.choices.filter((c) => c.kind === k).map((c) => c.value);
    const sel: Selector = {};
    const labels = pick('label');
    const platforms = pick('platform');
    const hosts = pick('host');
    if (labels.length) sel.labels = labels;
    if (platforms.length) sel.platforms = platforms;
    if (hosts.length) sel.hosts = hosts.map((h) => (/^\d+$/.test(h) ? Number(h) : h));
    return sel;
  }

  setSelector(sel: Selector | undefined): void {
    if (!sel || sel.all) {
      this.choices = [];
      this.setMode('all');
      return;
    }
    this.choices = [
      ...(sel.labels ?? []).map((value) => ({ kind: 'label' as const, value })),
      ...(sel.platforms ?? []).map((value) => ({ kind: 'platform' as const, value })),
      ...(sel.hosts ?? []).map((value) => ({ kind: 'host' as const, value: String(value) })),
    ];
    this.setMode('some');
  }

  private setMode(mode: 'all' | 'some'): void {
    this.mode = mode;
    this.radios[mode].checked = true;
    this.chooser.hidden = mode === 'all';
    this.paintChips();
    this.changed();
    if (mode === 'some') this.input.focus();
  }

  private changed(): void {
    this.onChange();
    this.countEl.textContent = '…';
    this.refreshSoon();
  }

  private addFromInput(): void {
    const raw = this.input.value.trim();
    if (!raw) return;
    let kind: Kind;
    let value: string;
    const m = /^(label|platform|host):\s*(.+)$/i.exec(raw);
    if (m) {
      kind = m[1].toLowerCase() as Kind;
      value = m[2].trim();
    } else if (this.labels.has(raw)) {
      kind = 'label';
      value = raw;
    } else if (this.platforms.has(raw)) {
      kind = 'platform';
      value = raw;
    } else {
      kind = 'host';
      value = raw;
    }
    this.input.value = '';
    if (!this.choices.some((c) => c.kind === kind && c.value === value)) {
      this.choices.push({ kind, value });
      this.paintChips();
      this.changed();
    }
  }

  private remove(index: number): void {
    this.choices.splice(index, 1);
    this.paintChips();
    this.changed();
  }

  private paintChips(): void {
    this.chips.replaceChildren(...this.choices.map((c, i) =>
      h('span', { class: `chip chip-${c.kind}` },
        h('span', { class: 'chip-kind' }, c.kind), c.value,
        h('button', {
          type: 'button', class: 'chip-x', title: `Remove ${c.kind} ${c.value}`,
          'aria-label': `Remove ${c.kind} ${c.value}`, onclick: () => this.remove(i),
        }, '×'))));
  }

  private async loadSuggestions(): Promise<void> {
    try {
      const [labels, hosts] = await Promise.all([api.labels(), api.hosts({ limit: 2000 })]);
      for (const l of labels.labels) this.labels.add(l.name);
      const hostnames: string[] = [];
      for (const host of hosts.hosts) {
        host.labels.forEach((l) => this.labels.add(l));
        if (host.platform) this.platforms.add(host.platform);
        hostnames.push(host.hostname);
      }
      const options = [
        ...[...this.labels].sort().map((l) => `label:${l}`),
        ...[...this.platforms].sort().map((p) => `platform:${p}`),
        ...hostnames.sort().map((n) => `host:${n}`),
      ];
      this.datalist.replaceChildren(...options.map((o) => h('option', { value: o })));
    } catch {
      // suggestions are a convenience; typing still works
    }
  }

  async refresh(): Promise<void> {
    const sel = this.selector();
    this.inflight?.abort();
    if (!sel) {
      this.matched = null;
      this.countEl.textContent = 'Choose labels, platforms or hosts';
      this.countEl.dataset.hosts = '';
      return;
    }
    const ctl = new AbortController();
    this.inflight = ctl;
    try {
      const r = await api.targets(sel, ctl.signal);
      if (ctl.signal.aborted) return;
      this.matched = { hosts: r.hosts, online: r.online };
      this.countEl.textContent = `${r.hosts.toLocaleString('en-US')} ${r.hosts === 1 ? 'host matches' : 'hosts match'}, ${r.online.toLocaleString('en-US')} online`;
      this.countEl.dataset.hosts = String(r.hosts);
      this.countEl.dataset.online = String(r.online);
      this.countEl.classList.toggle('warn', r.hosts === 0);
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      this.matched = null;
      this.countEl.textContent = e instanceof ApiError ? e.message : String(e);
      this.countEl.classList.add('warn');
    }
  }
}
