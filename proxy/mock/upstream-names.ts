/**
 * A cap on the distinct upstream names the mock's tallies keep apart. Any path's first segment
 * names an upstream (`/NAME/…`), so a client sending ever new names would otherwise grow every
 * per-upstream table (the stats, the samples' seconds, the metrics' label sets) without end. The
 * first names seen keep their own row; the rest share `(other)`. The log and the misses keep the
 * name as sent.
 */
export const MAX_UPSTREAM_NAMES = 256;
export const OTHER_UPSTREAM = '(other)';

export class UpstreamNames {
  private readonly seen = new Set<string>();

  constructor(private readonly max = MAX_UPSTREAM_NAMES) {}

  /** The name to count `name` under. */
  of(name: string): string {
    if (this.seen.has(name)) return name;
    if (this.seen.size >= this.max) return OTHER_UPSTREAM;
    this.seen.add(name);
    return name;
  }

  clear(): void {
    this.seen.clear();
  }
}
