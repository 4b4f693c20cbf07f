/** Opens the start URL in the user's browser; a machine without one still gets a working server. */
import open from 'open';

export function openBrowser(url: string, log: (line: string) => void): void {
  const fail = (e: unknown) =>
    log(
      `tapedeck: could not open a browser (${(e as Error)?.message ?? String(e)}); open the URL above`,
    );
  open(url)
    .then((child) => child.on('error', fail))
    .catch(fail);
}
