import { FIRST_DAY, MS_PER_DAY, MS_PER_HOUR, SNAPSHOT_DAY, SNAPSHOT_MS } from './calendar.js';
import { Rng, STREAM } from './rng.js';

export const DeviceType = { AlwaysOn: 0, Daily: 1, Intermittent: 2, Flapping: 3, Storm: 4 } as const;
export type DeviceType = (typeof DeviceType)[keyof typeof DeviceType];

export interface DevicePlan {
  /** Device id: 100, 101, ... in order of first connection. */
  id: number;
  type: DeviceType;
  /** First connection (epoch ms). */
  arrival: number;
  /** Taken out of service (epoch ms), Infinity if never within the horizon. */
  retire: number;
  owner: number;
  /** When the device is handed to newOwner (Infinity: never). */
  transferAt: number;
  newOwner: number;
}

export interface Population {
  /** User ids are 1..users. */
  users: number;
  /** Sorted by arrival; devices[i].id === FIRST_DEVICE_ID + i. */
  devices: DevicePlan[];
}

export const FIRST_DEVICE_ID = 100;

interface FleetClass {
  share: number;
  lo: number;
  hi: number;
  /** Days over which the fleet reaches its size. */
  ramp: [number, number];
  /** Probability that the user leaves the platform (all devices retire). */
  churn: number;
  /** Device types in the dense era: always-on, daily, intermittent. */
  mix: [number, number, number];
}

/** Heavy-tailed fleets: most users own 1-2 devices, fewer 3-9 and 10-99, a handful 100-999. */
const CLASSES: FleetClass[] = [
  { share: 0.51, lo: 1, hi: 2, ramp: [0, 150], churn: 0.25, mix: [0.25, 0.35, 0.4] },
  { share: 0.243, lo: 3, hi: 9, ramp: [5, 120], churn: 0.2, mix: [0.35, 0.35, 0.3] },
  { share: 0.24, lo: 10, hi: 99, ramp: [10, 180], churn: 0.12, mix: [0.55, 0.3, 0.15] },
  { share: 0.007, lo: 100, hi: 999, ramp: [20, 300], churn: 0.05, mix: [0.75, 0.2, 0.05] },
];
/** The legacy platform served mostly always-on hardware. */
const LEGACY_MIX: [number, number, number] = [0.88, 0.01, 0.11];
const FLAPPING_SHARE = 0.0002;
const DEVICE_LIFE_MEDIAN_DAYS = 600;
const REPLACE_PROBABILITY = 0.75;
const TRANSFER_PROBABILITY = 0.01;

/**
 * New users per day at scale 1, t days after FIRST_DAY: a growing platform
 * (logistic: fast growth in the first two years, about 11 a day by the end
 * of the production sample, levelling off at 12 a day in the following year).
 */
export function userArrivalRate(t: number): number {
  return 12 / (1 + Math.exp(-(t - 650) / 150));
}

/**
 * Fleet classes and sizes come from low-discrepancy sequences (golden-ratio
 * steps from seeded offsets): the shares hold closely at any scale, so one
 * seed's totals do not hinge on how many 100-999 fleets it happened to draw.
 */
class FleetDraw {
  private readonly classOffset: number;
  private readonly sizeOffset: number[];
  private readonly seen: number[];
  private readonly cdf: number[];

  constructor(r: Rng) {
    this.classOffset = r.float();
    this.sizeOffset = CLASSES.map(() => r.float());
    this.seen = CLASSES.map(() => 0);
    let acc = 0;
    this.cdf = CLASSES.map((c) => {
      acc += c.share;
      return acc;
    });
  }

  next(user: number): { c: FleetClass; size: number } {
    const x = (this.classOffset + user * 0.6180339887498949) % 1;
    let k = 0;
    while (k < CLASSES.length - 1 && x >= (this.cdf[k] as number)) k++;
    const c = CLASSES[k] as FleetClass;
    const n = this.seen[k] as number;
    this.seen[k] = n + 1;
    const y = ((this.sizeOffset[k] as number) + n * 0.7548776662466927) % 1;
    if (c.hi === 2) return { c, size: y < 0.65 ? 1 : 2 };
    // Log-uniform within the class: small fleets are more common than large ones.
    return { c, size: Math.min(c.hi, Math.floor(c.lo * ((c.hi + 1) / c.lo) ** y)) };
  }
}

