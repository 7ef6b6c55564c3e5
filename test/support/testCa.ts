// A throwaway certificate authority for HTTPS tests, made with the openssl command line: a CA, a
// server certificate for 127.0.0.1 and localhost signed by it, and one signed for another name.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCa {
  /** The CA certificate (PEM): what a client adds to its trusted list. */
  readonly caPem: string;
  /** Paths and PEM of the server certificate for IP:127.0.0.1 and DNS:localhost. */
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: string;
  readonly key: string;
  /** A certificate from the same CA for `elsewhere.test` only: a host-name mismatch on 127.0.0.1. */
  readonly otherHostCert: string;
  readonly otherHostKey: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function serverCertificate(dir: string, name: string, altNames: string): void {
  openssl(dir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${name}`,
  ]);
  writeFileSync(
    join(dir, `${name}.ext`),
    `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${altNames}\n`,
  );
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-sha256',
    '-extfile',
    `${name}.ext`,
  ]);
}

/** Makes the CA and certificates in `dir` (a temporary folder of the test). */
export function makeTestCa(dir: string): TestCa {
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-sha256',
    '-subj',
    '/CN=autop test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  serverCertificate(dir, 'server', 'IP:127.0.0.1,DNS:localhost');
  serverCertificate(dir, 'other', 'DNS:elsewhere.test');
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return {
    caPem: read('ca.pem'),
    certPath: join(dir, 'server.pem'),
    keyPath: join(dir, 'server.key'),
    cert: read('server.pem'),
    key: read('server.key'),
    otherHostCert: read('other.pem'),
    otherHostKey: read('other.key'),
  };
}
