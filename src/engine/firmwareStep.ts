// R3 in a round: the firmware URL from the new configuration, the decision, and the ROM download
// (through the round's one download path, with the ROM's size limit).
import type { FirmwareVersion } from '../core/firmware.js';
import { error, warning } from '../config/diagnostic.js';
import { decideFirmware, describeDecision, romListsModel } from './firmware.js';
import type { FirmwareReport, RebootReason } from './report.js';
import { fetchFile, type Context, type Location } from './roundContext.js';
import { expandWildcards, fileName, redactUrl, resolveIncludeUrl } from './serverUrl.js';
import { type ConfigView } from './settings.js';

/**
 * R3: the ROM named by `static.firmware.url` (or `firmware.url`), its decision and download.
 * @param setAt where the merged configuration got a key from: diagnostics point at that line.
 */
export async function considerFirmware(
  ctx: Context,
  get: ConfigView,
  setAt: (key: string) => Location | undefined,
  pn: string,
  running: FirmwareVersion,
): Promise<FirmwareReport | null> {
  const key = get('static.firmware.url') ? 'static.firmware.url' : 'firmware.url';
  const raw = get(key);
  if (raw.trim() === '') return null;
  const at = setAt(key);
  const expanded = expandWildcards(raw.trim(), { pn, mac: ctx.input.state.mac });
  const url = resolveIncludeUrl(expanded, ctx.root);
  if (!url) {
    ctx.log.add(error('R3', `the firmware URL "${expanded}" is not a URL`, at?.file, at?.line));
    return null;
  }
  const rom = fileName(url);
  const decision = decideFirmware(rom, ctx.input.model, running);
  const base = {
    url: redactUrl(url),
    rom,
    running: running.text,
    version: decision.rom?.version.text ?? null,
    reason: describeDecision(decision, running, ctx.input.model),
  };
  const { model } = ctx.input;
  if (decision.rom && romListsModel(decision.rom, model) === false) {
    ctx.log.add(warning('R3', `${rom} does not list ${model.id} among its models`, at?.file, at?.line));
  }
  if (!decision.install) return { ...base, install: false };
  const got = await fetchFile(ctx, url, 'firmware', at ? { setting: at } : {});
  switch (got.kind) {
    case 'ok':
      return { ...base, install: true, size: got.file.bytes.byteLength, md5: got.file.md5 };
    case 'not-fetched':
      // #12: a --tree round does not fetch a ROM outside the tree: no upgrade, and no error.
      return { ...base, install: false, reason: `${base.reason}; not fetched (outside the tree)` };
    case 'not-found':
      ctx.log.add(
        error('R3', `the firmware ROM ${rom} is not on the server; no upgrade`, at?.file, at?.line),
      );
      return { ...base, install: false, reason: `${base.reason}, but the ROM could not be downloaded` };
    case 'failed':
      return { ...base, install: false, reason: `${base.reason}, but the ROM could not be downloaded` };
  }
}

/** R3: installing a ROM reboots the phone, whatever else does. */
export function withUpgrade(
  reasons: readonly RebootReason[],
  firmware: FirmwareReport | null,
): readonly RebootReason[] {
  return firmware?.install ? [...reasons, { rule: 'R3', message: `firmware ${firmware.reason}` }] : reasons;
}
