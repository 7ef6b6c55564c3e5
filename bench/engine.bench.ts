// Issue #2: rounds per second of the pure engine against the realistic fixture tree on disk.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fixturesDir } from '../src/core/packageRoot.js';
import { macOrThrow } from '../src/core/mac.js';
import { Engine } from '../src/engine/round.js';
import { FileFetcher } from '../src/fetch/fileFetcher.js';
import { loadModelCatalogue } from '../src/models/catalogue.js';
import { loadParameterCatalogue } from '../src/models/parameters.js';
import { factoryState } from '../src/phone/state.js';
import { heading, print, timed } from './measure.js';

export async function benchEngine(): Promise<void> {
  heading('provisioning engine (issue #2)');
  const models = loadModelCatalogue();
  const params = loadParameterCatalogue();
  const t46u = models.find('T46U')!;
  const t23g = models.find('T23G')!;
  const site = join(fixturesDir, 'site');
  const server = { url: pathToFileURL(site + '/').href, source: 'bench' };
  const now = new Date('2026-11-29T00:00:00Z');
  const mac = macOrThrow('00156574b150');

  for (const [label, cached] of [
    ['disk read each round', false],
    ['tree cached after first read', true],
  ] as const) {
    const engine = new Engine({ models, params });
    const fetcher = new FileFetcher(site, { cache: cached });
    const rounds = 2000;
    const { ms } = await timed(async () => {
      for (let i = 0; i < rounds; i++) {
        await engine.runRound({
          model: t46u,
          state: factoryState(mac, t46u.id, '108.86.0.90'),
          server,
          fetcher,
          now,
        });
      }
    });
    print({
      name: `one T46U, factory state, full round (${label})`,
      value: (rounds / ms) * 1000,
      unit: 'rounds/s',
    });
  }

  {
    const engine = new Engine({ models, params });
    const fetcher = new FileFetcher(site, { cache: true });
    const first = await engine.runRound({
      model: t46u,
      state: factoryState(mac, t46u.id, '108.86.0.90'),
      server,
      fetcher,
      now,
    });
    const rounds = 5000;
    const { ms } = await timed(async () => {
      for (let i = 0; i < rounds; i++)
        await engine.runRound({ model: t46u, state: first.state, server, fetcher, now });
    });
    print({
      name: 'one T46U, provisioned state, nothing new (M1)',
      value: (rounds / ms) * 1000,
      unit: 'rounds/s',
    });
  }

  {
    const common = join(fixturesDir, 'site-common-only');
    const commonServer = { url: pathToFileURL(common + '/').href, source: 'bench' };
    const engine = new Engine({ models, params });
    const fetcher = new FileFetcher(common, { cache: true });
    const phones = 10_000;
    const { ms } = await timed(async () => {
      for (let i = 0; i < phones; i++) {
        const model = i % 10 < 7 ? t46u : t23g;
        const phoneMac = macOrThrow((0x001565000000 + i).toString(16).padStart(12, '0'));
        await engine.runRound({
          model,
          state: factoryState(phoneMac, model.id, model.firmware.current),
          server: commonServer,
          fetcher,
          now,
        });
      }
    });
    print({
      name: '10,000 different MACs (70% T46U, 30% T23G), site-common-only',
      value: (phones / ms) * 1000,
      unit: 'rounds/s',
      note: `${(ms / 1000).toFixed(2)} s in all`,
    });
  }
}
