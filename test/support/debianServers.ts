// Debian's servers for interop tests (spec S5): nginx, Apache with mod_auth_digest, tftpd-hpa and
// vsftpd, each in the foreground on a free 127.0.0.1 port with a configuration written to a fresh
// temporary folder, serving a folder given by the test. stop() ends the process it started.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixturesDir } from '../../src/core/packageRoot.js';
import { freePort, skipUnlessInstalled, tempDir, waitForPort, type Needed } from './servers.js';
import type { TestCa } from './testCa.js';
import { freeUdpPort, rawTftpRequest, requestPacket } from './udp.js';

export const NGINX: Needed = { binary: '/usr/sbin/nginx', debianPackage: 'nginx' };
export const APACHE: Needed = { binary: '/usr/sbin/apache2', debianPackage: 'apache2' };
export const TFTPD: Needed = { binary: '/usr/sbin/in.tftpd', debianPackage: 'tftpd-hpa' };
export const VSFTPD: Needed = { binary: '/usr/sbin/vsftpd', debianPackage: 'vsftpd' };
/** nginx's Basic password file is written with `openssl passwd -apr1`. */
export const OPENSSL: Needed = { binary: 'openssl', debianPackage: 'openssl' };

const APACHE_MODULES = '/usr/lib/apache2/modules';
const isRoot = process.getuid?.() === 0;

export interface RunningServer {
  /** The root URL of the served folder, ending in `/`. */
  readonly url: string;
  readonly port: number;
  /** Ends the process (SIGTERM, then SIGKILL after 5 s); a closure, safe to pass around. */
  readonly stop: () => Promise<void>;
}

export interface Login {
  readonly user: string;
  readonly password: string;
}

/**
 * A copy of a fixture tree (default fixtures/site) at `dir/site` that a server's unprivileged
 * workers can read: `dir` is made world-readable (vsftpd serves anonymous users such files only).
 */
export async function servedCopy(dir: string, fixture = join(fixturesDir, 'site')): Promise<string> {
  await chmod(dir, 0o755);
  const site = join(dir, 'site');
  await cp(fixture, site, { recursive: true });
  return site;
}

/**
 * Runs a server in the foreground; resolves to the function that stops it (SIGTERM, then SIGKILL
 * after 5 s). Fails with its stderr and logs if it is never ready.
 */
