/**
 * The dashboard's browser code, serialised with Function.prototype.toString()
 * into /app.js: it may use only its parameters and browser globals (vega,
 * vegaEmbed from the served builds), never an import or module-level value.
 */
import type { EmbedCharts } from '../report/client.js';

/** What /data/dashboard.json holds (built by server.ts). */
export interface DashboardPayload {
  buckets: { key: string; label: string; color: string }[];
  daily: Record<string, string | number>[];
  rolling28: Record<string, string | number>[];
  explorer: unknown;
  specs: Record<string, unknown>;
  sections: { id: string; title: string; html: string }[];
}

interface VegaItem {
  mark?: { role?: string };
  datum?: { value?: unknown };
}

interface VegaView {
  signal(name: string): unknown;
  signal(name: string, value: unknown): VegaView;
  runAsync(): Promise<VegaView>;
  addEventListener(
    type: string,
    handler: (event: Event, item: VegaItem | null | undefined) => void,
  ): VegaView;
  addSignalListener(name: string, handler: (name: string, value: unknown) => void): VegaView;
}

export function dashboardClient(embed: EmbedCharts): void {
  const g = globalThis as unknown as {
    vegaEmbed: (
      el: HTMLElement,
      spec: unknown,
      opts: Record<string, unknown>,
    ) => Promise<{ view: VegaView; finalize: () => void }>;
  };
  const state = { mode: 'daily' as 'daily' | 'rolling28', hidden: [] as string[] };
  const status = (text: string) => {
    const el = document.getElementById('status');
    if (el) el.textContent = text;
  };
  const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T | null;

  async function start(p: DashboardPayload) {
    const main = byId('sections');
    const toc = byId('toc');
    if (!main || !toc) throw new Error('page skeleton missing');
    main.innerHTML = p.sections.map((s) => s.html).join('\n');
    toc.innerHTML = p.sections
      .map((s) => `<a href="#${s.id}">${s.title.replaceAll('&', '&amp;').replaceAll('<', '&lt;')}</a>`)
      .join('');
    const explorerEl = byId('explorer');
    if (!explorerEl) throw new Error('explorer placeholder missing');
    let view: VegaView | undefined;
    let finalize: (() => void) | undefined;

    /** (Re)draws the explorer with the current mode and hidden buckets and no brush. */
    const mount = async () => {
      finalize?.();
      const spec = JSON.parse(JSON.stringify(p.explorer)) as { params: { name: string; value: unknown }[] };
      for (const param of spec.params) {
        if (param.name === 'mode') param.value = state.mode;
        if (param.name === 'hidden') param.value = [...state.hidden];
      }
      const res = await g.vegaEmbed(explorerEl, spec, {
        renderer: 'svg',
        actions: { export: true, source: false, compiled: false, editor: false },
      });
      view = res.view;
      finalize = res.finalize;
      view.addEventListener('click', (_e, item) => {
        const role = item?.mark?.role ?? '';
        const value = item?.datum?.value;
        if ((role === 'legend-symbol' || role === 'legend-label') && typeof value === 'string')
          void toggle(value);
      });
      view.addSignalListener('brush', () => describe());
      describe();
    };

    /** The time range of the brush as [first, last] day in ms, or undefined for everything. */
    const brushRange = (): [number, number] | undefined => {
      const b = view?.signal('brush') as Record<string, unknown[]> | null | undefined;
      const r = b ? Object.values(b)[0] : undefined;
      if (r?.length !== 2) return undefined;
      const lo = Number(new Date(r[0] as string | number));
      const hi = Number(new Date(r[1] as string | number));
      return [Math.min(lo, hi), Math.max(lo, hi)];
    };

    /** Exactly what the charts show: the mode's rows inside the brush, the visible buckets, their sum. */
    const shown = () => {
      const range = brushRange();
      const buckets = p.buckets.filter((b) => !state.hidden.includes(b.label));
      const rows = p[state.mode].filter((r) => {
        const t = Date.parse(`${r.date}T00:00:00Z`);
        return !range || (t >= range[0] && t <= range[1]);
      });
      return { rows, buckets };
    };

    const describe = () => {
      const { rows, buckets } = shown();
      const what = state.mode === 'daily' ? 'daily counts' : 'rolling 28-day counts';
      const span = rows.length
        ? `${rows[0]?.date} to ${rows.at(-1)?.date} (${rows.length} days)`
        : 'no day selected';
      const which =
        buckets.length === p.buckets.length
          ? 'all fleet sizes'
          : `fleet sizes ${buckets.map((b) => b.label).join(', ') || 'none'}`;
      status(`Showing ${what}, ${span}, ${which}.`);
      document.body.dataset.mode = state.mode;
      document.body.dataset.hidden = state.hidden.join(',');
    };

    const setMode = async (mode: 'daily' | 'rolling28') => {
      state.mode = mode;
      await view?.signal('mode', mode).runAsync();
      describe();
    };

    const toggle = async (label: string) => {
      state.hidden = state.hidden.includes(label)
        ? state.hidden.filter((h) => h !== label)
        : [...state.hidden, label];
      await view?.signal('hidden', [...state.hidden]).runAsync();
      describe();
    };

    for (const el of Array.from(document.querySelectorAll<HTMLInputElement>('input[name="mode"]'))) {
      el.addEventListener('change', () => {
        if (el.checked) void setMode(el.value === 'rolling28' ? 'rolling28' : 'daily');
      });
    }
    byId('reset-zoom')?.addEventListener('click', () => void mount());
    byId('download-csv')?.addEventListener('click', () => {
      const { rows, buckets } = shown();
      const header = ['date', ...buckets.map((b) => b.key), 'total'];
      const lines = rows.map((r) => {
        const counts = buckets.map((b) => Number(r[b.key]));
        return [r.date, ...counts, counts.reduce((a, c) => a + c, 0)].join(',');
      });
      const csv = `${[header.join(','), ...lines].join('\n')}\n`;
      const first = rows[0]?.date ?? 'none';
      const last = rows.at(-1)?.date ?? 'none';
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      a.download = `fleetpulse-${state.mode}-${first}-to-${last}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    });
    await mount();
    const n = await embed(main, p.specs);
    document.body.dataset.chartsRendered = String(n);
    document.body.dataset.ready = 'true';
  }

  fetch('data/dashboard.json')
    .then((r) => {
      if (!r.ok) throw new Error(`data/dashboard.json: HTTP ${r.status}`);
      return r.json() as Promise<DashboardPayload>;
    })
    .then(start)
    .catch((e: unknown) => {
      console.error(e);
      status(`The dashboard failed to load: ${String(e)}`);
      document.body.dataset.error = String(e);
    });
}
