/**
 * Reusing a call: copy its request as a curl command (to the connected mock, else the provider),
 * or send it to the running mock again and see the reply beside the recording.
 */
import { useState } from 'react';
import { curlOf } from '../../../shared/curl.js';
import type { ResendResult } from '../../../shared/desktop-api.js';
import type { Call } from '../../../shared/schema.js';
import { api } from '../api.js';
import { formatMs } from '../lib/format.js';
import { connectedUrl, useMock } from '../state/mock-store.js';

function recordedBody(call: Call): string {
  const r = call.response;
  if (r.stream) return r.stream.map((e) => e.raw ?? `data: ${e.data ?? ''}`).join('\n');
  if (r.body !== undefined) return JSON.stringify(r.body, null, 2);
  return r.bodyText ?? r.bodyBase64 ?? '';
}

function replyBody(r: ResendResult): string {
  if (r.bodyEncoding !== 'utf8') return r.body;
  try {
    return JSON.stringify(JSON.parse(r.body), null, 2);
  } catch {
    return r.body;
  }
}

function ResendView({ call, result }: { call: Call; result: ResendResult }) {
  const same = result.answeredBy === call.id;
  return (
    <div className="resend" data-testid="resend-result">
      <div className="resend-side">
        <h4>Recorded</h4>
        <p>
          status {call.response.status} · call {call.id}
        </p>
        <pre className="code">{recordedBody(call)}</pre>
      </div>
      <div className="resend-side">
        <h4>The mock answered</h4>
        <p>
          status <span data-testid="resend-status">{result.status}</span> ·{' '}
          {result.answeredBy === null ? (
            <span className="badge badge-error">no call matched</span>
          ) : (
            <span className={same ? 'badge badge-ok' : 'badge badge-fault'} data-testid="resend-by">
              {same ? 'this call' : `call ${result.answeredBy}`}
            </span>
          )}{' '}
          · first byte {formatMs(result.ttfbMs)}, total {formatMs(result.totalMs)}
          {result.bodyEncoding === 'base64' && ' · body in base64'}
        </p>
        <pre className="code">{replyBody(result)}</pre>
      </div>
    </div>
  );
}

export function CallActions({ call, file }: { call: Call; file: string }) {
  const mockUrl = useMock(connectedUrl);
  const [note, setNote] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<ResendResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState<string | null>(null);

  const copy = async () => {
    const command = curlOf(call, mockUrl);
    try {
      await navigator.clipboard.writeText(command);
      setNote(mockUrl ? 'Copied (to the running mock)' : 'Copied (to the provider)');
    } catch {
      setNote('The clipboard refused; the command is below');
      setShown(command);
    }
  };
  const resend = async () => {
    setSending(true);
    setError(null);
    try {
      setResult(await api.resendCall(file));
    } catch (err) {
      setResult(null);
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setSending(false);
    }
  };
  return (
    <div className="call-actions">
      <div className="call-actions-bar">
        <button
          type="button"
          onClick={() => void copy()}
          title={
            mockUrl
              ? `curl to ${mockUrl}; credentials as $…_API_KEY variables`
              : "curl to the provider's URL; credentials as $…_API_KEY variables"
          }
        >
          Copy as curl
        </button>
        <button
          type="button"
          disabled={mockUrl === null || sending}
          onClick={() => void resend()}
          title={
            mockUrl ? `Send this request to ${mockUrl} again` : 'No mock is serving this folder'
          }
        >
          {sending ? 'Sending…' : 'Re-send to mock'}
        </button>
        {note && <span className="muted">{note}</span>}
      </div>
      {shown && <pre className="code">{shown}</pre>}
      {error && (
        <div className="notice notice-error" role="alert">
          Re-send failed: {error}
        </div>
      )}
      {result && <ResendView call={call} result={result} />}
    </div>
  );
}
