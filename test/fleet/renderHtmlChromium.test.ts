// The HTML fleet report as a browser shows it (issue #15): rendered in headless Chromium (Debian's
// `chromium`, driven by playwright-core), with no console error, every chart drawn with its data,
// and no text said twice ("The emulator kept up. the emulator kept up: ..."). Skipped on a
// developer's machine without Chromium; in CI (.ci/run installs it) a missing browser fails.
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { judgeHealth } from '../../src/fleet/emulatorHealth.js';
import { generateFleet, parseModelMix } from '../../src/fleet/fleetInventory.js';
import { mergeReports } from '../../src/fleet/merge.js';
import { renderFleetHtml } from '../../src/fleet/render/html.js';
import type { FleetReport } from '../../src/fleet/report.js';
import { runFleet } from '../../src/fleet/runner.js';
import { takeShard } from '../../src/fleet/shard.js';
import { loadModelCatalogue } from '../../src/models/catalogue.js';
import { assertInstalled, skipUnlessInstalled, tempDir } from '../support/servers.js';
import { fleetReport, interruptedNotifyStorm } from './renderFixture.js';

const CHROMIUM = { binary: '/usr/bin/chromium', debianPackage: 'chromium' };

/** What the page shows, as read from the browser's DOM. */
interface Rendered {
  readonly errors: string[];
  readonly text: string;
  /** Per chart (by aria-label): bars with a height, the area's points, its size on the page. */
  readonly charts: { label: string; bars: number; areaPoints: number; width: number; height: number }[];
}

let browser: Browser;

/**
 * Read in the page (as a string: the project's TypeScript has no DOM types): the text as shown, and
 * per chart the bars with a height, the points of its area, its size on the page.
 */
const READ_PAGE = `({
  text: document.body.innerText,
  charts: [...document.querySelectorAll('svg.chart')].map((svg) => {
    const box = svg.getBoundingClientRect();
    const area = svg.querySelector('path.area')?.getAttribute('d') ?? '';
    return {
      label: svg.getAttribute('aria-label') ?? '',
      bars: [...svg.querySelectorAll('rect')].filter((r) => Number(r.getAttribute('height')) > 0).length,
      areaPoints: (area.match(/L/g) ?? []).length,
      width: box.width,
      height: box.height,
    };
  }),
})`;

async function render(html: string): Promise<Rendered> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('request', (request) => {
    if (!request.url().startsWith('data:') && request.url() !== 'about:blank')
      errors.push(`fetched ${request.url()}`);
  });
  await page.setContent(html, { waitUntil: 'load' });
  const result = await page.evaluate<Omit<Rendered, 'errors'>>(READ_PAGE);
  await page.close();
  return { errors, ...result };
}

/** A phrase of three words or more said twice in a row, across punctuation and case. */
function doubled(text: string): string | undefined {
  return /\b(\w+(?:[ ,]+\w+){2,})[\s.:;,]+\1\b/i.exec(text)?.[0];
}

describe.skipIf(skipUnlessInstalled(CHROMIUM))('the HTML fleet report in headless Chromium', () => {
  let real: FleetReport;
  let merged: FleetReport;
  let storm: FleetReport;

  beforeAll(async () => {
    assertInstalled(CHROMIUM);
    browser = await chromium.launch({
      executablePath: CHROMIUM.binary,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    // A real report: a week of 60 phones on the fleet fixture, and the same run as two shards merged.
    const tree = join(await tempDir('fleet-chromium'), 'fleet');
    await cp(join(fixturesDir, 'fleet'), tree, { recursive: true });
    const models = loadModelCatalogue();
    const phones = generateFleet(
      { count: 60, mix: parseModelMix('T46U:70%,T23G:30%', models), seed: 'c' },
      models,
    );
    const options = {
      scenario: 'life' as const,
      inventory: phones.length,
      seed: 'c',
      source: { kind: 'tree' as const, dir: tree },
      time: 'virtual' as const,
      concurrency: 16,
      rampMs: 60_000,
      bootMs: 5_000,
      forMs: 7 * 86_400_000,
    };
    real = await runFleet({ ...options, phones });
    merged = mergeReports(
      await Promise.all(
        [0, 1].map((index) =>
          runFleet({
            ...options,
            phones: takeShard(phones, { index, count: 2 }),
            shard: { index, count: 2 },
          }),
        ),
      ),
    );
    // A real-time NOTIFY storm over SIP: the report's NOTIFY section with its latency chart.
    storm = await runFleet({
      ...options,
      phones: phones.slice(0, 20),
      inventory: 20,
      scenario: 'notify-storm',
      time: 'real',
      rampMs: 200,
      bootMs: 0,
      forMs: undefined,
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  for (const [name, report] of [
    ['a hand-made storm of 10,000 phones', () => fleetReport()],
    ['the same with the emulator as the bottleneck', () => fleetReport({ bottleneck: true })],
    [
      'a real-time storm, as the health monitor judged it',
      () => ({
        ...fleetReport(),
        emulator: judgeHealth({
          wallMs: 60_000,
          eventLoopDelayP99Ms: 3,
          eventLoopDelayMaxMs: 9,
          cpuMs: 18_000,
          heapUsedBytes: 2e8,
        }),
      }),
    ],
    ['a real week of the fleet fixture', () => real],
    ['two shards of it merged', () => merged],
    ['a real NOTIFY storm over SIP', () => storm],
    ['a NOTIFY storm interrupted by Ctrl-C', () => interruptedNotifyStorm()],
  ] as const) {
    it(`${name}: no console error, nothing fetched, no text said twice`, async () => {
      const page = await render(renderFleetHtml(report()));
      expect(page.errors).toEqual([]);
      expect(doubled(page.text)).toBeUndefined();
      expect(page.text).toMatch(/autop fleet: /);
    });

    it(`${name}: every chart drawn, with its data`, async () => {
      const r = report();
      const page = await render(renderFleetHtml(r));
      const chart = (label: string) => {
        const found = page.charts.find((c) => c.label === label);
        expect(found, label).toBeDefined();
        expect(found!.width).toBeGreaterThan(100);
        expect(found!.height).toBeGreaterThan(50);
        return found!;
      };
      const busyMinutes = r.load.perMinute.filter((n) => n > 0).length;
      expect(chart('requests per minute over the run').bars).toBeGreaterThanOrEqual(Math.min(busyMinutes, 1));
      if (Object.keys(r.load.perSecondFirstHour).length > 1)
        expect(chart('requests per second in the first hour').areaPoints).toBeGreaterThan(1);
      for (const kind of Object.keys(r.requests.latency))
        expect(chart(`latency distribution of ${kind} requests`).bars).toBeGreaterThan(0);
      expect(chart('outcomes by model').bars).toBeGreaterThanOrEqual(Object.keys(r.phones.byModel).length);
      if (r.notify && r.run.time === 'real')
        expect(chart('latency distribution of NOTIFYs').bars).toBeGreaterThan(0);
    });
  }

  it('finds doubled text where there is some (the check can fail)', () => {
    expect(doubled('The emulator kept up. the emulator kept up: p99 3 ms')).toBe(
      'The emulator kept up. the emulator kept up',
    );
    expect(doubled('The emulator kept up: p99 3 ms')).toBeUndefined();
  });
});
