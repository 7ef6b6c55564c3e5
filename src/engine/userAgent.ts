// Spec S7: the User-Agent the phone sends with every HTTP request.
import { macWithColons, type Mac } from '../core/mac.js';
import type { ModelEntry } from '../models/catalogue.js';

export function userAgent(
  model: ModelEntry,
  firmware: string,
  mac: Mac,
  config: Readonly<Record<string, string>>,
): string {
  const base = `Yealink ${model.userAgent.product} ${firmware}`;
  // S7: `static.auto_provision.user_agent_mac.enable = 0` drops the MAC (default 1).
  if (config['static.auto_provision.user_agent_mac.enable'] === '0') return base;
  return `${base} ${model.userAgent.mac === 'bare' ? mac : macWithColons(mac)}`;
}
