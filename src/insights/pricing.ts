import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readInputText } from '../ingest/read-text.js';
import { InputError } from '../util/errors.js';

/** How a month's billable devices are taken from a user's daily online counts. */
export type BillingBasis = 'max' | 'mean' | 'p95';
export const BILLING_BASES: readonly BillingBasis[] = ['max', 'mean', 'p95'];

export interface Plan {
  id: string;
  name: string;
  /** Monthly base price. */
  base_usd: number;
  /** Devices the base price covers. */
  included_devices: number;
  /** Monthly price of each device over included_devices; null: the plan takes no extra devices. */
  extra_device_usd: number | null;
  /** Hard cap on devices (with extra devices); null: no cap. */
  max_devices: number | null;
  /** True when a figure of the plan is an assumption rather than a sourced fact. */
  assumption: boolean;
  source: string;
}

export interface PricingTable {
  /** Where the table was read from. */
  file: string;
  name: string;
  period: string;
  currency: 'USD';
  billing: { default_basis: BillingBasis; from: string | null; note: string };
  /** Plans in the file's order (ties in price go to the earlier plan). */
  plans: Plan[];
  sources: string[];
  doubts: string[];
}

export interface PlanChoice {
  /** The cheapest plan covering the devices, or null for 0 devices (no bill). */
  plan: Plan | null;
  /** Monthly price in USD. */
  cost: number;
}

/** The table shipped with the tool: pricing/plans-2018.json at the package root. */
export const DEFAULT_PRICING_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'pricing',
  'plans-2018.json',
);

/** Most devices the plan can take (Infinity when extra devices are unlimited). */
export function planCapacity(p: Plan): number {
  if (p.extra_device_usd === null) return p.included_devices;
  return p.max_devices ?? Number.POSITIVE_INFINITY;
}

/** Monthly price of `devices` on plan `p`, or undefined when the plan cannot take that many. */
export function planCost(p: Plan, devices: number): number | undefined {
  if (devices > planCapacity(p)) return undefined;
  const extra = Math.max(0, devices - p.included_devices);
  return p.base_usd + extra * (p.extra_device_usd ?? 0);
}

/**
 * The cheapest plan that covers `devices` (base price plus extra devices).
 * A tie in price goes to the plan listed first. 0 devices: no plan, no bill.
 */
export function planFor(table: PricingTable, devices: number): PlanChoice {
  if (devices <= 0) return { plan: null, cost: 0 };
  let best: PlanChoice | undefined;
  for (const p of table.plans) {
    const cost = planCost(p, devices);
    if (cost !== undefined && (best === undefined || cost < best.cost)) best = { plan: p, cost };
  }
  // validatePricing guarantees a plan without a cap, so this cannot happen.
  if (!best) throw new Error(`no plan covers ${devices} devices`);
  return best;
}

/** The free tier: a plan with no base price and no extra devices; its included devices are the free limit. */
export function freePlan(table: PricingTable): Plan | undefined {
  return table.plans.find((p) => p.base_usd === 0 && p.extra_device_usd === null);
}

// ---------------------------------------------------------------------------
// Reading and validating a plan table.

const TOP_FIELDS = new Set([
  '$comment',
  'name',
  'period',
  'currency',
  'billing',
  'plans',
  'sources',
  'doubts',
  'notes',
]);
const PLAN_FIELDS = new Set([
  'id',
  'name',
  'base_usd',
  'included_devices',
  'extra_device_usd',
  'max_devices',
  'assumption',
  'source',
  'notes',
]);
const BILLING_FIELDS = new Set(['default_basis', 'from', 'note']);

/** A value as it goes into the one-line error: on one line, cut at 60 characters. */
function show(value: unknown): string {
  if (value === undefined) return '';
  const s = (typeof value === 'string' ? value : JSON.stringify(value)).replace(/\s*[\r\n]+\s*/g, ' ');
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Line, column and the text around a JSON syntax error, from the parser's 'position N'. */
function jsonErrorAt(text: string, message: string): { where: string; around: string } {
  const m = /position (\d+)/.exec(message);
  if (!m) return { where: '', around: text.trim().slice(0, 40) };
  const pos = Number(m[1]);
  const before = text.slice(0, pos).split('\n');
  const line = before.length;
  const col = (before.at(-1) ?? '').length + 1;
  const lineText = text.split('\n')[line - 1] ?? '';
  const from = Math.max(0, col - 21);
  return { where: ` at line ${line} column ${col}`, around: lineText.slice(from, from + 40) };
}

class Checker {
  constructor(private readonly file: string) {}

  fail(path: string, reason: string, value: unknown): never {
    throw new InputError({ file: this.file, reason: `field ${path}: ${reason}: '${show(value)}'` });
  }

  object(v: unknown, path: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'must be an object', v);
    return v as Record<string, unknown>;
  }

  known(o: Record<string, unknown>, allowed: Set<string>, prefix: string): void {
    for (const k of Object.keys(o))
      if (!allowed.has(k))
        this.fail(`${prefix}${k}`, `unknown field (expected one of ${[...allowed].join(', ')})`, o[k]);
  }

  string(o: Record<string, unknown>, key: string, path: string, required: boolean): string {
    const v = o[key];
    if (v === undefined && !required) return '';
    if (v === undefined) this.fail(path, 'is required', v);
    if (typeof v !== 'string') this.fail(path, 'must be a string', v);
    return v;
  }

  money(o: Record<string, unknown>, key: string, path: string, nullable: boolean): number | null {
    const v = o[key];
    if (v === undefined) this.fail(path, nullable ? 'is required (a price, or null)' : 'is required', v);
    if (v === null && nullable) return null;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      this.fail(path, `must be a number >= 0${nullable ? ' or null' : ''}`, v);
    return v;
  }

  count(o: Record<string, unknown>, key: string, path: string, nullable: boolean): number | null {
    const v = o[key];
    if (v === undefined && nullable) return null;
    if (v === undefined) this.fail(path, 'is required', v);
    if (v === null && nullable) return null;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      this.fail(path, `must be a whole number >= 0${nullable ? ' or null' : ''}`, v);
    return v;
  }

  strings(o: Record<string, unknown>, key: string, path: string): string[] {
    const v = o[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) this.fail(path, 'must be a list of strings', v);
    v.forEach((s, i) => {
      if (typeof s !== 'string') this.fail(`${path}[${i}]`, 'must be a string', s);
    });
    return v as string[];
  }
}

