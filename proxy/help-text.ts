/**
 * A command's description for `--help`: commander wraps each line it is given to the terminal's
 * width (80 columns in a pipe), so a sentence written over several source lines would break at
 * the source's line ends as well as at the terminal's. Lines that continue a sentence are joined
 * here; a line that ends a sentence (a full stop, not "e.g.") keeps its break, so each point
 * ("Exit codes: …") still starts a line of its own.
 */
export function helpText(...lines: string[]): string {
  let out = '';
  for (const line of lines) {
    if (out === '') out = line;
    else out += /\.$/.test(out) && !/\be\.g\.$/.test(out) ? `\n${line}` : ` ${line}`;
  }
  return out;
}
