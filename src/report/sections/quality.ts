import { basename } from 'node:path';
import {
  RULE_KINDS,
  repairedFirings,
  repairRulesChart,
  ruleKind,
  ruleLabel,
  serversChart,
} from '../charts.js';
import { type Cell, esc, fmtDec2, fmtInt, fmtPct, num, plural, table } from '../format.js';
import { RUN_FILES, readQuality, readRejects, readRepairsByServer } from '../run-folder.js';
import type { ChartSpec, ReportSection, SectionBuilder } from '../section.js';

/** How many servers the per-server chart and table show. */
export const TOP_SERVERS = 15;

const pct = (part: number, whole: number) => (whole > 0 ? fmtPct(part / whole) : '—');

/** Section "Data quality": repair rules, repaired-only device-days, per-server repairs, rejected rows. */
export const qualitySection: SectionBuilder = async (runDir): Promise<ReportSection> => {
  const q = readQuality(runDir);
  const ev = q.inputs.events;
  const sv = q.inputs.servers;
  const charts: ChartSpec[] = [];
  const parts: string[] = [];

  // How much of the metric rests on repaired intervals.
  const observed = q.device_days - q.device_days_repaired_only;
  parts.push(
    '<h3>How much of the metric is observed, how much repaired</h3>',
    '<div class="cards">',
    `<div class="card"><div class="card-label">Device-days behind the metric</div><div class="card-value">${fmtInt(q.device_days)}</div><div class="card-sub">one per device and day online</div></div>`,
    `<div class="card"><div class="card-label">Resting only on repaired intervals</div><div class="card-value">${pct(q.device_days_repaired_only, q.device_days)}</div><div class="card-sub">${fmtInt(q.device_days_repaired_only)} device-days</div></div>`,
    `<div class="card"><div class="card-label">Rejected input rows</div><div class="card-value">${fmtInt(ev.rows_rejected + sv.rows_rejected)}</div><div class="card-sub">of ${fmtInt(ev.rows_read + sv.rows_read)} rows read</div></div>`,
    '</div>',
    `<p>${fmtInt(observed)} of the ${fmtInt(q.device_days)} device-days (${pct(observed, q.device_days)}) are touched by at least one interval closed by an observed disconnect from the same server (rule 3). The other ${fmtInt(q.device_days_repaired_only)} (${pct(q.device_days_repaired_only, q.device_days)}) rest only on repaired intervals: every interval touching them was closed by a repair rule (1, 2 or 4) or runs to the end of the device’s events, so their online time is inferred, not observed.</p>`,
  );

  // Rule firings and device-days.
  const rules = Object.entries(q.rules);
  charts.push({
    name: 'repair_rules',
    title: 'Repair rules: firings and device-days',
    description: 'Bars of firings and of device-days per repair-rule counter of quality.json.',
    spec: repairRulesChart(
      q.rules,
      `${fmtInt(ev.rows_used)} events, ${q.first_event.slice(0, 10)} to ${q.as_of} · each device-day counts for the rule of its owning (latest) interval`,
    ),
  });
  const ruleRows: Cell[][] = rules.map(([counter, r]) => [
    ruleLabel(counter, r.meaning),
    ruleKind(counter),
    r.firings,
    r.device_days,
    num(pct(r.device_days, q.device_days)),
  ]);
  parts.push(
    '<h3>Repair rules</h3>',
    `<p>Each event of a device is paired with its next event and classified by the rule table (quality.json <code>rules</code>). Colours: ${RULE_KINDS.map((k) => `<span class="swatch" style="background:${k.color}"></span>${esc(k.kind)}`).join(', ')}.</p>`,
    '<div data-chart="repair_rules"></div>',
    table(
      [
        'Counter',
        'Kind',
        { html: 'Firings', num: true },
        { html: 'Device-days', num: true },
        { html: 'Share of device-days', num: true },
      ],
      ruleRows,
      { caption: 'quality.json rules' },
    ),
    `<p>Other counters: ${plural(q.intervals, 'online interval')}; ${plural(q.clamped_intervals, 'interval')} clamped to a single instant because the computed end fell before the start; ${plural(q.unknown_server_events, 'event')} naming ${plural(q.unknown_servers, 'server')} absent from servers.csv (their destruction time is unknown).</p>`,
    `<p class="note">Rule firings over time cannot be shown: the run folder records them as totals (quality.json) and per server (${RUN_FILES.repairsByServer}); ${RUN_FILES.deviceDays} has no rule column.</p>`,
  );

  // Per server.
  const servers = readRepairsByServer(runDir);
  parts.push('<h3>Repairs by server</h3>');
  if (!servers) {
    parts.push(
      `<p class="note">${RUN_FILES.repairsByServer} is not in the run folder: no per-server view.</p>`,
    );
  } else {
    const withRepairs = servers.rows.filter((s) => repairedFirings(s) > 0);
    const totalRepaired = servers.rows.reduce((n, s) => n + repairedFirings(s), 0);
    const ranked = [...withRepairs]
      .sort((a, b) => repairedFirings(b) - repairedFirings(a) || Number(a.server_id) - Number(b.server_id))
      .slice(0, TOP_SERVERS);
    const topShare = ranked.reduce((n, s) => n + repairedFirings(s), 0);
    parts.push(
      `<p>${plural(servers.rows.length, 'server')} appear in the events; ${fmtInt(withRepairs.length)} of them account for the ${fmtInt(totalRepaired)} repaired interval closings (rules 1, 2, 4 and the end case, charged to the server the device was on). The ${plural(ranked.length, 'server')} below hold ${pct(topShare, totalRepaired)} of them.</p>`,
    );
    if (ranked.length > 0) {
      charts.push({
        name: 'repairs_by_server',
        title: 'Repaired interval closings by server',
        description: 'Stacked bars of repaired interval closings per server, by rule.',
        spec: serversChart(
          servers.rows,
          TOP_SERVERS,
          `${RUN_FILES.repairsByServer} · servers ranked by repaired closings · ${fmtInt(totalRepaired)} in all`,
        ),
      });
      parts.push(
        '<div data-chart="repairs_by_server"></div>',
        table(
          [
            'Server',
            'In servers.csv',
            { html: 'Online events', num: true },
            { html: 'Repaired closings', num: true },
            { html: 'Repaired per online event', num: true },
          ],
          ranked.map((s) => {
            const online = s.counts.online_events ?? 0;
            return [
              s.server_id,
              s.known_server ? 'yes' : 'no',
              online,
              repairedFirings(s),
              num(online > 0 ? fmtDec2(repairedFirings(s) / online) : '—'),
            ];
          }),
          { caption: `Top ${ranked.length} servers by repaired closings` },
        ),
      );
    }
  }

  // Rejected rows.
  parts.push(
    '<h3>Rejected input rows</h3>',
    table(
      [
        'File',
        { html: 'Rows read', num: true },
        { html: 'Used', num: true },
        { html: 'Rejected', num: true },
        { html: 'After the as-of day', num: true },
      ],
      [
        [
          basename(ev.file ?? 'events'),
          ev.rows_read,
          ev.rows_used,
          ev.rows_rejected,
          ev.rows_after_as_of ?? 0,
        ],
        [basename(sv.file ?? 'servers'), sv.rows_read, sv.rows_used, sv.rows_rejected, num('—')],
      ],
      { caption: 'Input rows (quality.json inputs)' },
    ),
  );
  const rejects = readRejects(runDir);
  if (ev.rows_rejected + sv.rows_rejected === 0) {
    parts.push('<p>No input row was rejected.</p>');
  } else if (!rejects) {
    parts.push(
      `<p>${plural(ev.rows_rejected + sv.rows_rejected, 'row was', 'rows were')} rejected, but ${RUN_FILES.rejects} is not in the run folder.</p>`,
    );
  } else {
    const byReason = new Map<string, number>();
    for (const r of rejects) {
      const k = `${basename(r.file)}\u0000${r.field}\u0000${r.reason}`;
      byReason.set(k, (byReason.get(k) ?? 0) + 1);
    }
    const reasonRows: Cell[][] = [...byReason.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => [...(k.split('\u0000') as [string, string, string]), n]);
    parts.push(
      `<p>${plural(rejects.length, 'rejected line is', 'rejected lines are')} listed verbatim in ${RUN_FILES.rejects}; none of them counts in the metric.</p>`,
      table(['File', 'Field', 'Reason', { html: 'Lines', num: true }], reasonRows, {
        caption: 'Rejected lines by reason',
      }),
      table(
        ['File', { html: 'Line', num: true }, 'Field', 'Reason', 'Value'],
        rejects.slice(0, 10).map((r) => [basename(r.file), r.line_number, r.field, r.reason, r.value]),
        {
          caption:
            rejects.length > 10
              ? `The first 10 of ${fmtInt(rejects.length)} rejected lines`
              : 'Rejected lines',
        },
      ),
    );
  }

  return { id: 'quality', title: 'Data quality', order: 200, html: parts.join('\n'), charts };
};
