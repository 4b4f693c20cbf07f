/**
 * Image tokens the way each provider bills them, from the image's size. Inline images (base64)
 * are measured from their header; an image sent by URL or file id cannot be measured offline and
 * is counted as a 1024×1024 image under the same rule (`UNKNOWN_SIZE`).
 */

export interface ImageSize {
  width: number;
  height: number;
}

/** What an image of unknown size is counted as: a common photo or screenshot size. */
export const UNKNOWN_SIZE: ImageSize = { width: 1024, height: 1024 };

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map<string, number>([...B64].map((c, i) => [c, i]));
B64_INDEX.set('-', 62);
B64_INDEX.set('_', 63);

/** The first `maxBytes` bytes of a base64 text (standard or URL-safe alphabet). */
function decodePrefix(b64: string, maxBytes: number): Uint8Array {
  const out = new Uint8Array(Math.min(maxBytes, Math.floor((b64.length * 3) / 4)));
  let n = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < b64.length && n < out.length; i++) {
    const v = B64_INDEX.get(b64[i] as string);
    if (v === undefined) {
      if (b64[i] === '=') break;
      continue; // line breaks and spaces
    }
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}

const be16 = (b: Uint8Array, i: number) => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
const le16 = (b: Uint8Array, i: number) => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
const le24 = (b: Uint8Array, i: number) => le16(b, i) | ((b[i + 2] ?? 0) << 16);
const be32 = (b: Uint8Array, i: number) => be16(b, i) * 65536 + be16(b, i + 2);
const ascii = (b: Uint8Array, i: number, n: number) => String.fromCharCode(...b.subarray(i, i + n));

function jpegSize(b: Uint8Array): ImageSize | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1] ?? 0;
    if (marker === 0xff) {
      i++;
      continue;
    }
    // Start-of-frame markers (baseline, progressive, …), not DHT (C4), JPG (C8) or DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker))
      return { height: be16(b, i + 5), width: be16(b, i + 7) };
    i += 2 + be16(b, i + 2);
  }
  return null;
}

function webpSize(b: Uint8Array): ImageSize | null {
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ') return { width: le16(b, 26) & 0x3fff, height: le16(b, 28) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = (b[21] ?? 0) | ((b[22] ?? 0) << 8) | ((b[23] ?? 0) << 16) | ((b[24] ?? 0) << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { width: le24(b, 24) + 1, height: le24(b, 27) + 1 };
  return null;
}

// A JPEG's frame header can sit behind large EXIF and colour-profile segments.
const HEADER_BYTES = 256 * 1024;

/** Width and height of a PNG, JPEG, GIF or WebP given as base64 (or a data: URL); null otherwise. */
export function imageSizeOf(base64OrDataUrl: string): ImageSize | null {
  const comma = base64OrDataUrl.startsWith('data:') ? base64OrDataUrl.indexOf(',') : -1;
  const b = decodePrefix(base64OrDataUrl.slice(comma + 1), HEADER_BYTES);
  let size: ImageSize | null = null;
  if (b[0] === 0x89 && ascii(b, 1, 3) === 'PNG') size = { width: be32(b, 16), height: be32(b, 20) };
  else if (b[0] === 0xff && b[1] === 0xd8) size = jpegSize(b);
  else if (ascii(b, 0, 3) === 'GIF') size = { width: le16(b, 6), height: le16(b, 8) };
  else if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') size = webpSize(b);
  return size && size.width > 0 && size.height > 0 ? size : null;
}

function fit(size: ImageSize, maxW: number, maxH: number): ImageSize {
  const scale = Math.min(1, maxW / size.width, maxH / size.height);
  return { width: size.width * scale, height: size.height * scale };
}

/** OpenAI's tile rule: fit in 2048 px, shorter side down to 768 px, then base + a price per 512-px tile. */
function openaiTiles(size: ImageSize, base: number, perTile: number): number {
  let { width, height } = fit(size, 2048, 2048);
  const short = Math.min(width, height);
  if (short > 768) {
    width = (width * 768) / short;
    height = (height * 768) / short;
  }
  return base + perTile * Math.ceil(width / 512) * Math.ceil(height / 512);
}

