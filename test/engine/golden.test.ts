// Golden reports: full rounds on the bundled fixture trees, compared with reports kept in
// test/golden/. A change of behaviour shows up as a reviewable diff of those files.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { FileFetcher } from '../../src/fetch/fileFetcher.js';
import type { RoundReport } from '../../src/engine/report.js';
import { newPhone, engine, models, params } from '../support/engine.js';
import { maskReport } from '../../src/report/mask.js';
import type { PhoneState } from '../../src/phone/state.js';

async function provision(tree: string, state: PhoneState) {
  const root = join(fixturesDir, tree);
  return engine.runRound({
    model: models.find(state.model)!,
    state,
    server: { url: pathToFileURL(root + '/').href, source: 'golden' },
    fetcher: new FileFetcher(root),
    now: new Date('2026-11-29T10:00:00Z'),
  });
}

/** Machine-independent: file URLs lose the checkout's absolute path. */
function portable(report: RoundReport): unknown {
  return JSON.parse(
    JSON.stringify(maskReport(report, params)).replaceAll(pathToFileURL(fixturesDir).href, 'file://FIXTURES'),
  );
}

describe('golden rounds on the bundled trees', () => {
  const phones: [string, string, string, string?][] = [
    ['site', 'T46U', '00156574b150'],
    ['site', 'T46U', '00156574b152', '108.86.0.45'],
    ['site', 'T23G', '0015659370f2'],
    ['site-common-only', 'T46U', '001565aaaaaa'],
    ['site-common-only', 'T23G', '001565bbbbbb'],
    ['legacy', 'T46U', '00156574b150'],
    ['mac-local', 'T46U', '00156574b150'],
  ];
  for (const [tree, model, mac, firmware] of phones) {
    it(`${tree}: ${model} ${mac}`, async () => {
      const { report } = await provision(tree, newPhone(model, mac, firmware));
      expect(report.status).toBe('updated');
      await expect(JSON.stringify(portable(report), null, 2) + '\n').toMatchFileSnapshot(
        `../golden/${tree}-${model}-${mac}.json`,
      );
    });
  }

  it('site: a second round of every inventory phone finds nothing new (M1)', async () => {
    for (const [model, mac] of [
      ['T46U', '00156574b150'],
      ['T23G', '0015659370f3'],
    ] as const) {
      const first = await provision('site', newPhone(model, mac));
      const second = await provision('site', first.state);
      expect(second.report).toMatchObject({ status: 'unchanged', updated: false });
    }
  });
});
