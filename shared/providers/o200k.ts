/**
 * Installs o200k_base as the text counter of token estimates (see `countTextTokens`). Imported for
 * its effect by the modules that estimate, so the ones that only replay or show calls never load
 * the tokenizer.
 */
// The per-encoding entry point is plain TypeScript with no Node imports, so it also runs in the UI.
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { setTextCounter } from './estimate.js';

// Special-token markers inside user text are ordinary characters here, not an error.
const PLAIN = { disallowedSpecial: new Set<string>() };

setTextCounter((text) => countTokens(text, PLAIN));
