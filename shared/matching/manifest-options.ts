/** How a snapshot's manifest configures matching: one place, so every Matcher over a folder agrees. */
import { Redactor } from '../redact.js';
import type { Manifest } from '../schema.js';
import type { MatcherOptions } from './matcher.js';

export function matcherOptionsOf(manifest: Manifest | null | undefined): MatcherOptions {
  return {
    normalizers: manifest?.normalizers ?? [],
    // The recorder's rules, seen from the live side: both sides are redacted before comparing.
    redact: manifest?.redact ? new Redactor(manifest.redact) : Redactor.builtin,
    rules: manifest?.rules ?? [],
  };
}