async function runForeground(
  command: string,
  args: readonly string[],
  options: { ready: () => Promise<void>; logs?: readonly string[]; env?: NodeJS.ProcessEnv },
): Promise<() => Promise<void>> {
  const child: ChildProcess = spawn(command, args, {
    env: options.env ?? process.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  try {
    await Promise.race([
      options.ready(),
      exited.then(() => {
        throw new Error(`${command} exited at start`);
      }),
    ]);
  } catch (e) {
    child.kill('SIGKILL');
    const logs = await Promise.all((options.logs ?? []).map((log) => readFile(log, 'utf8').catch(() => '')));
    throw new Error([(e as Error).message, stderr, ...logs].join('\n'));
  }
  return async () => {
    if (!running()) return;
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (running()) {
      child.kill('SIGKILL');
      await exited;
    }
  };
}

export interface NginxOptions {
  /** Adds a server with `auth_basic` for this user (its own port). */
  readonly basic?: Login;
  /** Adds an HTTPS server with the test CA's certificate for 127.0.0.1 (its own port). */
  readonly tls?: TestCa;
  /** nginx's `worker_connections` (default 64, enough for a test; a benchmark wants thousands). */
  readonly workerConnections?: number;
  /** false: no access log (a benchmark's 80,000 requests would be written to disk). */
  readonly accessLog?: boolean;
}

/** One nginx process: always a plain server (`url`), plus the Basic and TLS servers asked for. */
export type RunningNginx<O extends NginxOptions> = RunningServer & {
  /** nginx's access log ("combined": it holds each request's User-Agent). */
  readonly accessLog: string;
} & (O extends { basic: Login } ? { readonly basicUrl: string } : unknown) &
  (O extends { tls: TestCa } ? { readonly tlsUrl: string } : unknown);

export const NGINX_REALM = 'autop interop';

export async function startNginx<O extends NginxOptions>(root: string, options: O): Promise<RunningNginx<O>> {
  const dir = await tempDir('nginx');
  const port = await freePort();
  const basicPort = options.basic && (await freePort());
  const tlsPort = options.tls && (await freePort());
  const server = (listen: string, extra = '') => `
  server {
    listen 127.0.0.1:${listen};
    server_name localhost;
    root ${root};
    ${extra}
  }`;
  const servers = [server(String(port))];
  if (options.basic && basicPort !== undefined) {
    const { user, password } = options.basic;
    const hash = execFileSync('openssl', ['passwd', '-apr1', password], { encoding: 'utf8' }).trim();
    await writeFile(join(dir, 'htpasswd'), `${user}:${hash}\n`);
    servers.push(
      server(String(basicPort), `auth_basic "${NGINX_REALM}"; auth_basic_user_file ${dir}/htpasswd;`),
    );
  }
  if (options.tls && tlsPort !== undefined) {
    const { certPath, keyPath } = options.tls;
    servers.push(server(`${tlsPort} ssl`, `ssl_certificate ${certPath}; ssl_certificate_key ${keyPath};`));
  }
  const errorLog = join(dir, 'error.log');
  const accessLog = join(dir, 'access.log');
  await writeFile(
    join(dir, 'nginx.conf'),
    `${isRoot ? 'user root;' : ''}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${errorLog};
events { worker_connections ${options.workerConnections ?? 64}; }
http {
  access_log ${options.accessLog === false ? 'off' : accessLog};
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  default_type application/octet-stream;
  ${servers.join('\n')}
}
`,
  );
  const ports = [port, basicPort, tlsPort].filter((p) => p !== undefined);
  const stop = await runForeground(
    NGINX.binary,
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', errorLog, '-g', 'daemon off;'],
    { ready: () => Promise.all(ports.map((p) => waitForPort(p))).then(() => undefined), logs: [errorLog] },
  );
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    accessLog,
    ...(basicPort !== undefined ? { basicUrl: `http://127.0.0.1:${basicPort}/` } : {}),
    ...(tlsPort !== undefined ? { tlsUrl: `https://127.0.0.1:${tlsPort}/` } : {}),
    stop,
  } as RunningNginx<O>;
}

/** Apache 2.4 with mod_auth_digest over the whole tree (MD5, qop=auth: Apache's only choices). */
export async function startApacheDigest(
  root: string,
  login: Login & { readonly realm: string },
): Promise<RunningServer> {
  const dir = await tempDir('apache');
  await chmod(dir, 0o755); // www-data reads the htdigest file when run as root
  const { user, password, realm } = login;
  // htdigest's line: user:realm:MD5(user:realm:password).
  const ha1 = createHash('md5').update(`${user}:${realm}:${password}`).digest('hex');
  await writeFile(join(dir, 'htdigest'), `${user}:${realm}:${ha1}\n`, { mode: 0o644 });
  const port = await freePort();
  const modules = ['mpm_event', 'authz_core', 'authn_core', 'authn_file', 'auth_digest', 'authz_user'];
  const errorLog = join(dir, 'error.log');
  await writeFile(
    join(dir, 'apache2.conf'),
    `ServerRoot "${dir}"
ServerName 127.0.0.1
DefaultRuntimeDir "${dir}"
PidFile "${dir}/apache2.pid"
ErrorLog "${errorLog}"
LogLevel warn
${modules.map((m) => `LoadModule ${m}_module ${APACHE_MODULES}/mod_${m}.so`).join('\n')}
${isRoot ? 'User www-data\nGroup www-data' : ''}
Listen 127.0.0.1:${port}
<Directory "${root}">
  Require all granted
</Directory>
<VirtualHost 127.0.0.1:${port}>
  DocumentRoot "${root}"
  <Location "/">
    AuthType Digest
    AuthName "${realm}"
    AuthDigestDomain /
    AuthDigestProvider file
    AuthUserFile "${dir}/htdigest"
    Require valid-user
  </Location>
</VirtualHost>
`,
  );
  const stop = await runForeground(
    APACHE.binary,
    ['-d', dir, '-f', join(dir, 'apache2.conf'), '-DFOREGROUND'],
    {
      ready: () => waitForPort(port),
      logs: [errorLog],
      env: {
        ...process.env,
        APACHE_RUN_DIR: dir,
        APACHE_PID_FILE: join(dir, 'apache2.pid'),
        APACHE_LOCK_DIR: dir,
        APACHE_LOG_DIR: dir,
      },
    },
  );
  return { url: `http://127.0.0.1:${port}/`, port, stop };
}

/** tftpd-hpa needs root (--secure chroots); outside CI a non-root run is skipped with this message. */
export function skipUnlessTftpdHpaRuns(): boolean {
  if (skipUnlessInstalled(TFTPD)) return true;
  if (isRoot || process.env.CI) return false;
  console.warn('skipping tftpd-hpa interop: in.tftpd --secure chroots and needs root');
  return true;
}

/** tftpd-hpa is ready when it answers a request (for a file that is not there). */
async function answersTftp(port: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const answer = await rawTftpRequest(port, requestPacket(1, 'ready-probe.cfg'), 200);
    if (answer.kind !== 'none') return;
  }
  throw new Error(`nothing answers TFTP on 127.0.0.1:${port}`);
}

