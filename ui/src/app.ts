// The application shell: who is signed in, the navigation bar, and a hash
// router (#/console, #/runs/12, #/hosts/3, …). Each page is a function that
// returns its element and a destroy() that closes its streams and timers.
import { api, onUnauthenticated } from './api';
import { h } from './dom';
import type { Who } from './types';
import { consolePage } from './pages/console';
import { hostsPage } from './pages/hosts';
import { labelsPage } from './pages/labels';
import { runsPage } from './pages/runs';
import { searchPage } from './pages/search';
import { signInPage } from './pages/signin';
import { VirtualTable } from './components/virtual_table';

export interface Page {
  el: HTMLElement;
  destroy(): void;
  // A page that can show another id of its own route in place (keeping its
  // filters and scroll position) says so with its route name and update().
  route?: string;
  update?(id: number | null): void;
}

// window.__quarry: the objects behind the current page, for browser tests and
// for poking at from the devtools console. Nothing in the app reads it.
export type Hook = Record<string, unknown>;

export interface AppContext {
  who: Who;
  hook: Hook;
  navigate(hash: string): void;
}

const NAV: [string, string][] = [
  ['#/console', 'Query'],
  ['#/runs', 'Runs'],
  ['#/hosts', 'Hosts'],
  ['#/labels', 'Labels'],
  ['#/search', 'Search'],
];

export class App {
  private who: Who | null = null;
  private page: Page | null = null;
  private readonly root: HTMLElement;
  private readonly main: HTMLElement;
  private readonly nav: HTMLElement;
  private readonly userBox: HTMLElement;
  readonly hook: Hook = { VirtualTable };

  constructor(root: HTMLElement) {
    this.root = root;
    this.nav = h('nav', { class: 'nav', 'aria-label': 'Main' });
    this.userBox = h('div', { class: 'user' });
    this.main = h('main', { id: 'main' });
    const header = h('header', { class: 'top' },
      h('a', { class: 'brand', href: '#/console' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), 'Quarry'),
      this.nav, this.userBox);
    root.replaceChildren(header, this.main);
    (window as unknown as { __quarry: Hook }).__quarry = this.hook;
    window.addEventListener('hashchange', () => this.route());
    onUnauthenticated(() => {
      if (this.who) {
        this.who = null;
        this.route();
      }
    });
  }

  async start(): Promise<void> {
    try {
      this.who = await api.whoami();
    } catch {
      this.who = null;
    }
    this.route();
  }

  private signedIn(who: Who): void {
    this.who = who;
    if (!location.hash || location.hash === '#/signin') location.hash = '#/console';
    else this.route();
  }

  private async signOut(): Promise<void> {
    try {
      await api.signOut();
    } finally {
      this.who = null;
      location.hash = '#/signin';
      this.route();
    }
  }

  private paintHeader(active: string): void {
    this.root.classList.toggle('signed-out', !this.who);
    this.nav.replaceChildren(...(this.who ? NAV.map(([href, text]) =>
      h('a', { href, class: active === href ? 'active' : '', 'aria-current': active === href ? 'page' : null }, text)) : []));
    this.userBox.replaceChildren(...(this.who ? [
      h('span', { class: 'who', id: 'who', 'data-role': this.who.role }, h('span', { class: 'who-name' }, this.who.name),
        h('span', { class: `role role-${this.who.role}` }, this.who.role)),
      h('button', { type: 'button', class: 'small ghost', id: 'sign-out', onclick: () => void this.signOut() }, 'Sign out'),
    ] : []));
  }

  private route(): void {
    const [name, idText] = location.hash.replace(/^#\/?/, '').split('/');
    if (this.who && this.page?.update && this.page.route === name) {
      this.page.update(idText && /^\d+$/.test(idText) ? Number(idText) : null);
      return;
    }
    this.page?.destroy();
    this.page = null;
    for (const k of Object.keys(this.hook)) if (k !== 'VirtualTable') delete this.hook[k];
    if (!this.who) {
      this.paintHeader('');
      this.show(signInPage((who) => this.signedIn(who)));
      return;
    }
    const ctx: AppContext = { who: this.who, hook: this.hook, navigate: (hash) => { location.hash = hash; } };
    const parts = location.hash.replace(/^#\/?/, '').split('/');
    const id = parts[1] && /^\d+$/.test(parts[1]) ? Number(parts[1]) : null;
    let active = '#/console';
    let page: Page;
    switch (parts[0]) {
      case 'runs':
        if (id !== null) {
          page = consolePage(ctx, id);
        } else {
          active = '#/runs';
          page = runsPage(ctx);
        }
        break;
      case 'hosts':
        active = '#/hosts';
        page = hostsPage(ctx, id);
        break;
      case 'labels':
        active = '#/labels';
        page = labelsPage(ctx);
        break;
      case 'search':
        active = '#/search';
        page = searchPage(ctx);
        break;
      default:
        page = consolePage(ctx, null);
    }
    this.paintHeader(active);
    this.show(page);
    this.hook.page = parts[0] || 'console';
  }

  private show(page: Page): void {
    this.page = page;
    this.main.replaceChildren(page.el);
    window.scrollTo(0, 0);
  }
}
