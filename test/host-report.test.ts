/**
 * Opening a `tapedeck mock --report FILE` file in the desktop host: a valid report by absolute path
 * (a CI artifact outside any snapshot) or relative to the opened folder; files that are not JSON,
 * not a report, too large, not .json, or outside the folder by a relative path are refused.
 */
import { mkdir, open, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_REPORT_FILE_BYTES } from '../proxy/host/report-file.js';
import type { MockReport } from '../shared/mock-link.js';
import { hostFixture, type HostFixture } from './support/host-fixture.js';

let fx: HostFixture;

const REPORT: MockReport = {
  format: 'tapedeck-report/1',
  dir: '/ci/snap',
  startedAt: '2026-12-01T10:00:00.000Z',
  endedAt: '2026-12-01T10:05:00.000Z',
  scenario: null,
  requests: 3,
  hits: 2,
  unmatched: 1,
  costAvoidedUsd: 0.0042,
  calls: [{ call: 'c_1', file: 'calls/000001-openai-chat-gpt-4o-mini.json', hits: 2 }],
  unused: ['c_2'],
  faults: { latency: 1 },
  upstreams: { openai: { requests: 3, matched: 2, unmatched: 1, retries: 0 } },
  misses: [
    {
      key: 'k1',
      count: 1,
      firstSeen: '2026-12-01T10:01:00.000Z',
      lastSeen: '2026-12-01T10:01:00.000Z',
      upstream: 'openai',
      method: 'POST',
      path: '/v1/chat/completions',
      query: null,
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Summarize it' }] },
      model: 'gpt-4o-mini',
      closest: { call: 'c_1', file: 'calls/000001-openai-chat-gpt-4o-mini.json', seq: 1 },
      signature: { body: { messages: [{ role: 'user', content: 'Summarize the report' }] } },
      diff: ['$.messages[0].content: "Summarize the report" → "Summarize it"'],
      items: [
        {
          part: 'body',
          path: '$.messages[0].content',
          kind: 'differs',
          recorded: 'Summarize the report',
          request: 'Summarize it',
        },
      ],
      recordable: false,
    },
  ],
};

beforeEach(async () => {
  fx = await hostFixture();
});

afterEach(async () => {
  await fx.cleanup();
});

describe('openReport', () => {
  it('reads a valid report by absolute path, with no folder open', async () => {
    const file = path.join(fx.base, 'artifacts', 'run-report.json');
    await mkdir(path.dirname(file));
    await writeFile(file, JSON.stringify(REPORT, null, 2));
    expect(await fx.host.openReport(file)).toEqual(REPORT);
  });

  it('reads one relative to the opened folder', async () => {
    await fx.host.openFolder(fx.snap);
    await writeFile(path.join(fx.snap, 'report.json'), JSON.stringify(REPORT));
    expect(await fx.host.openReport('report.json')).toEqual(REPORT);
  });

  it('refuses a file that is not JSON, naming it and the line', async () => {
    const file = path.join(fx.base, 'broken.json');
    await writeFile(file, '{\n  "format": "tapedeck-report/1",\n  oops\n}');
    await expect(fx.host.openReport(file)).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(new RegExp(`^${file}:3 .*invalid JSON`)),
    });
  });

  it('refuses a JSON file that is not a report, naming the first issue and its path', async () => {
    const file = path.join(fx.base, 'wrong.json');
    const wrong = { ...REPORT, upstreams: { openai: { ...REPORT.upstreams.openai, retries: -1 } } };
    await writeFile(file, JSON.stringify(wrong, null, 2));
    const err = (await fx.host.openReport(file).catch((e: unknown) => e)) as Error & {
      code: string;
    };
    expect(err.code).toBe('bad_request');
    expect(err.message).toContain(file);
    expect(err.message).toContain('upstreams.openai.retries');
  });

  it('refuses a file over the size limit unread', async () => {
    const file = path.join(fx.base, 'huge.json');
    const handle = await open(file, 'w');
    await handle.truncate(MAX_REPORT_FILE_BYTES + 1);
    await handle.close();
    await expect(fx.host.openReport(file)).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('over the limit'),
    });
  });

  it('refuses a relative path leaving the opened folder, and a symlink leading out', async () => {
    await fx.host.openFolder(fx.snap);
    await writeFile(path.join(fx.base, 'outside.json'), JSON.stringify(REPORT));
    await expect(fx.host.openReport('../outside.json')).rejects.toMatchObject({
      code: 'path_outside',
    });
    await symlink(path.join(fx.base, 'outside.json'), path.join(fx.snap, 'link.json'));
    await expect(fx.host.openReport('link.json')).rejects.toMatchObject({ code: 'path_outside' });
  });

  it('refuses a relative path with no folder open', async () => {
    await expect(fx.host.openReport('report.json')).rejects.toMatchObject({ code: 'no_folder' });
  });

  it('refuses files that are not .json and system paths', async () => {
    const txt = path.join(fx.base, 'report.txt');
    await writeFile(txt, JSON.stringify(REPORT));
    await expect(fx.host.openReport(txt)).rejects.toMatchObject({ code: 'bad_request' });
    // A .json name leading to something else is judged by where it leads.
    await symlink(txt, path.join(fx.base, 'disguised.json'));
    await expect(fx.host.openReport(path.join(fx.base, 'disguised.json'))).rejects.toMatchObject({
      code: 'bad_request',
    });
    await expect(fx.host.openReport('/etc/passwd')).rejects.toMatchObject({
      code: 'path_outside',
    });
    await expect(fx.host.openReport(fx.base)).rejects.toMatchObject({ code: 'bad_request' });
  });
});
