// `npm run bench`: prints figures, one line each. Nothing here asserts a time.
import { benchCheck } from './check.bench.js';
import { benchEngine } from './engine.bench.js';
import { benchWire } from './wire.bench.js';
import { benchLife } from './life.bench.js';
import { benchFleet } from './fleet.bench.js';
import { benchNotify } from './notify.bench.js';

const sections: Record<string, () => Promise<void>> = {
  engine: benchEngine,
  check: benchCheck,
  wire: benchWire,
  life: () => benchLife(),
  fleet: benchFleet,
  notify: benchNotify,
};

const wanted = process.argv.slice(2);
for (const [name, run] of Object.entries(sections)) {
  if (wanted.length === 0 || wanted.includes(name)) await run();
}
