import type { Distribution } from '../schema.js';

// z for the 95th percentile of a standard normal: lognormal's sigma from median and p95.
const Z95 = 1.6448536269514722;

/** Standard normal from two uniform draws (Box–Muller); u1 is kept away from 0. */
function gaussian(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(Math.max(u1, 1e-12))) * Math.cos(2 * Math.PI * u2);
}

/** A delay in ms, never negative. `u1`, `u2` are uniform draws in [0, 1). */
export function sample(d: Distribution, u1: number, u2: number): number {
  if ('fixed' in d) return d.fixed;
  if ('uniform' in d) {
    const [a, b] = d.uniform;
    return Math.min(a, b) + u1 * Math.abs(b - a);
  }
  if ('normal' in d) return Math.max(0, d.normal.mean + d.normal.sd * gaussian(u1, u2));
  const mu = Math.log(d.lognormal.median);
  const sigma = Math.max(0, (Math.log(d.lognormal.p95) - mu) / Z95);
  return Math.exp(mu + sigma * gaussian(u1, u2));
}
