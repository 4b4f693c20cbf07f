/** The request's messages as a conversation: one card per message, tool calls and results marked. */
import type { Call } from '../../../shared/schema.js';
import { promptMessages, type Block } from '../lib/messages.js';

function BlockView({ block }: { block: Block }) {
  const label =
    block.kind === 'tool-call'
      ? `tool call · ${block.label ?? ''}`
      : block.kind === 'tool-result'
        ? `tool result${block.label ? ` · ${block.label}` : ''}`
        : block.label;
  return (
    <div className={`block block-${block.kind}`}>
      {label && <div className="block-label">{label}</div>}
      <pre className="block-text">{block.text}</pre>
    </div>
  );
}

export function PromptView({ call }: { call: Call }) {
  const messages = promptMessages(call);
  if (!messages) return <p className="muted">No messages in this request body.</p>;
  return (
    <div className="messages">
      {messages.map((m, i) => (
        <div key={i} className={`message role-${m.role}`}>
          <div className="message-role">{m.role}</div>
          {m.blocks.length === 0 ? (
            <p className="muted">(empty)</p>
          ) : (
            m.blocks.map((b, j) => <BlockView key={j} block={b} />)
          )}
        </div>
      ))}
    </div>
  );
}
