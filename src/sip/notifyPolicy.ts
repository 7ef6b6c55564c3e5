// spec T7: what a check-sync NOTIFY leads to, by `sip.notify_reboot_enable`. Pure; it fits the
// phone life's NotifyPolicy as `(get, header) => notifyDecision(get('sip.notify_reboot_enable'), header)`.
import { parseEventHeader, rebootRequested } from './event.js';

export interface NotifyDecision {
  /** Run a provisioning round. */
  readonly provision: boolean;
  /** Reboot once the round is over. */
  readonly reboot: boolean;
}

/**
 * `notifyRebootEnable`: 1 (the default) reboots after the round; 0 reboots only when the Event
 * header carries `reboot=true`; 2 ignores the NOTIFY. Any other value acts as the default
 * (**Decision**: `autop check` reports it against the catalogue's 0, 1, 2; the phone goes on).
 * `eventHeader` is the Event of a NOTIFY the endpoint already took as check-sync.
 */
export function notifyDecision(notifyRebootEnable: string, eventHeader: string): NotifyDecision {
  switch (notifyRebootEnable.trim()) {
    case '2':
      return { provision: false, reboot: false };
    case '0': {
      const event = parseEventHeader(eventHeader);
      return { provision: true, reboot: event !== undefined && rebootRequested(event) };
    }
    default:
      return { provision: true, reboot: true };
  }
}
