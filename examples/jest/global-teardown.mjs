/** Closes the mock; with `strict`, this throws (and the run fails) if a request went unmatched. */
export default async function globalTeardown() {
  await globalThis.tapedeckMock?.close();
}
