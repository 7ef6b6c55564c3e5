import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderFleetHtml } from '../../src/fleet/render/html.js';
import { fleetReport, interruptedNotifyStorm } from './renderFixture.js';

const hostile = '/<script>alert("x")</script>&.cfg';
const hostileFailure = `bad "quote" <img src=x onerror=alert(1)> 'single'`;

function svgs(html: string): string[] {
  return html.match(/<svg\b[\s\S]*?<\/svg>/g) ?? [];
}

function svgLabelled(html: string, label: string): string {
  const svg = svgs(html).find((s) => s.includes(`aria-label="${label}"`));
  expect(svg, `chart "${label}"`).toBeDefined();
  return svg!;
}

describe('fleet report as one HTML file', () => {
  const html = renderFleetHtml(fleetReport());
  const odd = renderFleetHtml(
    fleetReport({ bottleneck: true, oddFile: hostile, oddFailure: hostileFailure }),
  );

  it('is self-contained: no script, nothing loaded from anywhere', () => {
    for (const doc of [html, odd]) {
      expect(doc.startsWith('<!doctype html>')).toBe(true);
      expect(doc).not.toMatch(/<script/i);
      const tags = doc.match(/<[a-z][^>]*>/gi) ?? [];
      expect(tags.filter((tag) => /\s(src|srcset|href|xlink:href|action|on\w+)\s*=/i.test(tag))).toEqual([]);
      expect(doc).not.toMatch(/url\(|@import|<link|<iframe|<object|<embed/i);
      expect(doc).toMatch(/<style>[\s\S]+<\/style>/);
    }
  });

  it('escapes file names, failure texts and MACs from the report', () => {
    expect(odd).toContain('/&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;.cfg');
    expect(odd).toContain('bad &quot;quote&quot; &lt;img src=x onerror=alert(1)&gt; &#39;single&#39;');
    expect(odd).toContain('00:15:65:&lt;b&gt;x&lt;/b&gt;');
    expect(odd).not.toContain('<img');
    expect(odd).not.toContain('<b>x</b>');
  });

  it('has no stray < in text: every one opens a tag, a comment or the doctype', () => {
    for (const doc of [html, odd]) expect(doc.match(/<(?![a-z/!])/gi) ?? []).toEqual([]);
  });

  it('draws its charts as well-formed inline SVG', () => {
    const charts = svgs(odd);
    expect(charts.length).toBeGreaterThanOrEqual(7);
    for (const svg of charts) expect(XMLValidator.validate(svg)).toBe(true);
  });

  it('charts the load per minute, with the busiest minute marked', () => {
    const load = svgLabelled(html, 'requests per minute over the run');
    const bars = load.match(/<rect class="bar[^"]*"/g) ?? [];
    expect(bars).toHaveLength(14);
    expect(bars.filter((b) => b.includes('peak'))).toHaveLength(1);
    expect(load).toMatch(
      /<rect class="bar peak"[^>]*><title>minute 1 \(09:00 UTC\): 7,540 requests<\/title>/,
    );
    expect(load).toContain('peak: 7,540/min (126/s) in minute 1 (0:00)');
  });

  it('groups the minutes of a long run into at most 240 bars, keeping the peak', () => {
    const report = fleetReport();
    const week = new Array<number>(7 * 1440).fill(30);
    week[3_000] = 9_000;
    const long = renderFleetHtml({ ...report, load: { ...report.load, perMinute: week } });
    const load = svgLabelled(long, 'requests per minute over the run');
    expect((load.match(/<rect class="bar/g) ?? []).length).toBeLessThanOrEqual(240);
    expect(load).toContain('peak: 9,000/min (150/s) in minute 3,001 (2d 02h)');
    expect(load).toContain('requests in the busiest minute of each 42 minutes');
  });

  it('charts the first hour second by second with the boot-storm peak', () => {
    const storm = svgLabelled(html, 'requests per second in the first hour');
    expect(storm).toContain('boot-storm peak: 1,204 requests/s at 0:00:03');
  });

  it('draws a latency distribution per request kind, buckets as shares of the requests', () => {
    for (const kind of ['boot', 'config', 'mac-local', 'firmware']) {
      const chart = svgLabelled(html, `latency distribution of ${kind} requests`);
      expect((chart.match(/<rect class="bar"/g) ?? []).length).toBe(15);
    }
    const boot = svgLabelled(html, 'latency distribution of boot requests');
    expect(boot).toContain('<title>up to 20 ms: 5,200 requests (52%)</title>');
    expect(html).not.toContain('latency distribution of other requests');
  });

  it('draws outcomes by model as stacked provisioned and failed bars', () => {
    const chart = svgLabelled(html, 'outcomes by model');
    expect(chart).toContain('<title>T23G: 3,970 provisioned</title>');
    expect(chart).toContain('<title>T23G: 30 failed</title>');
    expect(chart).toContain('<title>T46U: 20 failed</title>');
    // 30 failed of 4,000 is thin, but drawn.
    const failed = /<rect class="failed"[^>]*width="([\d.]+)"[^>]*><title>T23G/.exec(chart);
    expect(Number(failed?.[1])).toBeGreaterThanOrEqual(3);
  });

  it('tables the failures by reason and the failed phones', () => {
    expect(html).toMatch(
      /<code>timeout: no answer from http:\/\/&lt;host&gt;\/y000000000044\.cfg after 3 attempts<\/code><\/td><td class="num">30<\/td>/,
    );
    expect(html).toContain('<code>00:15:65:00:00:01</code>');
    expect(html).not.toContain('<code>00:15:65:00:00:02</code>');
  });

  it('tables the requests per file with a column per status', () => {
    expect(html).toContain(
      '<tr><th>file</th><th class="num">requests</th><th class="num">ok</th><th class="num">not-found</th><th class="num">failed:http-status</th><th class="num">failed:timeout</th></tr>',
    );
    expect(html).toContain(
      '<tr><td><code>/site.cfg</code></td><td class="num">10,000</td><td class="num">9,980</td><td class="num"></td><td class="num"><span class="bad">20</span></td><td class="num"></td></tr>',
    );
  });

  it("lists the phones' own files of one pattern as one row, saying how many", () => {
    expect(html).toContain(
      '<tr><td><code>/phones/&lt;mac&gt;.cfg</code> <span class="note">4 files, one per phone</span></td><td class="num">4</td>',
    );
    expect(html).toContain('<tr><td><code>/00156574b150.boot</code></td>');
  });

  it('states the emulator verdict, as a warning when the emulator was the bottleneck', () => {
    expect(html).toContain(
      '<div class="verdict fine"><p><b>The server was the limit</b>: the emulator kept up (event-loop delay p99 12 ms, 71% of a core)</p>',
    );
    expect(odd).toContain(
      '<div class="verdict warn"><p><b>The emulator was the bottleneck</b>: its event loop',
    );
    // Said once, not as a heading and again in the verdict.
    expect(html.match(/emulator kept up/gi)).toHaveLength(1);
    expect(odd.match(/emulator was the bottleneck/gi)).toHaveLength(1);
  });
});

describe('fleet report as HTML: a NOTIFY storm that was interrupted (issue #15)', () => {
  const html = renderFleetHtml(interruptedNotifyStorm());

  it('says first that the run was interrupted, and counts the phones not finished apart', () => {
    const banner = /<div class="verdict warn">([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '';
    expect(banner).toContain('<b>Run interrupted</b>: interrupted by SIGINT 42s into the run');
    expect(banner).toContain('Phones not finished: 30 interrupted, 5 not started.');
    expect(html).toContain('<div class="value">30</div><div class="label">interrupted</div>');
    expect(html).toContain('<div class="value">5</div><div class="label">not started</div>');
  });

  it('lists only finished phones among the failed', () => {
    expect(html).not.toContain('<code>00:15:65:00:00:04</code>');
    expect(html).toContain('<code>00:15:65:00:00:01</code>');
  });

  it('has a NOTIFY section: answers by status, timeouts, retransmissions, the rounds started, a latency chart', () => {
    const section = html.slice(html.indexOf('<h2>NOTIFYs</h2>'), html.indexOf('<h2>Outcomes by model</h2>'));
    expect(section).toContain('10,000 check-sync NOTIFYs sent over SIP, one per phone.');
    expect(section).toMatch(/answered 200<\/td><td class="num">9,990<\/td>/);
    expect(section).toMatch(/<span class="bad">answered 404<\/span><\/td><td class="num">8<\/td>/);
    expect(section).toMatch(/<span class="bad">timed out<\/span><\/td><td class="num">2<\/td>/);
    expect(section).toMatch(/retransmissions<\/td><td class="num">31<\/td>/);
    expect(section).toContain('Rounds they started: 9,990; reboots after those rounds: 9,990.');
    const chart = svgLabelled(section, 'latency distribution of NOTIFYs');
    expect(XMLValidator.validate(chart)).toBe(true);
    expect(chart.match(/<rect class="bar/g)?.length).toBe(15);
  });

  it('has neither in a run that ran to its end and sent no NOTIFY', () => {
    const plain = renderFleetHtml(fleetReport());
    expect(plain).not.toContain('Run interrupted');
    expect(plain).not.toContain('<h2>NOTIFYs</h2>');
  });
});
