// Draws the app icon's PNG sizes from renderer/public/icon.svg with the Chromium the e2e tests
// use (playwright-core, no extra image tool): `npm run icons` after changing the SVG, then commit
// the results. Vite copies renderer/public/ into dist/renderer/, where `tapedeck ui` serves
// /favicon.ico and /icon.svg, Electron takes its window icon, and electron-builder its app icon.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const dir = fileURLToPath(new URL('../renderer/public/', import.meta.url));
/** The app icon (window, installers: electron-builder wants at least 512 × 512). */
const APP_SIZE = 512;
/** The sizes inside favicon.ico: tabs, bookmarks, taskbars. */
const FAVICON_SIZES = [16, 32, 48];

const chromiumPath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'].find(
  (p) => p && existsSync(p),
);
if (!chromiumPath) {
  process.stderr.write('make-icons: no Chromium at CHROMIUM_PATH or /usr/bin/chromium\n');
  process.exit(1);
}

/** An .ico file whose images are PNGs (supported everywhere since Windows Vista). */
function ico(pngs) {
  const header = Buffer.alloc(6 + 16 * pngs.length);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // 1 = icon
  header.writeUInt16LE(pngs.length, 4);
  let offset = header.length;
  pngs.forEach(({ size, png }, i) => {
    const at = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, at); // width; 0 means 256
    header.writeUInt8(size >= 256 ? 0 : size, at + 1); // height
    header.writeUInt8(0, at + 2); // no palette
    header.writeUInt8(0, at + 3); // reserved
    header.writeUInt16LE(1, at + 4); // colour planes
    header.writeUInt16LE(32, at + 6); // bits per pixel
    header.writeUInt32LE(png.length, at + 8);
    header.writeUInt32LE(offset, at + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...pngs.map((p) => p.png)]);
}

const svg = await readFile(new URL('icon.svg', `file://${dir}`));
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage();
  const render = async (size) => {
    await page.setViewportSize({ width: size, height: size });
    const src = `data:image/svg+xml;base64,${svg.toString('base64')}`;
    await page.setContent(
      `<body style="margin:0"><img src="${src}" width="${size}" height="${size}" style="display:block"></body>`,
    );
    await page.locator('img').evaluate((img) => img.decode());
    return page.screenshot({
      omitBackground: true,
      clip: { x: 0, y: 0, width: size, height: size },
    });
  };
  await writeFile(`${dir}icon-${APP_SIZE}.png`, await render(APP_SIZE));
  const pngs = [];
  for (const size of FAVICON_SIZES) pngs.push({ size, png: await render(size) });
  await writeFile(`${dir}favicon.ico`, ico(pngs));
  process.stdout.write(`make-icons: wrote icon-${APP_SIZE}.png and favicon.ico in ${dir}\n`);
} finally {
  await browser.close();
}
