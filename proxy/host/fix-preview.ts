/**
 * The desktop's one-action fixes (issue #10): the exact edit a fix makes to one file, built
 * without saving, with what it would change. The UI shows `before`/`after` and saves `after`
 * through saveFile with `baseHash`, so a file changed meanwhile is a conflict, never overwritten.
 */
import type { FixPreview, FixRequest } from '../../shared/desktop-api.js';
import { ruleFor } from '../../shared/fixes/rule.js';
import { widenSignature } from '../../shared/fixes/widen.js';
import { matcherOptionsOf } from '../../shared/matching/manifest-options.js';
import { Matcher, type Matchable } from '../../shared/matching/matcher.js';
import { compileRules, recordedRequestModel, withRules } from '../../shared/matching/rules.js';
import type { MissGroup } from '../../shared/mock-link.js';
import { Call, Manifest, Signature, type Manifest as ManifestT } from '../../shared/schema.js';
import { parseJsonFile } from '../store/parse-file.js';
import { ReplayCall, loadReplaySnapshot } from '../store/replay-load.js';
import { MANIFEST_FILE, type Snapshot } from '../store/snapshot-store.js';
import { readFileIn } from './files.js';
import { HostError } from './host-error.js';

/** The style every Tapedeck writer uses (recorder, saves, migrate): two spaces, a final newline. */
function fileText(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

export async function previewFixIn(
  root: string,
  fix: FixRequest,
  groups: readonly MissGroup[],
): Promise<FixPreview> {
  const group = groups.find((g) => g.key === fix.key);
  if (!group) throw new HostError('not_found', `no kept miss ${JSON.stringify(fix.key)}`);
  const snapshot = await loadReplaySnapshot(root);
  return fix.kind === 'widen'
    ? previewWiden(root, fix, group, groups, snapshot)
    : previewRule(root, fix, group, groups, snapshot);
}

async function previewWiden(
  root: string,
  fix: FixRequest,
  group: MissGroup,
  groups: readonly MissGroup[],
  snapshot: Snapshot,
): Promise<FixPreview> {
  if (!group.closest)
    throw new HostError('bad_request', 'this miss has no recorded call to widen; record it');
  const file = await readFileIn(root, group.closest.file);
  const parsed = parseJsonFile(file.text, file.path, Call);
  if (!parsed.ok)
    throw new HostError('bad_request', `${file.path} does not load: ${parsed.error.reason}`);
  // The file's own JSON, edited in place: its key order and every other field stay as written.
  const raw = JSON.parse(file.text) as Record<string, unknown>;
  const { signature, changes } = widenSignature(raw['signature'] as Signature, group.items);
  assertValid(Signature, signature, `${file.path}'s widened signature`);
  raw['signature'] = signature;
  const calls = matchables(snapshot).map((c) =>
    c.file === file.path ? { ...c, signature: signature } : c,
  );
  return {
    fix,
    path: file.path,
    baseHash: file.hash,
    before: file.text,
    after: fileText(raw),
    changes,
    callsChanged: 1,
    fixesMisses: fixedBy(new Matcher(calls, matcherOptionsOf(snapshot.manifest)), group, groups),
  };
}

async function previewRule(
  root: string,
  fix: FixRequest,
  group: MissGroup,
  groups: readonly MissGroup[],
  snapshot: Snapshot,
): Promise<FixPreview> {
  const current = await readManifest(root);
  const byModel = fix.kind === 'rule' && fix.byModel;
  const { manifest, changes } = ruleFor(current.raw, group, byModel);
  const edited = assertValid(Manifest, manifest, `${MANIFEST_FILE} with the rule`);
  const before = compileRules(current.raw?.rules);
  const after = compileRules(edited.rules);
  const calls = matchables(snapshot);
  const ignoreCount = (s: Signature) => s.ignore?.length ?? 0;
  const callsChanged = calls.filter(
    (c) =>
      ignoreCount(withRules(c.signature, after, c.model)) !==
      ignoreCount(withRules(c.signature, before, c.model)),
  ).length;
  return {
    fix,
    path: MANIFEST_FILE,
    baseHash: current.hash,
    before: current.text,
    after: fileText(manifest),
    changes,
    callsChanged,
    fixesMisses: fixedBy(new Matcher(calls, matcherOptionsOf(edited)), group, groups),
  };
}

/**
 * tapedeck.json as written (parsed JSON, not the schema's output, so no default is added and no
 * key moves); a missing file is an empty text with hash "" (saving then creates it, and a file
 * created meanwhile is a conflict).
 */
async function readManifest(
  root: string,
): Promise<{ raw: ManifestT | null; text: string; hash: string }> {
  let file;
  try {
    file = await readFileIn(root, MANIFEST_FILE);
  } catch (e) {
    if (e instanceof HostError && e.code === 'not_found') return { raw: null, text: '', hash: '' };
    throw e;
  }
  const parsed = parseJsonFile(file.text, file.path, Manifest);
  if (!parsed.ok)
    throw new HostError(
      'bad_request',
      `${MANIFEST_FILE} does not load (${parsed.error.reason}); fix it before adding a rule`,
    );
  return { raw: JSON.parse(file.text) as ManifestT, text: file.text, hash: file.hash };
}

function assertValid<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: Error } },
  value: unknown,
  what: string,
): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new HostError('internal', `${what} would not load: ${r.error.message}`);
  return r.data;
}

interface FixCall extends Matchable {
  file: string;
  model: string | null;
}

function matchables(snapshot: Snapshot): FixCall[] {
  return snapshot.calls.map((c) =>
    c instanceof ReplayCall
      ? { ...c.record }
      : {
          id: c.call.id,
          seq: c.call.seq,
          signature: c.call.signature,
          file: c.file,
          model: recordedRequestModel(c.call.request),
        },
  );
}

/** Keys of the kept misses that the edited snapshot answers, the fixed one first. */
function fixedBy(
  matcher: Matcher<FixCall>,
  group: MissGroup,
  groups: readonly MissGroup[],
): string[] {
  const hits = (g: MissGroup): boolean =>
    // A refused request (too large, too deep) never reaches matching, whatever the edit.
    g.reason === undefined &&
    matcher.match({
      upstream: g.upstream,
      method: g.method,
      path: g.path,
      query: g.query ?? {},
      body: g.body === null ? undefined : g.body,
    }).kind === 'hit';
  const out = hits(group) ? [group.key] : [];
  for (const g of groups) if (g.key !== group.key && hits(g)) out.push(g.key);
  return out;
}
