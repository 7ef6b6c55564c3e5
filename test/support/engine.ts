// Runs rounds of the real engine with the real catalogues, for tests.
import { macOrThrow } from '../../src/core/mac.js';
import { Engine, type RoundResult } from '../../src/engine/round.js';
import { loadModelCatalogue } from '../../src/models/catalogue.js';
import { loadParameterCatalogue } from '../../src/models/parameters.js';
import { factoryState, type PhoneState } from '../../src/phone/state.js';
import type { Fetcher } from '../../src/fetch/fetcher.js';
import { ROOT } from './memoryTree.js';

export const models = loadModelCatalogue();
export const params = loadParameterCatalogue();
export const engine = new Engine({ models, params });

export const T46U_MAC = '00156574b150';
export const T23G_MAC = '0015659370f2';

export function newPhone(model = 'T46U', mac = T46U_MAC, firmware?: string): PhoneState {
  const entry = models.find(model);
  if (!entry) throw new Error(`test: unknown model ${model}`);
  return factoryState(macOrThrow(mac), entry.id, firmware ?? entry.firmware.current);
}

export function round(fetcher: Fetcher, state: PhoneState, server: string = ROOT): Promise<RoundResult> {
  const model = models.find(state.model)!;
  return engine.runRound({
    model,
    state,
    server: { url: server, source: 'test' },
    fetcher,
    now: new Date('2026-11-29T10:00:00Z'),
    transfer: { attempts: 1, retryDelayMs: 0 },
  });
}
