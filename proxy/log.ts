/**
 * Request log lines, batched: a synchronous stderr write per request would cost the mock server
 * a measurable share of its throughput on pipes, which are synchronous on Linux.
 */
export type LogFn = (line: string) => void;

export function bufferedStderr(): LogFn & { flush(): void } {
  let buf = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!buf) return;
    const out = buf;
    buf = '';
    process.stderr.write(out);
  };
  const log = ((line: string) => {
    buf += line + '\n';
    if (buf.length > 64 * 1024) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  }) as LogFn & { flush(): void };
  log.flush = flush;
  process.once('exit', flush);
  return log;
}
