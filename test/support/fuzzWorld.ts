// Generated worlds for the CLI fuzz suite (issue #13, the systematic part): a folder per case with a
// provisioning tree of random boot and CFG contents, an inventory, a state file, AES keys and
// security files, each plausible or hostile; and a grammar of option values (odd URLs, paths with
// `%`, `..`, NUL, very long values, missing files, folders where files are expected). Every
// password-like value is one generated secret, so that a test can say it never reached the output.
import { mkdir, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { macOrThrow } from '../../src/core/mac.js';
import { encryptConfig } from '../../src/crypto/configCipher.js';
import { makeSecurityFile } from '../../src/crypto/securityFile.js';
import type { AesKey128 } from '../../src/crypto/aesKey.js';
import { factoryState } from '../../src/phone/state.js';

/** The phone every world is about (its MAC files are in the tree). */
export const FUZZ_MAC = '001565000001';
export const FUZZ_MAC_COLONS = '00:15:65:00:00:01';

/** Where each world's files are, all absolute. */
export interface WorldPaths {
  readonly dir: string;
  readonly tree: string;
  readonly tree2: string;
  readonly inventory: string;
  readonly state: string;
  readonly keyFile: string;
  readonly passwordFile: string;
  readonly ca: string;
  readonly encrypted: string;
  readonly security: string;
  readonly plainCfg: string;
  readonly missing: string;
  readonly out: string;
}

/** The world's tree on our HTTP and TFTP servers (URLs ending in `/`), and a SIP phone's port. */
export interface Servers {
  readonly http: string;
  readonly tftp: string;
  readonly sip: number;
}

/** A URL with user info, the password the secret. */
export function withUser(url: string, secret: string): string {
  return url.replace('://', `://prov:${secret}@`);
}

/** A secret: letters no output has by chance (no hex, no word), so that any leak of it is seen. */
export const secretArb = fc.stringMatching(/^[A-Za-z0-9]{10}$/).map((s) => `Zq${s}Qz`);

const key16Arb = fc.stringMatching(/^[A-Za-z0-9]{16}$/);
const key32Arb = fc.stringMatching(/^[A-Za-z0-9]{32}$/);

/** A line of a boot file: the guide's, then mistakes and attacks. */
function bootLine(s: string, servers: Servers) {
  return fc.oneof(
    {
      weight: 10,
      arbitrary: fc.constantFrom(
        'include:config <site.cfg>',
        'include:config "y000000000000.cfg"',
        `include:config <${FUZZ_MAC}.cfg>`,
        '[T46U]include:config <y000000000108.cfg>',
        '[$MODEL]include:config <x.cfg>',
        '[T46U,XX]include:config <sub/x.cfg>',
        'include:config "%2e%2e/up.cfg"',
        'include:config <../up.cfg>',
        'include:config <sub/>',
        'include:config <fifo.cfg>',
        'include:config <binary.cfg>',
        `include:config <${'l'.repeat(300)}.cfg>`,
        'include:config <',
        'overwrite_mode = 1',
        'overwrite_mode = 7',
        'specific_model.excluded_mode = 1',
        'account.1.label = in a boot file',
        '# a comment',
        '',
      ),
    },
    // Names that are no valid percent-encoding: a failed transfer, tried again as the phone would.
    { weight: 1, arbitrary: fc.constantFrom('include:config <100%.cfg>', 'include:config <a%zz.cfg>') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        `include:config <${withUser(servers.http, s)}remote.cfg>`,
        `include:config <${withUser(servers.tftp, s)}remote.cfg>`,
      ),
    },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  );
}

