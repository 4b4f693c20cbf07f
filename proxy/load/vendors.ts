/**
 * The vendors of a load run: a mock started in process (`--mock DIR`), or one already serving the
 * `--from` folder (found through its announce file, docs/mock-link.md). Its `/__tapedeck/stats`
 * is sampled before and after each step and once a second in between.
 */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { request } from 'undici';
import { z } from 'zod';
import type { StatsSample } from '../../shared/load/vendor-delta.js';
import { MockSamples } from '../../shared/schema.js';
import { pidAlive, readAnnouncement } from '../host/mock-link.js';

const Counts = z.object({
  requests: z.number(),
  matched: z.number(),
  unmatched: z.number(),
  retries: z.number().default(0),
  faults: z.record(z.string(), z.number()).default({}),
  costAvoidedUsd: z.number().default(0),
  giveUps: z.number().optional(),
  errors: z.number().optional(),
});
const Stats = z.object({ upstreams: z.record(z.string(), Counts) });

export class StatsError extends Error {}

/** One read of the mock's counts per upstream. */
export async function sampleStats(mockUrl: string): Promise<StatsSample> {
  const res = await request(`${mockUrl}/__tapedeck/stats`, {
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  }).catch((e: unknown) => {
    throw new StatsError(`cannot read ${mockUrl}/__tapedeck/stats: ${(e as Error).message}`);
  });
  const text = await res.body.text();
  if (res.statusCode !== 200)
    throw new StatsError(`${mockUrl}/__tapedeck/stats answered ${res.statusCode}`);
  const parsed = Stats.safeParse(JSON.parse(text));
  if (!parsed.success) throw new StatsError(`${mockUrl}/__tapedeck/stats: unexpected shape`);
  return parsed.data.upstreams;
}

/** One read of the mock's samples, with how far its clock is from ours. */
export interface SamplesRead {
  samples: MockSamples;
  /** The mock's clock minus ours (ms), taken at the middle of the request. */
  offsetMs: number;
  /** How long the read took: the smaller, the surer the offset. */
  rttMs: number;
}

/**
 * `GET /__tapedeck/samples?since=` (`since` on the mock's clock); null when the mock has no such
 * endpoint (an older one answers 404): the run goes on without the vendor side.
 */
export async function readSamples(mockUrl: string, since: number): Promise<SamplesRead | null> {
  const url = `${mockUrl}/__tapedeck/samples?since=${Math.max(0, Math.floor(since))}`;
  const sent = performance.timeOrigin + performance.now();
  const res = await request(url, { headersTimeout: 10_000, bodyTimeout: 10_000 }).catch(
    (e: unknown) => {
      throw new StatsError(`cannot read ${url}: ${(e as Error).message}`);
    },
  );
  const text = await res.body.text();
  const back = performance.timeOrigin + performance.now();
  if (res.statusCode === 404) return null;
  if (res.statusCode !== 200) throw new StatsError(`${url} answered ${res.statusCode}`);
  let parsed;
  try {
    parsed = MockSamples.safeParse(JSON.parse(text));
  } catch {
    throw new StatsError(`${url}: not JSON`);
  }
  if (!parsed.success) throw new StatsError(`${url}: unexpected shape`);
  return {
    samples: parsed.data,
    offsetMs: parsed.data.now - (sent + back) / 2,
    rttMs: back - sent,
  };
}

export interface FoundMock {
  url: string;
  dir: string;
  scenario: string | null;
}

/** The live mock announced in `dir`, if it serves that very folder. */
export async function announcedMock(dir: string): Promise<FoundMock | null> {
  const real = await realpath(dir).catch(() => null);
  if (real === null) return null;
  const a = await readAnnouncement(real);
  if (a === null || a.dir !== real || !pidAlive(a.pid)) return null;
  return { url: a.url, dir: a.dir, scenario: a.scenario };
}

/** Only the kinds: the mock itself says whether the rest of the file is valid. */
const WithFaults = z.object({ faults: z.array(z.object({ kind: z.string() })).optional() });

async function faultKinds(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return [];
  try {
    const parsed = WithFaults.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data.faults ?? []).map((f) => f.kind) : [];
  } catch {
    return [];
  }
}

/**
 * The vendor behaviour that was on: the kinds of the faults of tapedeck.json and of the scenario,
 * each once.
 */
export async function faultsOn(dir: string, scenario: string | null): Promise<string[]> {
  const kinds = await faultKinds(path.join(dir, 'tapedeck.json'));
  if (scenario !== null)
    kinds.push(...(await faultKinds(path.join(dir, 'scenarios', `${scenario}.json`))));
  return [...new Set(kinds)];
}
