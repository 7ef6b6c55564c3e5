// R3 in a round: the firmware URL from the new configuration, the decision, and the ROM download.
import { createHash } from 'node:crypto';
import { parseFirmware } from '../core/firmware.js';
import { error, warning } from '../config/diagnostic.js';
import { decideFirmware, describeDecision, romListsModel } from './firmware.js';
import type { FirmwareReport } from './report.js';
import { expandWildcards, fileName, labelFor, redactUrl, resolveIncludeUrl } from './serverUrl.js';
import { type ConfigView } from './settings.js';
import type { Context } from './roundContext.js';

/** R3: the ROM named by `static.firmware.url` (or `firmware.url`), its decision and download. */
export async function considerFirmware(
  ctx: Context,
  get: ConfigView,
  pn: string,
  running: NonNullable<ReturnType<typeof parseFirmware>>,
): Promise<FirmwareReport | null> {
  const raw = get('static.firmware.url') || get('firmware.url');
  if (raw.trim() === '') return null;
  const expanded = expandWildcards(raw.trim(), { pn, mac: ctx.input.state.mac });
  const url = resolveIncludeUrl(expanded, ctx.root);
  if (!url) {
    ctx.log.diagnostics.push(error('R3', `the firmware URL "${expanded}" is not a URL`));
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
  if (decision.rom && romListsModel(decision.rom, ctx.input.model) === false) {
    ctx.log.diagnostics.push(warning('R3', `${rom} does not list ${ctx.input.model.id} among its models`));
  }
  if (!decision.install) return { ...base, install: false };
  const outcome = await ctx.input.fetcher.fetch({
    url,
    userAgent: ctx.userAgent,
    transfer: ctx.transfer,
    ...(ctx.credentials && { credentials: ctx.credentials }),
  });
  const download = {
    url: redactUrl(url),
    name: rom,
    file: labelFor(url, ctx.root),
    kind: 'firmware' as const,
  };
  if (outcome.kind !== 'ok') {
    ctx.log.downloads.push({
      ...download,
      outcome: outcome.kind,
      md5: null,
      detail: outcome.detail,
      ...(outcome.kind === 'failed' && { cause: outcome.cause }),
    });
    ctx.log.diagnostics.push(
      error('R3', `the firmware ROM ${rom} could not be downloaded (${outcome.detail}); no upgrade`),
    );
    return { ...base, install: false, reason: `${base.reason}, but the ROM could not be downloaded` };
  }
  const md5 = outcome.md5 ?? createHash('md5').update(outcome.bytes).digest('hex');
  ctx.log.downloads.push({ ...download, outcome: 'ok', md5, size: outcome.bytes.byteLength });
  return { ...base, install: true, size: outcome.bytes.byteLength, md5 };
}
