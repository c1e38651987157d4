/**
 * Renders the PNG icons from the SVGs with Chromium (no ImageMagick needed). The PNGs are
 * committed; run `npx tsx web/scripts/make-icons.ts` only after changing an SVG.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const dir = resolve(import.meta.dirname, '../public/icons');
const jobs: [svg: string, size: number, out: string][] = [
  ['icon.svg', 192, 'icon-192.png'],
  ['icon.svg', 512, 'icon-512.png'],
  ['maskable.svg', 512, 'maskable-512.png'],
  ['icon.svg', 180, 'apple-touch-icon.png'],
  ['icon.svg', 32, 'favicon-32.png'],
];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  for (const [svg, size, out] of jobs) {
    await page.setViewportSize({ width: size, height: size });
    const data = readFileSync(resolve(dir, svg)).toString('base64');
    await page.setContent(`<style>html,body{margin:0;background:transparent}img{display:block;width:${size}px;height:${size}px}</style><img src="data:image/svg+xml;base64,${data}">`);
    await page.screenshot({ path: resolve(dir, out), omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
  }
} finally {
  await browser.close();
}
