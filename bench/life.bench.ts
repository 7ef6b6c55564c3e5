// Issue #5: a virtual week of 1,000 phones, each with repeat every 60 minutes plus weekly and
// flexible triggers, against a tree on disk: wall time and rounds per second.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { macOrThrow } from '../src/core/mac.js';
import { Engine } from '../src/engine/round.js';
import { FileFetcher } from '../src/fetch/fileFetcher.js';
import { loadModelCatalogue } from '../src/models/catalogue.js';
import { loadParameterCatalogue } from '../src/models/parameters.js';
import { PhoneLife } from '../src/phone/life.js';
import { factoryState } from '../src/phone/state.js';
import { writeTriggerTree } from './triggerTree.js';
import { heading, print, timed } from './measure.js';

const WEEK = 7 * 24 * 3_600_000;

export async function benchLife(phones = 1000): Promise<void> {
  heading('a virtual week (issue #5)');
  const tree = await mkdtemp(join(tmpdir(), 'autop-bench-life-'));
  await writeTriggerTree(tree);
  const models = loadModelCatalogue();
  const engine = new Engine({ models, params: loadParameterCatalogue() });
  const fetcher = new FileFetcher(tree, { cache: true });
  const server = { url: pathToFileURL(tree + '/').href, source: 'bench' };
  const start = Date.UTC(2026, 0, 5);
  const lives: PhoneLife[] = [];
  for (let i = 0; i < phones; i++) {
    const model = models.find(i % 10 < 7 ? 'T46U' : 'T23G')!;
    const mac = macOrThrow((0x001565100000 + i).toString(16).padStart(12, '0'));
    lives.push(
      new PhoneLife({
        engine,
        model,
        state: factoryState(mac, model.id, model.firmware.current),
        server,
        fetcher,
        time: 'virtual',
        start,
        seed: 'bench',
      }),
    );
  }
  const { ms } = await timed(async () => {
    await Promise.all(lives.map((life) => life.live(start + WEEK)));
  });
  const rounds = lives.reduce(
    (n, life) => n + life.timeline.filter((e) => e.state === 'provisioning').length,
    0,
  );
  print({
    name: `${phones} phones, one virtual week: wall time`,
    value: ms / 1000,
    unit: 's',
    note: `${rounds} rounds`,
  });
  print({
    name: `${phones} phones, one virtual week: rounds per second`,
    value: (rounds / ms) * 1000,
    unit: 'rounds/s',
  });
}
