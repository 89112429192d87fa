import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/**
 * Independent random streams, one per (seed, purpose, id): a device's stream
 * never depends on other devices or on --until, which is what makes exports
 * deterministic and prefix-stable.
 */
export const STREAM = {
  slot: 1,
  crashes: 2,
  serverIds: 3,
  dedicated: 4,
  population: 5,
  device: 6,
  corruption: 7,
  outages: 8,
  legacy: 9,
} as const;

/** murmur3's 32-bit finaliser: spreads nearby seeds and ids over the whole state. */
function fmix(h: number): number {
  let x = h | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x | 0;
}

const TWO_POW_32 = 4294967296;
const INV_2_32 = 1 / TWO_POW_32;

export class Rng {
  private readonly g: RandomGenerator;

  constructor(seed: number, stream: number, id: number) {
    const lo = (seed % TWO_POW_32) | 0;
    const hi = Math.floor(seed / TWO_POW_32) | 0;
    let h = fmix(lo ^ 0x243f6a88);
    h = fmix(h ^ hi ^ Math.imul(stream, 0x9e3779b9));
    h = fmix(h ^ ((id % TWO_POW_32) | 0));
    h = fmix(h ^ (Math.floor(id / TWO_POW_32) | 0) ^ 0x13198a2e);
    const state = [fmix(h ^ 0x1), fmix(h ^ 0x2b), fmix(h ^ 0x3c7), fmix(h ^ 0x4d91)];
    if (!state.some((w) => w !== 0)) state[0] = 1;
    this.g = xoroshiro128plusFromState(state);
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  float(): number {
    return (this.g.next() >>> 0) * INV_2_32;
  }

  between(a: number, b: number): number {
    return a + (b - a) * this.float();
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.float() * n);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  exp(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }

  /** Standard normal (Box-Muller; always two draws, so the stream stays aligned). */
  normal(): number {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Index drawn with probability proportional to weights[i]. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i] as number;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /** Poisson count (Knuth for small means, a rounded normal for large ones). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 40) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.float();
    while (p > limit) {
      k++;
      p *= this.float();
    }
    return k;
  }
}