/** A line of a CFG file: settings that matter to a round, secrets, mistakes and attacks. */
function cfgLine(s: string, paths: { tree: string }, servers: Servers) {
  return fc.oneof(
    fc.constantFrom(
      '#!version:1.0.0.1',
      '#!version:1.0.0.1',
      'account.1.label = fuzz',
      '[T46U]account.1.label = for the T46U',
      'account.99.label = beyond the accounts',
      'account.1.label = %NULL%',
      'account.1.label =',
      'static.network.vlan.internet_port_vid = 5',
      'static.auto_provision.custom.protect = 1',
      'static.auto_provision.custom.sync = 1',
      `static.auto_provision.custom.sync.path = file://${paths.tree}/`,
      `static.auto_provision.custom.sync.path = ${servers.http}`,
      'static.auto_provision.attempt_before_failed = 1',
      'static.auto_provision.repeat.enable = 1',
      'static.auto_provision.repeat.minutes = 720',
      'static.auto_provision.weekly.enable = 1',
      'static.auto_provision.url_wildcard.pn = $MAC',
      'static.firmware.url = T46U-108.86.0.100.rom',
      `static.firmware.url = ${servers.http}T46U-108.86.0.200.rom`,
      'static.firmware.url = %2e%2e/x.rom',
      'static.trusted_certificates.url = ca.pem',
      'static.auto_provision.aes_key_in_file = 1',
      'static.auto_provision.update_file_mode = 1',
      'overwrite_mode = 1',
      'static.autoprovision.1.code = 123',
      `static.autoprovision.1.url = file://${paths.tree}/`,
      `static.autoprovision.2.code = 45`,
      `static.autoprovision.2.url = ${servers.http}`,
      `static.custom_mac_cfg.url = file://${paths.tree}/$pin.cfg`,
      'static.auto_provision.server.url = file:///tmp/%2f/',
      'static.auto_provision.server.url = file://otherhost/x/',
      'unknown.parameter = 1',
      'no equals sign here',
      '',
    ),
    fc.constantFrom(
      `account.1.password = ${s}`,
      `static.auto_provision.server.password = ${s}`,
      `static.auto_provision.server.username = prov`,
      `static.auto_provision.server.url = ${withUser(servers.http, s)}`,
      `static.auto_provision.server.url = ${withUser(servers.tftp, s)}`,
      `remote_phonebook.data.1.url = https://u:${s}@127.0.0.1:1/book.xml`,
      `account.2.password:${s}`,
      `static.autoprovision.1.password = ${s}`,
      `static.security.user_password = admin:${s}`,
    ),
    fc.string({ maxLength: 40 }),
  );
}

/** A folder where the tree would have a file. */
export interface Folder {
  readonly folder: true;
}

export interface WorldSpec {
  readonly secret: string;
  readonly key16: string;
  readonly key32: string;
  readonly files: readonly { readonly name: string; readonly content: string | Uint8Array | Folder }[];
  readonly inventory: string | Uint8Array;
  readonly state: string | Uint8Array | undefined;
  readonly keyFile: string | undefined;
}

/** Transfer settings that make a failed transfer fail at once. */
const QUICK = {
  'static.auto_provision.attempt_before_failed': '1',
  'static.auto_provision.retry_delay_after_file_transfer_failed': '0',
};

const TREE_NAMES = [
  'y000000000000.boot',
  `${FUZZ_MAC}.boot`,
  'y000000000000.cfg',
  `${FUZZ_MAC}.cfg`,
  'site.cfg',
  'y000000000108.cfg',
  'sub/x.cfg',
  '100%.cfg',
  'a%zz.cfg',
  'binary.cfg',
  `${FUZZ_MAC}-local.cfg`,
  '123.cfg',
] as const;

function fileArb(s: string, paths: WorldPaths, servers: Servers) {
  return fc.constantFrom(...TREE_NAMES).chain((name) => {
    const lines = name.endsWith('.boot') ? bootLine(s, servers) : cfgLine(s, paths, servers);
    // Mostly with the version header first, as the guide wants (B2, C1), else the file is refused.
    const header = fc.oneof(
      { weight: 6, arbitrary: fc.constant(['#!version:1.0.0.1']) },
      { weight: 1, arbitrary: fc.constant([]) },
    );
    const text = fc
      .tuple(header, fc.array(lines, { maxLength: 12 }), fc.constantFrom('\n', '\r\n'))
      .map(([first, ls, end]) => [...first, ...ls].join(end));
    return fc.record({
      name: fc.constant(name),
      content: fc.oneof(
        { weight: 8, arbitrary: text },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
        { weight: 1, arbitrary: fc.constant<Folder>({ folder: true }) },
      ),
    });
  });
}

