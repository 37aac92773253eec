import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator } from 'playwright-core';
import { render, type RunSummary } from '../../src/report/index.ts';
import { fixtureSummary } from './fixture-runs.ts';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SKIP_REASON = HAVE_CHROMIUM ? '' : ` (skipped: ${CHROMIUM} is missing; install Debian's chromium package, as .ci/run does)`;
// Flags that keep a headless Chromium from reaching the network on its own (updates, sync, first-run).
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The text as the reader sees it (Playwright's Locator.innerText: rendered, CSS applied), not the DOM's raw textContent. */
function shownText(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText(), not HTMLElement.innerText; the test checks the rendered text.
  return locator.innerText();
}

describe.skipIf(!HAVE_CHROMIUM)(`HTML report in headless Chromium${SKIP_REASON}`, () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    dir = mkdtempSync(join(tmpdir(), 'coldbench-html-'));
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(name: string, summary: RunSummary) {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, render(summary, 'html'));
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    return { page, requests, url: `file://${file}` };
  }

  for (const run of ['baseline', 'failures']) {
    it(`renders the ${run} run offline with one box per measured variant and the JSON renderer's numbers`, async () => {
      const summary = fixtureSummary(run);
      const json = JSON.parse(render(summary, 'json')) as RunSummary;
      const measured = json.variants.filter((v) => v.state === 'measured');
      const { page, requests, url } = await open(run, summary);

      // Self-contained: the file itself is the only request, and it carries no script.
      expect(requests).toEqual([url]);
      expect(await page.locator('script').count()).toBe(0);

      for (const kind of ['cold', 'warm'] as const) {
        const boxes = page.locator(`svg#${kind}-boxes g.box`);
        const expected = measured.filter((v) => v[kind].values.length > 0);
        expect(await boxes.count()).toBe(expected.length);
        for (const v of expected) {
          const box = page.locator(`svg#${kind}-boxes g.box[data-variant="${v.name}"]`);
          expect(Number(await box.getAttribute('data-median'))).toBe(v[kind].latency.median);
          expect(Number(await box.getAttribute('data-n'))).toBe(v[kind].latency.n);
          // The box has a real size on screen: the SVG rendered, not just parsed.
          const rect = await box.locator('rect').boundingBox();
          expect(rect!.height).toBeGreaterThan(10);
        }
        for (const v of expected) {
          const cell = page.locator(`#latency tr[data-variant="${v.name}"][data-kind="${kind}"] td[data-stat="median"]`);
          expect((await shownText(cell)).replace(' ★', '')).toBe(v[kind].latency.median!.toFixed(1));
          const n = page.locator(`#latency tr[data-variant="${v.name}"][data-kind="${kind}"] td[data-stat="n"]`);
          expect(await shownText(n)).toBe(String(v[kind].latency.n));
        }
      }

      const priced = measured.filter((v) => v.cost.perMillionAtRatio !== null && v.expectedLatencyMs !== null);
      expect(await page.locator('svg#cost-latency circle.point').count()).toBe(priced.length);
      for (const v of priced) {
        const point = page.locator(`svg#cost-latency circle.point[data-variant="${v.name}"]`);
        expect(Number(await point.getAttribute('data-cost'))).toBe(v.cost.perMillionAtRatio);
        expect(Number(await point.getAttribute('data-latency'))).toBe(v.expectedLatencyMs);
        const cell = page.locator(`#cost tr[data-variant="${v.name}"] td[data-stat="perMillion"]`);
        expect((await shownText(cell)).replace(' ★', '')).toBe(v.cost.perMillionAtRatio!.toFixed(2));
      }
      await page.close();
    });
  }
});
