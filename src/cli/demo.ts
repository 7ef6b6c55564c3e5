// `autop demo` (`npm start`): the bundled site served on loopback over HTTP and TFTP by the
// embedded server, and a T46U and a T23G provisioning from it over each, reports printed.
import { join } from 'node:path';
import type { Command } from 'commander';
import { fixturesDir } from '../core/packageRoot.js';
import { macOrThrow } from '../core/mac.js';
import { openWire } from '../fetch/openWire.js';
import { factoryState } from '../phone/state.js';
import { maskReport } from '../report/mask.js';
import { renderText } from '../report/text.js';
import { startHttpServer } from '../server/provisioningServer.js';
import { startTftpServer } from '../server/tftpServer.js';
import { action } from './action.js';
import { formatLogLine } from './serve.js';
import { EXIT } from './usage.js';
import { treeFolder } from '../api/inputs.js';
import { addSizeOption, roundEngine, type SizeCliOptions } from './wire.js';

const PHONES = [
  { model: 'T46U', mac: '00:15:65:74:b1:50' },
  { model: 'T23G', mac: '00:15:65:93:70:f2' },
] as const;

export interface DemoOptions extends SizeCliOptions {
  tree?: string;
}

export function registerDemo(program: Command): void {
  const command = program
    .command('demo')
    .description('serve the bundled site on loopback and provision a T46U and a T23G over HTTP and TFTP')
    .option('--tree <dir>', 'serve this tree instead of fixtures/site');
  addSizeOption(command).action(action(demoCommand));
}

export async function demoCommand(options: DemoOptions): Promise<number> {
  const root = options.tree !== undefined ? treeFolder(options.tree, '--tree') : join(fixturesDir, 'site');
  const engine = roundEngine(options);
  const log: string[] = [];
  const http = await startHttpServer({ root, port: 0, log: (e) => log.push(formatLogLine('http', e)) });
  const tftp = await startTftpServer({
    root,
    port: 0,
    log: (e) => log.push(formatLogLine('tftp', e)),
  });
  const out = (text: string) => process.stdout.write(text);
  out(`autop demo: serving ${root}\n  ${http.url}\n  ${tftp.url}\n`);

  const { models, params } = engine.catalogues;
  const fetcher = openWire();
  let ran = 0;
  try {
    for (const server of [http.url, tftp.url]) {
      for (const phone of PHONES) {
        const model = models.find(phone.model)!;
        const { report } = await engine.runRound({
          model,
          state: factoryState(macOrThrow(phone.mac), model.id, model.firmware.current),
          server: { url: server, source: 'autop demo' },
          fetcher,
          now: new Date(),
        });
        if (report.status === 'updated') ran++;
        out(
          `\n${'='.repeat(78)}\n${phone.model} ${phone.mac} over ${new URL(server).protocol.replace(':', '').toUpperCase()}\n${'='.repeat(78)}\n`,
        );
        out(renderText(maskReport(report, params), { changes: 12 }));
      }
    }
  } finally {
    await fetcher.close();
    await http.close();
    await tftp.close();
  }
  out(`\nServer log (${log.length} requests)\n${log.map((l) => `  ${l}`).join('\n')}\n`);
  out(
    `\n${ran} of ${PHONES.length * 2} rounds provisioned. Next: autop provision --tree fixtures/site --mac ... --model ... --json\n`,
  );
  return ran === PHONES.length * 2 ? EXIT.ok : EXIT.couldNotRun;
}