function inventoryArb() {
  const mac = fc.constantFrom(FUZZ_MAC_COLONS, FUZZ_MAC, '00:15:65:00:00:02', 'zz:zz', '', '0'.repeat(200));
  const model = fc.constantFrom('T46U', 'T23G', 'SIP-T46U', 'XX', '', 'T46U;drop');
  const firmware = fc.constantFrom('', '108.86.0.90', 'garbage', '999.999.999.999');
  const state = fc.constantFrom('', 'state.json', 'missing.json', 'tree', '/dev/null');
  const name = fc.constantFrom('', 'desk "1"', 'a,b', '=cmd()', 'x'.repeat(500));
  const row = fc.tuple(mac, model, firmware, state, name).map((r) => r.join(','));
  return fc.oneof(
    fc.array(row, { maxLength: 5 }).map((rows) => ['mac,model,firmware,state,name', ...rows].join('\n')),
    fc.array(row, { maxLength: 3 }).map((rows) => rows.join('\n')),
    fc.constantFrom(
      '[]',
      `[{"mac":"${FUZZ_MAC_COLONS}","model":"T46U"}]`,
      '{"phones": 5}',
      '[{"mac": 5}]',
      '',
      'mac,model\n',
    ),
    fc.uint8Array({ maxLength: 64 }),
  );
}

function stateArb(s: string, paths: WorldPaths, servers: Servers) {
  const base = factoryState(macOrThrow(FUZZ_MAC), 'T46U', '108.86.0.90');
  // The settings a saved phone may hold, each with values that make sense for it, and a secret.
  const config = fc
    .subarray([
      ['static.autoprovision.1.code', '123'],
      ['static.autoprovision.1.url', `file://${paths.tree}/`],
      ['static.autoprovision.1.user', 'prov'],
      ['static.autoprovision.1.password', s],
      ['static.custom_mac_cfg.url', `file://${paths.tree}/$pin.cfg`],
      ['static.custom_mac_cfg.url', `file://${paths.tree}/`],
      ['static.auto_provision.custom.sync', '1'],
      ['static.auto_provision.custom.protect', '1'],
      ['static.auto_provision.server.url', `file://${paths.tree}/$PN/`],
      ['static.auto_provision.server.url', withUser(servers.http, s)],
      ['static.auto_provision.server.url', ''],
      ['static.auto_provision.server.password', s],
      ['account.1.password', s],
      ['account.1.user_name', '1001'],
    ] as const)
    .map((pairs) => Object.fromEntries(pairs) as Record<string, string>);
  // A phone as it would be after a round: keypad codes, a PIN URL, K2 settings and its server.
  const provisioned = fc.record({
    'static.autoprovision.1.code': fc.constant('123'),
    'static.autoprovision.1.url': fc.constantFrom(
      `file://${paths.tree}/`,
      servers.http,
      withUser(servers.http, s),
    ),
    'static.autoprovision.2.code': fc.constant('45'),
    'static.autoprovision.2.url': fc.constantFrom(`file://${paths.tree}/$PN/`, servers.tftp),
    'static.custom_mac_cfg.url': fc.constantFrom(`file://${paths.tree}/$pin.cfg`, `${servers.http}$pin.cfg`),
    'static.auto_provision.custom.protect': fc.constantFrom('0', '1'),
    'static.auto_provision.custom.sync': fc.constantFrom('0', '1'),
    'static.auto_provision.server.url': fc.constantFrom(`file://${paths.tree}/`, withUser(servers.http, s)),
    'account.1.password': fc.constant(s),
  });
  const mutation = fc.oneof(
    { weight: 4, arbitrary: fc.constant({}) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        { mac: '00:15:65:00:00:01'.toUpperCase() },
        { model: 'XX' },
        { firmware: 'garbage' },
        { format: 'other' },
        { rounds: '1' },
        { config: { a: 5 } },
        { origins: { a: 5 } },
        { origins: [] },
        { server: 5 },
        { server: `file://${paths.tree}/` },
        { server: 'file://otherhost/x/' },
        { network: { ipv4: 'x' } },
        { network: null },
        { certificates: 'x' },
        { certificates: { 'x.pem': 5 } },
        { md5: { x: 'y' } },
        { local: { 'account.1.label': 'ui' } },
        { lastRound: 5 },
        { rounds: -1 },
        { network: { at: 'x', ipv4: { address: '10.0.0.2', server: '10.0.0.1', dns: 'x' } } },
        { origins: { 'account.1.label': { kind: 'file' } } },
        { config: { ['__proto__']: 'x' } },
      ),
    },
  );
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .tuple(fc.oneof(provisioned, config), mutation)
        // One attempt, no pause: a failed transfer costs no retries (the fuzz runs hundreds of rounds).
        .map(([c, m]) => JSON.stringify({ ...base, config: { ...QUICK, ...c }, ...m })),
    },
    { weight: 1, arbitrary: fc.constantFrom('', '{', 'null', '[]', '{"format":"autop-phone-state/1"}') },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/** A world's contents, drawn; `writeWorld` puts it on disk. */
