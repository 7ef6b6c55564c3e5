// The engine's only window on the world: a URL in; the bytes, "not found", or "failed" out.
// Protocol adapters (file, TFTP, FTP, HTTP/S) implement it; the engine never opens a socket.
import type { FailureCause } from './failureCause.js';

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/** How the phone transfers files, from its configuration (issue #3; defaults in transferSettings). */
export interface TransferSettings {
  /** Per-attempt timeout in milliseconds (`static.auto_provision.attempt_expired_time`). */
  readonly timeoutMs: number;
  /** Attempts before a transfer is failed (`attempt_before_failed`). */
  readonly attempts: number;
  /** Pause between attempts in milliseconds (`retry_delay_after_file_transfer_failed`). */
  readonly retryDelayMs: number;
  /** HTTPS: verify the server's certificate (`static.security.trust_certificates`, spec S5). */
  readonly verifyTls: boolean;
  /** HTTPS: CAs the phone was provisioned with (`static.trusted_certificates.url`), PEM. */
  readonly trustedCa?: readonly string[];
}

export interface FetchRequest {
  readonly url: URL;
  readonly userAgent: string;
  readonly credentials?: Credentials;
  readonly transfer: TransferSettings;
  /**
   * At most this many bytes (issue #13 §3: a phone's flash is finite): a fetcher stops reading once
   * more arrived, closes the transfer and answers `failed`/`too-large`; a size announced up front
   * (`Content-Length`, TFTP `tsize`) over it fails at once. No limit when absent.
   */
  readonly maxBytes?: number;
}

export type { FailureCause } from './failureCause.js';

export type FetchOutcome =
  | { readonly kind: 'ok'; readonly bytes: Uint8Array; readonly md5?: string }
  | { readonly kind: 'not-found'; readonly detail: string }
  | { readonly kind: 'failed'; readonly cause: FailureCause; readonly detail: string };

export interface Fetcher {
  fetch(request: FetchRequest): Promise<FetchOutcome>;
}

export const notFound = (detail: string): FetchOutcome => ({ kind: 'not-found', detail });
export const failed = (cause: FailureCause, detail: string): FetchOutcome => ({
  kind: 'failed',
  cause,
  detail,
});

/** The one wording of a refusal over `maxBytes` (issue #13 §3), whatever the protocol. */
export const tooLarge = (maxBytes: number): FetchOutcome & { kind: 'failed' } => ({
  kind: 'failed',
  cause: 'too-large',
  detail: `larger than ${maxBytes} bytes`,
});

/** K2: the phone uploads its MAC-local file (HTTP PUT, FTP STOR). */
export type PutOutcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'failed'; readonly cause: FailureCause; readonly detail: string };

export interface Uploader {
  put(request: FetchRequest, bytes: Uint8Array): Promise<PutOutcome>;
}
