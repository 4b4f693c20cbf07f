/**
 * The gateway's structured log: pino, one JSON object a line, `time` in ms since the epoch. Every
 * line has `event`, `rule`, `requestId`, `seq` and `vendor` (null before one is chosen).
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export function gatewayLogger(dest: DestinationStream = pino.destination(1)): Logger {
  return pino({ base: null, messageKey: 'msg' }, dest);
}

/** A destination that keeps the lines in memory (the example's criteria read them back). */
export class LineSink implements DestinationStream {
  readonly lines: Record<string, unknown>[] = [];
  constructor(private readonly also?: DestinationStream) {}
  write(line: string): void {
    this.lines.push(JSON.parse(line) as Record<string, unknown>);
    this.also?.write(line);
  }
}
