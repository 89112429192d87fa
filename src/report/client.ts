/**
 * Code that runs in the browser. Each function is serialised with
 * Function.prototype.toString() into report.html or the dashboard's script,
 * so it must use nothing but its parameters and browser globals (vegaEmbed,
 * loaded from the inlined or served vega-embed build): no imports, no
 * module-level values.
 */

export type EmbedCharts = (root: ParentNode, specs: Record<string, unknown>) => Promise<number>;

/** Renders every `[data-chart]` element under `root` with vega-embed; returns how many rendered. */
export async function embedCharts(root: ParentNode, specs: Record<string, unknown>): Promise<number> {
  const g = globalThis as unknown as {
    vegaEmbed: (el: HTMLElement, spec: unknown, opts: Record<string, unknown>) => Promise<unknown>;
  };
  const els = Array.from(root.querySelectorAll<HTMLElement>('[data-chart]'));
  let ok = 0;
  await Promise.all(
    els.map(async (el) => {
      const name = el.dataset.chart ?? '';
      const spec = specs[name];
      if (!spec) {
        el.dataset.error = 'missing';
        el.textContent = `Chart ${name} is missing from this page.`;
        el.classList.add('chart-error');
        return;
      }
      try {
        await g.vegaEmbed(el, spec, {
          renderer: 'svg',
          // No action may reach the network: only local exports (SVG/PNG files).
          actions: { export: true, source: false, compiled: false, editor: false },
        });
        el.dataset.rendered = 'true';
        ok++;
      } catch (e) {
        el.dataset.error = String(e);
        el.textContent = `Chart ${name} failed to render: ${String(e)}`;
        el.classList.add('chart-error');
        console.error(e);
      }
    }),
  );
  return ok;
}

/** report.html's start-up: embed the inlined specs, then mark the page as rendered. */
export function reportBoot(embed: EmbedCharts): void {
  const data = document.getElementById('fp-specs')?.textContent ?? '{}';
  const specs = JSON.parse(data) as Record<string, unknown>;
  embed(document, specs).then((n) => {
    document.body.dataset.chartsRendered = String(n);
  });
}
