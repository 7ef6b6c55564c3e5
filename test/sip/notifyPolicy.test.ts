// spec T7: sip.notify_reboot_enable decides what a check-sync NOTIFY leads to.
import { describe, expect, it } from 'vitest';
import { notifyDecision } from '../../src/sip/notifyPolicy.js';

describe('T7 sip.notify_reboot_enable', () => {
  it.each([
    ['1', 'check-sync', { provision: true, reboot: true }],
    ['1', 'check-sync;reboot=true', { provision: true, reboot: true }],
    ['1', 'check-sync;reboot=false', { provision: true, reboot: true }],
    ['0', 'check-sync', { provision: true, reboot: false }],
    ['0', 'check-sync;reboot=true', { provision: true, reboot: true }],
    ['0', 'Check-Sync;Reboot=TRUE', { provision: true, reboot: true }],
    ['0', 'check-sync;reboot=false', { provision: true, reboot: false }],
    ['2', 'check-sync', { provision: false, reboot: false }],
    ['2', 'check-sync;reboot=true', { provision: false, reboot: false }],
  ])('%s with Event: %s', (value, event, decision) => {
    expect(notifyDecision(value, event)).toEqual(decision);
  });

  it('acts as the default (1) for a value outside 0, 1, 2', () => {
    expect(notifyDecision('', 'check-sync')).toEqual({ provision: true, reboot: true });
    expect(notifyDecision('7', 'check-sync')).toEqual({ provision: true, reboot: true });
  });
});