// Scaling leaves 32.000000001 where 32 was meant.
const patchesAlong = (px: number) => Math.ceil(px / 32 - 1e-9);

/** OpenAI's patch rule: 32-px patches, at most 1536 (the image scaled down to fit), times a factor. */
function openaiPatches(size: ImageSize, factor: number): number {
  const PATCH = 32;
  const MAX = 1536;
  let { width, height } = size;
  if (patchesAlong(width) * patchesAlong(height) > MAX) {
    const shrink = Math.sqrt((MAX * PATCH * PATCH) / (width * height));
    width *= shrink;
    height *= shrink;
    // Whole patches along the width, then scale again so the height fits too.
    const across = Math.floor(width / PATCH);
    const fitWidth = across / (width / PATCH);
    width *= fitWidth;
    height *= fitWidth;
  }
  return Math.round(Math.min(MAX, patchesAlong(width) * patchesAlong(height)) * factor);
}

interface OpenAIRule {
  pattern: RegExp;
  patches?: number;
  tiles?: [base: number, perTile: number];
}

// platform.openai.com/docs/guides/images-vision#calculating-costs; first match wins.
const OPENAI_RULES: readonly OpenAIRule[] = [
  { pattern: /gpt-5(\.\d+)?-mini|gpt-4\.1-mini/, patches: 1.62 },
  { pattern: /gpt-5(\.\d+)?-nano|gpt-4\.1-nano/, patches: 2.46 },
  { pattern: /o4-mini/, patches: 1.72 },
  { pattern: /gpt-4o-mini/, tiles: [2833, 5667] },
  { pattern: /gpt-5/, tiles: [70, 140] },
  { pattern: /^(openai\/)?o[13]/, tiles: [75, 150] },
  { pattern: /computer-use/, tiles: [65, 129] },
  { pattern: /./, tiles: [85, 170] },
];

/** `detail: "low"` is one fixed budget; `high` and `auto` follow the size. */
export function openaiImageTokens(
  model: string | null,
  size: ImageSize | null,
  detail: string | undefined,
): number {
  const rule = OPENAI_RULES.find((r) => r.pattern.test(model ?? '')) ?? OPENAI_RULES.at(-1)!;
  if (rule.patches !== undefined) return openaiPatches(size ?? UNKNOWN_SIZE, rule.patches);
  const [base, perTile] = rule.tiles ?? [85, 170];
  if (detail === 'low') return base;
  return openaiTiles(size ?? UNKNOWN_SIZE, base, perTile);
}

/**
 * Anthropic: width × height / 750, after the image is scaled to at most 1568 px on its long edge
 * and "about 1.15 megapixels" (docs.anthropic.com, "Vision"): its table gives 1092×1092 (1.19 MP)
 * as the largest square, 1590 tokens, so the cap used is 1600 tokens' worth of pixels.
 */
export function anthropicImageTokens(size: ImageSize | null): number {
  let s = fit(size ?? UNKNOWN_SIZE, 1568, 1568);
  const MAX_PIXELS = 1600 * 750;
  if (s.width * s.height > MAX_PIXELS) {
    const k = Math.sqrt(MAX_PIXELS / (s.width * s.height));
    s = { width: s.width * k, height: s.height * k };
  }
  // Scaling leaves 1600.0000001 where 1600 was meant.
  return Math.ceil((s.width * s.height) / 750 - 1e-9);
}

/**
 * Gemini 2.x: 258 tokens when both sides are at most 384 px, else 258 per tile, tiles being
 * squares of a side between 256 and 768 px derived from the shorter side (ai.google.dev, "Token
 * counting"). Gemini 3 bills by `media_resolution` instead: 1120 tokens at its default (high).
 */
export function geminiImageTokens(model: string | null, size: ImageSize | null): number {
  if (/gemini-(3|[4-9])/.test(model ?? '')) return 1120;
  const s = size ?? UNKNOWN_SIZE;
  if (s.width <= 384 && s.height <= 384) return 258;
  const unit = Math.min(768, Math.max(256, Math.floor(Math.min(s.width, s.height) / 1.5)));
  return 258 * Math.ceil(s.width / unit) * Math.ceil(s.height / unit);
}
