/**
 * PASS/MISS compare a figure with its target; INFO: reported without a target; SKIP: a peer was
 * not available; ERROR: the figure could not be measured (a bug).
 */
export type Verdict = 'PASS' | 'MISS' | 'INFO' | 'SKIP' | 'ERROR';

export interface Check {
  figure: string;
  what: string;
  measured: string;
  target: string;
  verdict: Verdict;
}

export function atLeast(value: number, target: number): Verdict {
  return value >= target ? 'PASS' : 'MISS';
}

export function atMost(value: number, target: number): Verdict {
  return value <= target ? 'PASS' : 'MISS';
}

export function say(line = ''): void {
  process.stdout.write(line + '\n');
}

export function heading(title: string): void {
  say();
  say(`== ${title}`);
}

/** A detail line inside a figure: a label column, then the values. */
export function row(label: string, ...values: string[]): void {
  say(`  ${label.padEnd(26)} ${values.join('  ')}`);
}

export function checkLine(c: Check): void {
  // Wider than a detail row's label: check names such as "tapedeck / bare node:http (JSON)".
  say(
    `  ${c.what.padEnd(34)} ${[c.measured.padStart(8), `target ${c.target}`.padEnd(16), c.verdict].join('  ')}`,
  );
}

export const fmt = {
  rps: (n: number): string => `${Math.round(n).toLocaleString('en-US')} req/s`,
  ratio: (n: number): string => `${n.toFixed(2)}×`,
  ms: (n: number, digits = 2): string => `${n.toFixed(digits)} ms`,
  mib: (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`,
};

export function summaryTable(checks: readonly Check[]): void {
  const header = ['figure', 'check', 'measured', 'target', 'result'];
  const rows = checks.map((c) => [c.figure, c.what, c.measured, c.target, c.verdict]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  say();
  say('== summary');
  say(line(header));
  say(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) say(line(r));
  const count = (v: Verdict): number => checks.filter((c) => c.verdict === v).length;
  say();
  say(
    `${count('PASS')} pass, ${count('MISS')} miss, ${count('INFO')} info, ` +
      `${count('SKIP')} skipped, ${count('ERROR')} error`,
  );
}
