/** A call as a person reads it: request, prompt, response or stream, usage, cost, faults. */
import { callCost, storedProviderCost } from '../../../shared/providers/cost.js';
import type { Call } from '../../../shared/schema.js';
import type { ToolCallView } from '../../../shared/tool-calls/index.js';
import {
  formatCost,
  formatCostBasis,
  formatCount,
  formatMs,
  formatTimestamp,
} from '../lib/format.js';
import { useSnapshot } from '../state/snapshot-store.js';
import { deltaTextOf, replyText } from '../lib/messages.js';
import { recordedToolCalls } from '../state/tool-calls-part.js';
import { setTab } from '../state/ui-store.js';
import { BodyView, HeadersTable, JsonBlock, Section } from './blocks.js';
import { PromptView } from './PromptView.js';
import { StreamTimeline } from './StreamTimeline.js';

/** Derived with the manifest's current prices, like the table row; the file's costUsd is a cache. */
function Cost({ call }: { call: Call }) {
  const prices = useSnapshot((s) => s.manifest?.prices);
  const cost = callCost(
    { ...call, byModel: call.usage?.byModel, providerCostUsd: storedProviderCost(call) },
    prices,
  );
  const parts = cost.byModel ?? [];
  return (
    <>
      {formatCost(cost.costUsd)} <span className="muted">({formatCostBasis(cost.basis)})</span>
      {parts.length > 1 && (
        <ul className="cost-by-model">
          {parts.map((p, i) => (
            <li key={p.model} data-model={p.model}>
              {p.model}: {formatCost(p.costUsd)}{' '}
              <span className="muted">
                ({formatCount(call.usage?.byModel?.[i]?.inputTokens ?? 0)} in,{' '}
                {formatCount(call.usage?.byModel?.[i]?.outputTokens ?? 0)} out;{' '}
                {formatCostBasis(p.basis)})
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** When another call of the same OpenAI response counts its usage (shared/usage-once.ts). */
function CountedIn({ call }: { call: Call }) {
  const countedIn = useSnapshot(
    (s) => s.calls.find((r) => r.id === call.id)?.usageCountedIn ?? null,
  );
  const seq = useSnapshot((s) =>
    countedIn === null ? null : (s.calls.find((r) => r.id === countedIn)?.seq ?? null),
  );
  if (countedIn === null) return null;
  return (
    <tr>
      <th scope="row">counted in</th>
      <td>
        {seq === null ? countedIn : `#${seq}`}{' '}
        <span className="muted">(this response&apos;s usage counts once: 0 here)</span>
      </td>
    </tr>
  );
}

function Usage({ call }: { call: Call }) {
  const u = call.usage;
  return (
    <table className="kv">
      <tbody>
        <tr>
          <th scope="row">tokens in</th>
          <td>
            {u ? formatCount(u.inputTokens) : '—'}
            {u && u.cacheReadTokens + u.cacheWriteTokens > 0 && (
              <span className="muted">
                {' '}
                ({formatCount(u.cacheReadTokens)} cache read, {formatCount(u.cacheWriteTokens)}{' '}
                cache write)
              </span>
            )}
          </td>
        </tr>
        <tr>
          <th scope="row">tokens out</th>
          <td>
            {u ? formatCount(u.outputTokens) : '—'}
            {u && u.reasoningTokens > 0 && (
              <span className="muted"> ({formatCount(u.reasoningTokens)} reasoning)</span>
            )}
          </td>
        </tr>
        <tr>
          <th scope="row">usage from</th>
          <td>
            {u === null ? (
              'not recorded'
            ) : u.source === 'estimated' ? (
              <span className="badge badge-estimate">estimated with a tokenizer</span>
            ) : (
              'the provider'
            )}
          </td>
        </tr>
        <tr>
          <th scope="row">cost</th>
          <td>
            <Cost call={call} />
          </td>
        </tr>
        <CountedIn call={call} />
        <tr>
          <th scope="row">timing</th>
          <td>
            first byte {formatMs(call.timing.ttfbMs)}, complete {formatMs(call.timing.totalMs)}
          </td>
        </tr>
      </tbody>
    </table>
  );
}

/** Arguments as JSON text: indented when they parse, as recorded when they do not (a cut stream). */
function prettyArguments(text: string): { text: string; json: boolean } {
  try {
    return { text: JSON.stringify(JSON.parse(text), null, 2), json: true };
  } catch {
    return { text, json: false };
  }
}

/**
 * What the model answered: its text and its tool calls, assembled the way a client assembles
 * them (shared/tool-calls reads every family, streamed or not), so a reply that only calls tools
 * shows those calls instead of an empty text.
 */
function ReplyView({ text, tools }: { text: string | null; tools: readonly ToolCallView[] }) {
  return (
    <div role="group" aria-label="reply">
      <h4>Reply</h4>
      {text ? (
        <pre className="block-text reply reply-text">{text}</pre>
      ) : (
        tools.length === 0 && <pre className="block-text reply muted">(no text)</pre>
      )}
      {tools.map((t) => {
        const args = prettyArguments(t.arguments);
        return (
          <div key={t.index} className="block block-tool-call reply-tool" data-tool-call={t.index}>
            <div className="block-label">
              tool call · <span className="tool-name">{t.name}</span>
              {t.id !== null && <span className="muted"> · {t.id}</span>}
              {!args.json && <span className="badge badge-error">arguments are not JSON</span>}
            </div>
            <pre className="block-text tool-args">{args.text}</pre>
          </div>
        );
      })}
      {tools.length > 0 && (
        <button type="button" className="link" onClick={() => setTab('tools')}>
          Edit the tool calls
        </button>
      )}
    </div>
  );
}

export function CallOverview({ call }: { call: Call }) {
  const text = replyText(call);
  const tools = recordedToolCalls(call as unknown as Record<string, unknown>);
  const hasReply = text !== null || tools.length > 0;
  const failed = call.response.status >= 400 || call.outcome !== 'complete';
  return (
    <div className="overview">
      <div className="overview-head">
        <span className={failed ? 'badge badge-error' : 'badge badge-ok'}>
          {call.response.status}
        </span>
        {call.outcome !== 'complete' && <span className="badge badge-error">{call.outcome}</span>}
        <strong>{call.model ?? 'no model'}</strong>
        <span className="muted">
          {call.provider} via {call.upstream} · {call.api} · #{call.seq} ·{' '}
          {formatTimestamp(call.recordedAt)}
        </span>
      </div>
      {call.faults && call.faults.length > 0 && (
        <div className="notice notice-fault">
          ⚡ Faults injected on replay: {call.faults.map((f) => f.name ?? f.kind).join(', ')}
        </div>
      )}
      <Section title={`Request · ${call.request.method} ${call.request.url}`}>
        <h4>Prompt</h4>
        <PromptView call={call} />
        <Section title="Headers" open={false}>
          <HeadersTable headers={call.request.headers} />
        </Section>
        <Section title="Body" open={false}>
          <BodyView part={call.request} />
        </Section>
      </Section>
      <Section
        title={`Response · ${call.response.status}${call.response.stream ? ' · streamed' : ''}`}
      >
        {hasReply && <ReplyView text={text} tools={tools} />}
        <Section title="Headers" open={false}>
          <HeadersTable headers={call.response.headers} />
        </Section>
        {call.response.stream ? (
          <Section title="Stream">
            <StreamTimeline events={call.response.stream} deltaText={deltaTextOf(call)} />
          </Section>
        ) : (
          <Section title="Body" open={!hasReply}>
            <BodyView part={call.response} />
          </Section>
        )}
      </Section>
      <Section title="Usage and cost">
        <Usage call={call} />
      </Section>
      <Section title="Signature" open={false}>
        <JsonBlock value={call.signature} />
      </Section>
    </div>
  );
}