export function worldArb(paths: WorldPaths, servers: Servers): fc.Arbitrary<WorldSpec> {
  return secretArb.chain((secret) =>
    fc.record({
      secret: fc.constant(secret),
      key16: key16Arb,
      key32: key32Arb,
      files: fc.uniqueArray(fileArb(secret, paths, servers), { maxLength: 8, selector: (f) => f.name }),
      inventory: inventoryArb(),
      state: stateArb(secret, paths, servers),
      keyFile: fc.option(fc.constantFrom('key16', 'key32', 'garbage', ''), { nil: undefined }),
    }),
  );
}

export function worldPaths(dir: string): WorldPaths {
  return {
    dir,
    tree: join(dir, 'tree'),
    tree2: join(dir, 'tree2'),
    inventory: join(dir, 'inventory.csv'),
    state: join(dir, 'state.json'),
    keyFile: join(dir, 'key.txt'),
    passwordFile: join(dir, 'password.txt'),
    ca: join(dir, 'ca.pem'),
    encrypted: join(dir, 'enc', 'y000000000000.cfg'),
    security: join(dir, 'enc', 'y000000000000_Security.enc'),
    plainCfg: join(dir, 'plain.cfg'),
    missing: join(dir, 'missing', 'nothing.json'),
    out: join(dir, 'out'),
  };
}

export async function writeWorld(paths: WorldPaths, world: WorldSpec): Promise<void> {
  await mkdir(paths.tree, { recursive: true });
  await mkdir(paths.tree2, { recursive: true });
  await mkdir(join(paths.dir, 'enc'), { recursive: true });
  await writeFile(join(paths.tree2, 'y000000000000.boot'), '#!version:1.0.0.1\ninclude:config <site.cfg>\n');
  await writeFile(join(paths.tree2, 'site.cfg'), `#!version:1.0.0.1\naccount.1.password = ${world.secret}\n`);
  for (const file of world.files) {
    const path = join(paths.tree, file.name);
    await mkdir(join(path, '..'), { recursive: true });
    if (typeof file.content === 'object' && 'folder' in file.content) await mkdir(path, { recursive: true });
    else await writeFile(path, file.content);
  }
  // A FIFO in the tree: never opened for reading (issue #13 §7).
  execFileSync('mkfifo', [join(paths.tree, 'fifo.cfg')]);
  await writeFile(paths.inventory, world.inventory);
  if (world.state !== undefined) await writeFile(paths.state, world.state);
  if (world.keyFile !== undefined) {
    const key = { key16: world.key16, key32: world.key32, garbage: 'not a key!', '': '' }[world.keyFile];
    await writeFile(paths.keyFile, `${key}\n`);
  }
  await writeFile(paths.passwordFile, `${world.secret}\nsecond line\n`);
  await writeFile(paths.ca, '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n');
  const plain = `#!version:1.0.0.1\naccount.1.label = plain\naccount.1.password = ${world.secret}\n`;
  await writeFile(paths.plainCfg, plain);
  await writeFile(paths.encrypted, encryptConfig(new TextEncoder().encode(plain), world.key16 as AesKey128));
  await writeFile(paths.security, makeSecurityFile(world.key16 as AesKey128));
}

/** Hostile paths: missing, a folder for a file, a file for a folder, `%`, `..`, NUL, very long. */
export function hostilePaths(p: WorldPaths): string[] {
  return [
    p.missing,
    p.dir,
    join(p.tree, 'site.cfg'),
    join(p.dir, '100%', 'x'),
    `${p.tree}/../tree`,
    `${p.dir}/a\u0000b`,
    `${p.dir}/${'a'.repeat(5000)}`,
    '',
    '-',
    '/dev/null',
  ];
}