/**
 * tftpd-hpa with --secure (paths relative to `root`, into which it chroots: root only).
 * `refuse` lists RFC 2347 options it must ignore (`--refuse blksize ...`: an RFC 1350 server).
 */
export async function startTftpdHpa(
  root: string,
  options: { readonly refuse?: readonly string[] } = {},
): Promise<RunningServer> {
  if (!isRoot) throw new Error('in.tftpd --secure chroots into its folder: run the interop suite as root');
  const port = await freeUdpPort();
  const refuse = (options.refuse ?? []).flatMap((option) => ['--refuse', option]);
  const args = ['--foreground', '--listen', '--address', `127.0.0.1:${port}`, '--secure', '--user', 'root'];
  const stop = await runForeground(TFTPD.binary, [...args, ...refuse, root], {
    ready: () => answersTftp(port),
  });
  return { url: `tftp://127.0.0.1:${port}/`, port, stop };
}

/**
 * vsftpd, anonymous only, serving `root` (its anon_root) with the uploads a phone makes (K2): write,
 * create and overwrite. It runs as the launching user with no user switch and no chroot
 * (run_as_launching_user), so paths are relative to anon_root.
 */
export async function startVsftpd(root: string): Promise<RunningServer & { readonly log: string }> {
  const dir = await tempDir('vsftpd');
  const empty = join(dir, 'empty');
  await mkdir(empty, { mode: 0o755 });
  const port = await freePort();
  const passive = await freePort(); // vsftpd picks in [passive, passive + 20], retrying a busy one
  const log = join(dir, 'vsftpd.log');
  await writeFile(
    join(dir, 'vsftpd.conf'),
    [
      'listen=YES',
      'listen_ipv6=NO',
      'listen_address=127.0.0.1',
      `listen_port=${port}`,
      'background=NO',
      // Anonymous only: no system user to create or remove. A named user is refused with 530.
      'anonymous_enable=YES',
      `anon_root=${root}`,
      'no_anon_password=YES',
      'local_enable=NO',
      // K2: the phone uploads its MAC-local file; it needs write, create and overwrite (facts §6).
      'write_enable=YES',
      'anon_upload_enable=YES',
      'anon_other_write_enable=YES',
      'anon_mkdir_write_enable=NO',
      'anon_umask=022',
      'pasv_enable=YES',
      'pasv_address=127.0.0.1',
      `pasv_min_port=${passive}`,
      `pasv_max_port=${passive + 20}`,
      'port_enable=NO',
      'seccomp_sandbox=NO',
      `secure_chroot_dir=${empty}`,
      // No switch to the ftp user and no chroot, so it runs as whoever starts the tests.
      'run_as_launching_user=YES',
      'delay_failed_login=0',
      'delay_successful_login=0',
      'syslog_enable=NO',
      'xferlog_enable=YES',
      `vsftpd_log_file=${log}`,
      '',
    ].join('\n'),
  );
  const stop = await runForeground(VSFTPD.binary, [join(dir, 'vsftpd.conf')], {
    ready: () => waitForPort(port),
    logs: [log],
  });
  return { url: `ftp://127.0.0.1:${port}/`, port, log, stop };
}
