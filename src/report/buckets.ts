/**
 * The five fleet-size buckets (SPEC 4), in stack order (bottom first), and
 * the one colour each keeps in every chart, table and the dashboard.
 * Colours: the Okabe-Ito palette, distinguishable with colour-vision deficiency.
 */
export const BUCKETS = [
  { key: 'fleet_1_2', label: '1-2', color: '#0072B2' },
  { key: 'fleet_3_9', label: '3-9', color: '#E69F00' },
  { key: 'fleet_10_99', label: '10-99', color: '#009E73' },
  { key: 'fleet_100_999', label: '100-999', color: '#CC79A7' },
  { key: 'fleet_1000_plus', label: '1000+', color: '#D55E00' },
] as const;

export type BucketKey = (typeof BUCKETS)[number]['key'];

/** The header of daily_online.csv and rolling28_online.csv (SPEC 6). */
export const COUNT_COLUMNS = ['date', ...BUCKETS.map((b) => b.key), 'total'] as const;

/** The font every chart names; the PNG renderer loads exactly this family from dejavu-fonts-ttf. */
export const FONT_FAMILY = 'DejaVu Sans';
/** What browsers fall back to when DejaVu Sans is not installed. */
export const FONT_STACK = `${FONT_FAMILY}, Verdana, Helvetica, Arial, sans-serif`;
