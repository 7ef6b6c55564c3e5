// A consumer's view of the package's types (issue #17): compiled by test/api/publicEntry.test.ts
// with `tsc --noEmit -p test/consumer` against the built declarations, as `autop-emulator` (the
// package's exports), strict, without skipLibCheck and without Node's types: the declarations
// must stand alone. Each line pins a type a user's test relies on; @ts-expect-error lines pin what
// must stay an error. Nothing here runs.
import {
  AutopError,
  check,
  decrypt,
  diff,
  encrypt,
  explain,
  provision,
  simulate,
  type AutopErrorCode,
  type CheckDocument,
  type DiffDocument,
  type Encrypted,
  type ExplainDocument,
  type FleetReport,
  type InventoryRow,
  type PhoneStateFile,
  type ProvisionReport,
  type ProvisionResult,
  type RoundStatus,
  type Severity,
  type Verdict,
} from 'autop-emulator';

/** true when A and B are the same type (not merely assignable either way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}
/** Values named only for their types. */
function use(...values: unknown[]): number {
  return values.length;
}

export async function provisionTypes(): Promise<void> {
  const r = await provision({
    tree: 'provisioning',
    mac: '00:15:65:74:b1:50',
    model: 'T46U',
    firmware: '108.86.0.90',
  });
  assertType<Equal<typeof r, ProvisionResult>>();
  // A parameter at its factory default is absent: every lookup may be undefined, whatever the
  // consumer's noUncheckedIndexedAccess.
  assertType<Equal<(typeof r.config)[string], string | undefined>>();
  const userName = r.config['account.1.user_name'];
  assertType<Equal<typeof userName, string | undefined>>();
  assertType<Equal<typeof r.reboot, boolean>>();
  assertType<Equal<typeof r.status, RoundStatus>>();
  assertType<Equal<RoundStatus, 'updated' | 'unchanged' | 'no-server' | 'nothing-found' | 'failed'>>();
  assertType<Equal<typeof r.state, PhoneStateFile>>();
  assertType<Equal<typeof r.state.mac, string>>();
  const report: ProvisionReport = r;
  // The state goes back in as it came out, or as a path.
  await provision({ tree: 'provisioning', state: r.state });
  await provision({ server: 'http://192.0.2.10/', state: 'phone.json', sizeLimits: { config: 1024 } });
  // @ts-expect-error options are closed: a misspelt one does not pass silently
  await provision({ tre: 'provisioning', mac: '00:15:65:74:b1:50', model: 'T46U' });
  // @ts-expect-error credentials come as a pair
  await provision({ tree: 'provisioning', credentials: { user: 'admin' } });
  use(userName, report);
}

export async function checkTypes(): Promise<void> {
  const rows: InventoryRow[] = [{ mac: '00:15:65:74:b1:50', model: 'T46U', name: 'Reception' }];
  const c = await check({ tree: 'provisioning', inventory: rows, strict: true });
  assertType<Equal<typeof c, CheckDocument>>();
  assertType<Equal<typeof c.summary.errors, number>>();
  assertType<Equal<NonNullable<(typeof c.findings)[number]>['severity'], Severity>>();
  assertType<Equal<Severity, 'error' | 'warning' | 'note'>>();
  await check({ tree: 'provisioning', inventory: 'provisioning/inventory.csv', models: ['T46U'] });
  use(c);
}

export async function diffTypes(): Promise<void> {
  const d = await diff({ before: 'origin/main', after: 'HEAD', git: { path: 'provisioning' } });
  assertType<Equal<typeof d, DiffDocument>>();
  assertType<Equal<typeof d.rebooting, number>>();
  await diff({ before: 'old', after: 'new', onInventoryProblem: (message: string) => use(message) });
  use(d);
}

export async function explainTypes(): Promise<void> {
  const e = await explain({ tree: 'provisioning', mac: '00:15:65:74:b1:50', model: 'T46U', params: ['x'] });
  assertType<Equal<typeof e, ExplainDocument>>();
  assertType<Equal<NonNullable<(typeof e.parameters)[number]>['value'], string | null>>();
  assertType<Equal<Verdict, 'won' | 'lost' | 'reset' | 'ignored'>>();
  use(e);
}

export function cryptTypes(): void {
  const e = encrypt('#!version:1.0.0.1\n', { keyLength: 32 });
  assertType<Equal<typeof e, Encrypted>>();
  assertType<Equal<typeof e.bytes, Uint8Array>>();
  assertType<Equal<typeof e.cipher, 'AES-128-ECB' | 'AES-256-ECB'>>();
  const text = decrypt(e.bytes, { key: e.key });
  assertType<Equal<typeof text, string>>();
  // @ts-expect-error a key is 16 or 32 characters long
  encrypt('#!version:1.0.0.1\n', { keyLength: 24 });
  use(text);
}

export async function simulateTypes(): Promise<void> {
  const s = await simulate({ tree: 'provisioning', count: 100, models: { T46U: 70, T23G: 30 }, for: '7d' });
  assertType<Equal<typeof s, FleetReport>>();
  assertType<Equal<typeof s.phones.failed, number>>();
  assertType<Equal<typeof s.run.time, 'real' | 'virtual'>>();
  // @ts-expect-error the scenarios are named
  await simulate({ tree: 'provisioning', phones: 'inventory.csv', scenario: 'storm' });
  use(s);
}

export function errorTypes(e: unknown): AutopErrorCode | undefined {
  assertType<
    Equal<
      AutopErrorCode,
      'usage' | 'unreadable' | 'inventory' | 'not-plain' | 'does-not-decrypt' | 'internal'
    >
  >();
  if (!(e instanceof AutopError)) return undefined;
  assertType<Equal<typeof e.problems, readonly string[]>>();
  return e.code;
}