/**
 * Users and devices of the whole simulated horizon (until the servers.csv
 * snapshot), from one random stream: independent of --until.
 */
export function planPopulation(seed: number, scale: number, switchTime: number): Population {
  const r = new Rng(seed, STREAM.population, 0);
  // The platform's first user connects on FIRST_DAY, early enough for the legacy clock.
  const arrivals: number[] = [(FIRST_DAY + r.between(6, 20) / 24) * MS_PER_DAY];
  for (let d = FIRST_DAY; d < SNAPSHOT_DAY; d++) {
    const n = r.poisson(userArrivalRate(d - FIRST_DAY) * scale);
    for (let k = 0; k < n; k++) arrivals.push((d + r.float()) * MS_PER_DAY);
  }
  arrivals.sort((a, b) => a - b);
  const userArrival = Float64Array.from(arrivals, Math.round);
  const users = userArrival.length;

  const devices: Omit<DevicePlan, 'id'>[] = [];
  const fleetOf = new Int32Array(users + 1);
  const fleets = new FleetDraw(r);
  for (let u = 1; u <= users; u++) {
    const a = userArrival[u - 1] as number;
    const { c, size } = fleets.next(u);
    fleetOf[u] = size;
    const ramp = r.between(c.ramp[0], c.ramp[1]) * MS_PER_DAY;
    const churn = r.chance(c.churn) ? a + r.lognormal(300, 0.7) * MS_PER_DAY : Number.POSITIVE_INFINITY;
    for (let k = 0; k < size; k++) {
      // The first device comes with the user; the rest arrive over the ramp.
      let arrival = k === 0 ? a + r.between(0, 2) * MS_PER_HOUR : a + ramp * r.float();
      // A fleet slot is refilled when its device retires, until the user leaves.
      while (arrival < SNAPSHOT_MS && arrival < churn) {
        const life = r.lognormal(DEVICE_LIFE_MEDIAN_DAYS, 0.7) * MS_PER_DAY;
        const retire = Math.min(arrival + life, churn);
        const mix = arrival < switchTime ? LEGACY_MIX : c.mix;
        const type = r.chance(FLAPPING_SHARE) ? DeviceType.Flapping : (r.weighted(mix) as DeviceType);
        devices.push({
          type,
          arrival: Math.round(arrival),
          retire: Number.isFinite(retire) ? Math.round(retire) : retire,
          owner: u,
          transferAt: Number.POSITIVE_INFINITY,
          newOwner: u,
        });
        if (retire >= churn || !r.chance(REPLACE_PROBABILITY)) break;
        arrival = retire + r.exp(15) * MS_PER_DAY;
      }
    }
  }

  // Some devices change owner (sold, or moved between a customer's accounts).
  for (const d of devices) {
    if (!r.chance(TRANSFER_PROBABILITY)) continue;
    const end = Math.min(d.retire, SNAPSHOT_MS);
    const at = d.arrival + r.between(0.1, 0.9) * (end - d.arrival);
    if (at - d.arrival < MS_PER_DAY) continue;
    const known = upperBound(userArrival, at);
    const to = 1 + r.below(known);
    if (to === d.owner) continue;
    d.transferAt = Math.round(at);
    d.newOwner = to;
  }

  // One device stuck in a reconnect loop for the whole dense era: in
  // production a single device produced about a quarter of all events.
  let stormOwner = 1;
  for (let u = 1; u <= users && (userArrival[u - 1] as number) < switchTime; u++) {
    if ((fleetOf[u] as number) > (fleetOf[stormOwner] as number)) stormOwner = u;
  }
  devices.push({
    type: DeviceType.Storm,
    arrival: Math.round(switchTime + r.between(3, 12) * MS_PER_DAY),
    retire: Number.POSITIVE_INFINITY,
    owner: stormOwner,
    transferAt: Number.POSITIVE_INFINITY,
    newOwner: stormOwner,
  });

  const sorted = devices
    .filter((d) => d.arrival < SNAPSHOT_MS)
    .map((d, i) => ({ d, i }))
    .sort((x, y) => x.d.arrival - y.d.arrival || x.i - y.i)
    .map(({ d }, i) => ({ id: FIRST_DEVICE_ID + i, ...d }));
  return { users, devices: sorted };
}

/** Number of values <= x in an ascending array. */
function upperBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((a[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