/** Checks a parsed plan table; throws InputError naming the field, the reason and the value. */
export function validatePricing(raw: unknown, file: string): PricingTable {
  const c: Checker = new Checker(file);
  const o = c.object(raw, '(root)');
  c.known(o, TOP_FIELDS, '');
  const currency = o.currency;
  if (currency !== 'USD') c.fail('currency', "must be 'USD' (outputs are in US dollars)", currency);

  let billing: PricingTable['billing'] = { default_basis: 'max', from: null, note: '' };
  if (o.billing !== undefined) {
    const b = c.object(o.billing, 'billing');
    c.known(b, BILLING_FIELDS, 'billing.');
    const basis = b.default_basis ?? 'max';
    if (!BILLING_BASES.includes(basis as BillingBasis))
      c.fail('billing.default_basis', `must be one of ${BILLING_BASES.join(', ')}`, basis);
    const from = b.from === undefined || b.from === null ? null : c.string(b, 'from', 'billing.from', true);
    billing = {
      default_basis: basis as BillingBasis,
      from,
      note: c.string(b, 'note', 'billing.note', false),
    };
  }

  const plansRaw = o.plans;
  if (!Array.isArray(plansRaw) || plansRaw.length === 0)
    c.fail('plans', 'must be a non-empty list of plans', plansRaw);
  const seen = new Set<string>();
  const plans: Plan[] = plansRaw.map((pr, i) => {
    const at = `plans[${i}]`;
    const p = c.object(pr, at);
    c.known(p, PLAN_FIELDS, `${at}.`);
    const id = c.string(p, 'id', `${at}.id`, true);
    if (!/^[A-Za-z0-9_-]+$/.test(id)) c.fail(`${at}.id`, 'must be letters, digits, _ or -', id);
    if (seen.has(id)) c.fail(`${at}.id`, 'duplicate plan id', id);
    seen.add(id);
    const included = c.count(p, 'included_devices', `${at}.included_devices`, false) as number;
    if (included === 0) c.fail(`${at}.included_devices`, 'must be at least 1', 0);
    const extra = c.money(p, 'extra_device_usd', `${at}.extra_device_usd`, true);
    const max = c.count(p, 'max_devices', `${at}.max_devices`, true);
    if (max !== null && max < included)
      c.fail(`${at}.max_devices`, `must be null or at least included_devices (${included})`, max);
    if (max !== null && extra === null && max !== included)
      c.fail(`${at}.max_devices`, 'a plan without extra devices takes only its included devices', max);
    const assumption = p.assumption ?? false;
    if (typeof assumption !== 'boolean') c.fail(`${at}.assumption`, 'must be true or false', assumption);
    return {
      id,
      name: c.string(p, 'name', `${at}.name`, false) || id,
      base_usd: c.money(p, 'base_usd', `${at}.base_usd`, false) as number,
      included_devices: included,
      extra_device_usd: extra,
      max_devices: max,
      assumption,
      source: c.string(p, 'source', `${at}.source`, false),
    };
  });
  if (!plans.some((p) => planCapacity(p) === Number.POSITIVE_INFINITY)) {
    const most = Math.max(...plans.map(planCapacity));
    c.fail(
      'plans',
      `no plan covers a fleet of more than ${most} devices (give one plan an extra_device_usd and no max_devices)`,
      plans.map((p) => p.id),
    );
  }
  return {
    file,
    name: c.string(o, 'name', 'name', false) || file,
    period: c.string(o, 'period', 'period', false),
    currency: 'USD',
    billing,
    plans,
    sources: c.strings(o, 'sources', 'sources'),
    doubts: c.strings(o, 'doubts', 'doubts'),
  };
}

/** Reads and validates a plan table (default: the one shipped with the tool). */
export function loadPricing(file: string = DEFAULT_PRICING_FILE): PricingTable {
  const text = readInputText(file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const full = (e as Error).message.split('\n')[0] ?? 'syntax error';
    const at = jsonErrorAt(text, full);
    const msg = full.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '');
    throw new InputError({
      file,
      reason: `field (root): not valid JSON${at.where} (${msg}): '${show(at.around)}'`,
    });
  }
  return validatePricing(raw, file);
}
