// Reading the phone's own configuration: a value, else its catalogued factory default.
import type { ParameterCatalogue } from '../models/parameters.js';
import type { TransferSettings } from '../fetch/fetcher.js';

export type ConfigView = (param: string) => string;

export function configView(config: Readonly<Record<string, string>>, params: ParameterCatalogue): ConfigView {
  return (param) => config[param] ?? params.defaultOf(param) ?? '';
}

function int(text: string, fallback: number, min: number, max: number): number {
  const n = Number.parseInt(text, 10);
  return Number.isFinite(n) && n >= min && n <= max ? n : fallback;
}

/**
 * Transfer timeout and retries from the configuration (issue #3 §2). The defaults (5 s, 3 attempts,
 * 5 s apart) are the reference's recollection in §15, confidence L; models/parameters.json carries them.
 */
export function transferSettings(
  get: ConfigView,
  overrides: Partial<TransferSettings> = {},
): TransferSettings {
  return {
    timeoutMs: int(get('static.auto_provision.attempt_expired_time'), 5, 1, 300) * 1000,
    attempts: int(get('static.auto_provision.attempt_before_failed'), 3, 1, 10),
    retryDelayMs: int(get('static.auto_provision.retry_delay_after_file_transfer_failed'), 5, 0, 300) * 1000,
    verifyTls: get('static.security.trust_certificates') !== '0',
    ...overrides,
  };
}
