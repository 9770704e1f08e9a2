// SqlEditor: a monospace textarea with osquery table-name completion and
// Ctrl/Cmd+Enter to submit. After FROM or JOIN any prefix offers table names;
// elsewhere a word of three or more letters that starts a table name does.
// Arrow keys choose, Enter or Tab accepts, Escape closes.
import { h } from '../dom';

export interface SqlEditorOptions {
  id: string;
  label: string;
  rows?: number;
  placeholder?: string;
  words?: readonly string[];
  onSubmit?: () => void;
  onInput?: () => void;
}

const MAX_ITEMS = 8;

export class SqlEditor {
  readonly el: HTMLElement;
  readonly textarea: HTMLTextAreaElement;
  private readonly popup: HTMLUListElement;
  private readonly words: readonly string[];
  private items: string[] = [];
  private active = 0;
  private wordStart = 0;
  private accepting = false;  // the input event of an accepted completion

  constructor(private readonly opts: SqlEditorOptions) {
    this.words = opts.words ?? [];
    this.textarea = h('textarea', {
      id: opts.id,
      class: 'sql',
      rows: opts.rows ?? 5,
      spellcheck: 'false',
      autocapitalize: 'off',
      autocomplete: 'off',
      wrap: 'off',
      placeholder: opts.placeholder ?? '',
      'aria-label': opts.label,
      'aria-autocomplete': 'list',
      'aria-controls': `${opts.id}-completions`,
    });
    this.popup = h('ul', { class: 'completions', id: `${opts.id}-completions`, role: 'listbox', hidden: true });
    this.el = h('div', { class: 'sql-editor' }, this.textarea, this.popup);
    this.textarea.addEventListener('input', () => {
      if (this.accepting) this.accepting = false;
      else this.suggest();
      opts.onInput?.();
    });
    this.textarea.addEventListener('keydown', (e) => this.onKey(e));
    this.textarea.addEventListener('blur', () => setTimeout(() => this.close(), 150));
    this.textarea.addEventListener('scroll', () => this.close());
    this.popup.addEventListener('mousedown', (e) => {
      const li = (e.target as HTMLElement).closest('li');
      if (!li) return;
      e.preventDefault();
      this.accept(Number(li.dataset.index));
    });
  }

  get value(): string {
    return this.textarea.value;
  }

  set value(v: string) {
    this.textarea.value = v;
    this.close();
  }

  focus(): void {
    this.textarea.focus();
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      this.close();
      this.opts.onSubmit?.();
      return;
    }
    if (this.popup.hidden) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = this.items.length;
      this.active = (this.active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
      this.paint();
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault();
      this.accept(this.active);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      this.close();
    }
  }

  private suggest(): void {
    const caret = this.textarea.selectionStart ?? 0;
    if (caret !== this.textarea.selectionEnd) return this.close();
    const before = this.textarea.value.slice(0, caret);
    const m = /[A-Za-z_][A-Za-z0-9_]*$/.exec(before);
    const word = m ? m[0] : '';
    const afterTableKeyword = /\b(from|join)\s+[A-Za-z0-9_]*$/i.test(before);
    if (!word || (!afterTableKeyword && word.length < 3)) return this.close();
    const lower = word.toLowerCase();
    const starts = this.words.filter((w) => w.startsWith(lower) && w !== lower);
    const contains = afterTableKeyword
      ? this.words.filter((w) => !w.startsWith(lower) && w.includes(lower))
      : [];
    this.items = [...starts, ...contains].slice(0, MAX_ITEMS);
    if (this.items.length === 0) return this.close();
    this.wordStart = caret - word.length;
    this.active = 0;
    this.place(before);
    this.paint();
    this.popup.hidden = false;
    this.textarea.setAttribute('aria-expanded', 'true');
  }

  // Puts the popup under the caret: the textarea is monospace and does not
  // wrap, so the caret's line and column give its position.
  private place(before: string): void {
    const style = getComputedStyle(this.textarea);
    const lines = before.split('\n');
    const line = lines.length - 1;
    const column = lines[line].length - (before.length - this.wordStart);
    const lineHeight = parseFloat(style.lineHeight) || 18;
    const ctx = document.createElement('canvas').getContext('2d');
    let charWidth = 8;
    if (ctx) {
      ctx.font = `${style.fontSize} ${style.fontFamily}`;
      charWidth = ctx.measureText('M').width;
    }
    const top = parseFloat(style.paddingTop) + (line + 1) * lineHeight - this.textarea.scrollTop + 2;
    const left = parseFloat(style.paddingLeft) + Math.max(0, column) * charWidth - this.textarea.scrollLeft;
    this.popup.style.top = `${Math.min(top, this.textarea.clientHeight + 4)}px`;
    this.popup.style.left = `${Math.max(0, Math.min(left, this.textarea.clientWidth - 200))}px`;
  }

  private paint(): void {
    this.popup.replaceChildren(...this.items.map((item, i) =>
      h('li', {
        role: 'option',
        'data-index': i,
        class: i === this.active ? 'active' : '',
        'aria-selected': i === this.active ? 'true' : 'false',
      }, item)));
  }

  private accept(index: number): void {
    const item = this.items[index];
    if (item === undefined) return;
    const ta = this.textarea;
    const caret = ta.selectionStart ?? 0;
    ta.setRangeText(item, this.wordStart, caret, 'end');
    this.close();
    this.accepting = true;
    ta.dispatchEvent(new Event('input'));
    ta.focus();
  }

  private close(): void {
    if (this.popup.hidden) return;
    this.popup.hidden = true;
    this.items = [];
    this.textarea.setAttribute('aria-expanded', 'false');
  }
}
