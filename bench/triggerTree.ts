// The tree of the virtual-week benches: fixtures/site-common-only plus a triggers.cfg with repeat
// every 60 minutes, weekly and flexible rounds, so that a week has rounds to run.
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixturesDir } from '../src/core/packageRoot.js';

export async function writeTriggerTree(tree: string): Promise<void> {
  await cp(join(fixturesDir, 'site-common-only'), tree, { recursive: true });
  await writeFile(
    join(tree, 'y000000000000.boot'),
    '#!version:1.0.0.1\ninclude:config "site.cfg"\n[T46U]include:config "y000000000108.cfg"\n[T23G]include:config "y000000000044.cfg"\ninclude:config "triggers.cfg"\n',
  );
  await writeFile(
    join(tree, 'triggers.cfg'),
    [
      '#!version:1.0.0.1',
      'static.auto_provision.repeat.enable = 1',
      'static.auto_provision.repeat.minutes = 60',
      'static.auto_provision.weekly.enable = 1',
      'static.auto_provision.weekly.dayofweek = 12345',
      'static.auto_provision.weekly.begin_time = 01:00',
      'static.auto_provision.weekly.end_time = 05:00',
      'static.auto_provision.flexible.enable = 1',
      'static.auto_provision.flexible.interval = 3',
      'static.network.vlan.internet_port_enable = 0',
      '',
    ].join('\n'),
  );
}
