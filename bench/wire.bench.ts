// Issue #3: rounds per second over the wire, HTTP and TFTP, against the embedded server on loopback.
import { join } from 'node:path';
import { fixturesDir } from '../src/core/packageRoot.js';
import { macOrThrow } from '../src/core/mac.js';
import { Engine } from '../src/engine/round.js';
import { WireFetcher } from '../src/fetch/createFetcher.js';
import { loadModelCatalogue } from '../src/models/catalogue.js';
import { loadParameterCatalogue } from '../src/models/parameters.js';
import { factoryState } from '../src/phone/state.js';
import { startHttpServer } from '../src/server/provisioningServer.js';
import { startTftpServer } from '../src/server/tftpServer.js';
import { heading, print, timed } from './measure.js';

export async function benchWire(): Promise<void> {
  heading('rounds over the wire against the embedded server on loopback (issue #3)');
  const root = join(fixturesDir, 'site');
  const models = loadModelCatalogue();
  const engine = new Engine({ models, params: loadParameterCatalogue() });
  const t46u = models.find('T46U')!;
  const http = await startHttpServer({ root, port: 0 });
  const tftp = await startTftpServer({ root, port: 0 });
  const fetcher = new WireFetcher();
  try {
    for (const [label, url, rounds, concurrency] of [
      ['HTTP, one phone at a time', http.url, 500, 1],
      ['HTTP, 16 phones at once', http.url, 2000, 16],
      ['TFTP, one phone at a time', tftp.url, 300, 1],
      ['TFTP, 16 phones at once', tftp.url, 1000, 16],
    ] as const) {
      let next = 0;
      let failed = 0;
      const worker = async () => {
        while (next < rounds) {
          next++;
          const { report } = await engine.runRound({
            model: t46u,
            state: factoryState(macOrThrow('00156574b150'), t46u.id, t46u.firmware.current),
            server: { url, source: 'bench' },
            fetcher,
            now: new Date(),
          });
          if (report.status !== 'updated') failed++;
        }
      };
      const { ms } = await timed(() => Promise.all(Array.from({ length: concurrency }, worker)));
      print({
        name: `${label} (4 files a round)`,
        value: (rounds / ms) * 1000,
        unit: 'rounds/s',
        note: failed > 0 ? `${failed} rounds failed` : `${rounds} rounds`,
      });
    }
  } finally {
    await fetcher.close();
    await http.close();
    await tftp.close();
  }
}
