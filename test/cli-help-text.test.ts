/**
 * `--help` reads as prose in a pipe's 80 columns: a command's description breaks where a sentence
 * ends or where the width forces it, never also at the end of a source line (which left
 * one-word lines such as "at each" behind).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { helpText } from '../proxy/help-text.js';
import { assertBuilt, runCli } from './support/cli.js';

beforeAll(() => assertBuilt());

const COMMANDS = ['record', 'mock', 'inspect', 'migrate', 'ui', 'load', 'report'];
const WIDTH = 80;

/** The description: from after the usage line's blank line to the first section heading. */
function descriptionOf(help: string): string[] {
  const lines = help.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Usage:')) + 2;
  const end = lines.findIndex((l, i) => i >= start && /^(Arguments|Options|Commands):$/.test(l));
  return lines.slice(start, end < 0 ? undefined : end).filter((l) => l.trim() !== '');
}

describe('helpText', () => {
  it('joins the lines of one sentence and keeps a break after a full stop', () => {
    expect(
      helpText('Sends the requests to TARGET at each', 'step in turn.', 'Exit codes: 0 ok.'),
    ).toBe('Sends the requests to TARGET at each step in turn.\nExit codes: 0 ok.');
  });

  it('does not take "e.g." for the end of a sentence', () => {
    expect(helpText('Point an SDK at it, e.g.', 'OPENAI_BASE_URL=….')).toBe(
      'Point an SDK at it, e.g. OPENAI_BASE_URL=….',
    );
  });
});

describe('tapedeck COMMAND --help', () => {
  for (const command of COMMANDS)
    it(`${command}: a line of the description breaks early only where a sentence ends`, async () => {
      const r = await runCli([command, '--help']);
      expect(r.code, r.stderr).toBe(0);
      const lines = descriptionOf(r.stdout);
      expect(lines.length).toBeGreaterThan(0);
      lines.slice(0, -1).forEach((line, i) => {
        if (/\.$/.test(line)) return;
        const next = (lines[i + 1] ?? '').trimStart().split(' ')[0] ?? '';
        // Commander wraps before the word that would overflow: any shorter break is a source one.
        expect(`${line} ${next}`.length, `${command}: "${line}"`).toBeGreaterThan(WIDTH);
      });
    });
});
