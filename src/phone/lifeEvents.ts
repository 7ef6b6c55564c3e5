// What a driver tells the life machine (lifeMachine.ts) about the world: the flash as the life reads
// it (trigger settings T1-T4, sip.notify_reboot_enable T7, firmware), and a round's outcome. Both
// drivers, `autop run`'s and the fleet's, build their events here.
import { configView } from '../engine/settings.js';
import type { RoundReport } from '../engine/report.js';
import type { ParameterCatalogue } from '../models/parameters.js';
import { readTriggerSettings } from '../triggers/settings.js';
import type { LifeEvent, LifeFlash, LifeSettings, RoundOutcome } from './lifeMachine.js';
import type { PhoneState } from './state.js';

/**
 * The settings, read once per configuration map: a fleet's phones share their maps (the fleet's
 * StateInterner), and a round that changed nothing hands back the same map.
 */
const read = new WeakMap<ParameterCatalogue, WeakMap<object, LifeSettings>>();

export function lifeSettings(config: PhoneState['config'], params: ParameterCatalogue): LifeSettings {
  let byConfig = read.get(params);
  if (!byConfig) read.set(params, (byConfig = new WeakMap<object, LifeSettings>()));
  let settings = byConfig.get(config);
  if (!settings) {
    const get = configView(config, params);
    settings = {
      triggers: readTriggerSettings(get).settings,
      notifyRebootEnable: get('sip.notify_reboot_enable'),
    };
    byConfig.set(config, settings);
  }
  return settings;
}

/** One LifeFlash per settings and firmware, shared by every phone that has them. */
const flashes = new WeakMap<LifeSettings, Map<string, LifeFlash>>();

export function lifeFlash(state: PhoneState, params: ParameterCatalogue): LifeFlash {
  const settings = lifeSettings(state.config, params);
  let byFirmware = flashes.get(settings);
  if (!byFirmware) flashes.set(settings, (byFirmware = new Map<string, LifeFlash>()));
  let flash = byFirmware.get(state.firmware);
  if (!flash) byFirmware.set(state.firmware, (flash = { firmware: state.firmware, settings }));
  return flash;
}

export function roundOutcome(report: RoundReport): RoundOutcome {
  const error = report.errors[0]?.message;
  return {
    status: report.status,
    updated: report.updated,
    changes: report.changes.length,
    reboot: report.reboot,
    reasons: report.rebootReasons.map((r) => `${r.rule}${r.param ? ` ${r.param}` : ''}`),
    ...(report.firmware?.install && report.firmware.version && { firmware: report.firmware.version }),
    ...(error !== undefined && { error }),
  };
}

/** The round-done event for a round that left the phone with `state`. */
export function roundDone(report: RoundReport, state: PhoneState, params: ParameterCatalogue): LifeEvent {
  return { kind: 'round-done', outcome: roundOutcome(report), flash: lifeFlash(state, params) };
}
