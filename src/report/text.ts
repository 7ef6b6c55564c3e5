// The report for people: files in request order, what changed, the reboot decision and why.
import pc from 'picocolors';
import type { Change, Download, RoundReport, SkippedInclude } from '../engine/report.js';
import type { Origin } from '../phone/state.js';

const MECHANISM: Record<RoundReport['mechanism'], string> = {
  'mac-boot': 'MAC boot file (B1)',
  'common-boot': 'common boot file (B1)',
  legacy: 'legacy: common CFG then MAC CFG (L1)',
  none: 'none: no boot or configuration file found',
};

const STATUS: Record<RoundReport['status'], string> = {
  updated: 'provisioned',
  unchanged: 'nothing new (M1: same MD5s as last round)',
  'no-server': 'could not run: no usable server address',
  'nothing-found': 'could not run: nothing to download',
  failed: 'failed: the phone keeps its previous configuration',
};

const SKIP: Record<SkippedInclude['reason'], string> = {
  'other-model': 'for another model (B5)',
  'excluded-mode': 'excluded mode: this model has its own file (B7)',
  'model-filter-unsupported': 'firmware ignores [$MODEL] lines (B5)',
  'bad-url': 'not a usable URL (B3)',
};

/** #13.10: a round that did not run to the end chose no mechanism; it may have been trying one. */
function mechanismText(report: RoundReport): string {
  if (report.status === 'updated' || report.status === 'unchanged') return MECHANISM[report.mechanism];
  if (report.mechanism === 'none') return '-';
  return `none applied (the round stopped while on the ${MECHANISM[report.mechanism]})`;
}

export function originText(origin: Origin | undefined): string {
  if (!origin) return '';
  if (origin.kind === 'file') return `${origin.file}:${origin.line}`;
  return origin.kind === 'mac-local' ? 'MAC-local (K3)' : 'phone UI';
}

function outcomeText(d: Download): string {
  if (d.outcome === 'ok') return pc.green('ok       ');
  if (d.outcome === 'not-found') return pc.yellow('not found');
  if (d.outcome === 'not-fetched') return pc.dim('not fetched');
  return pc.red('FAILED   ');
}

function changeLine(c: Change): string {
  const was = c.before ?? 'default';
  const now = c.after ?? 'default';
  const where = originText(c.origin);
  const tag =
    c.how === 'reset-blank'
      ? ' (blank value, overwrite mode: B6)'
      : c.how === 'reset-deleted'
        ? ' (no longer set, overwrite mode: B6)'
        : c.how === 'mac-local'
          ? ' (MAC-local: K3)'
          : '';
  const sign = c.after === undefined ? pc.red('-') : c.before === undefined ? pc.green('+') : pc.yellow('~');
  return `  ${sign} ${c.key}: ${was} → ${now}${tag}${where ? pc.dim(`  ${where}`) : ''}`;
}

export interface TextOptions {
  /** Show at most this many changes, then a count of the rest. */
  readonly changes?: number;
}

export function renderText(report: RoundReport, options: TextOptions = {}): string {
  const out: string[] = [];
  const p = report.phone;
  out.push(pc.bold(`${p.product} ${p.mac}, firmware ${p.firmware}`));
  out.push(`server     ${report.server ? `${report.server.url}  (${report.server.source})` : '-'}`);
  out.push(`mechanism  ${mechanismText(report)}`);
  out.push(
    `result     ${report.status === 'updated' || report.status === 'unchanged' ? STATUS[report.status] : pc.red(STATUS[report.status])}`,
  );

  if (report.downloads.length > 0 || report.skipped.length > 0) {
    out.push('', pc.bold('Files, in request order'));
    for (const d of report.downloads) {
      const md5 = d.md5 ? pc.dim(`  md5 ${d.md5}`) : '';
      const detail =
        d.outcome === 'failed'
          ? pc.red(`  ${d.cause ?? ''}: ${d.detail ?? ''}`)
          : d.outcome === 'not-fetched'
            ? pc.dim('  outside the tree')
            : '';
      out.push(`  ${outcomeText(d)}  ${d.file}${d.kind === 'firmware' ? ' (firmware)' : ''}${md5}${detail}`);
    }
    for (const s of report.skipped) {
      out.push(pc.dim(`  skipped    ${s.target}  ${SKIP[s.reason]}  ${s.file}:${s.line}`));
    }
  }
  if (report.applied.length > 0) out.push('', `${pc.bold('Applied')}    ${report.applied.join(', ')}`);

  if (report.updated) {
    out.push('', pc.bold(`Changes (${report.changes.length})`));
    if (report.changes.length === 0) out.push('  none: the files set what the phone already had');
    const shown = options.changes === undefined ? report.changes : report.changes.slice(0, options.changes);
    for (const c of shown) out.push(changeLine(c));
    if (shown.length < report.changes.length) {
      out.push(pc.dim(`  … and ${report.changes.length - shown.length} more (--json lists them all)`));
    }
  }

  if (report.firmware) {
    const f = report.firmware;
    out.push(
      '',
      `${pc.bold('Firmware')}   ${f.rom}: ${f.reason}${f.size !== undefined ? pc.dim(`  ${f.size} bytes, md5 ${f.md5 ?? ''}`) : ''}`,
    );
  }
  out.push('', `${pc.bold('Reboot')}     ${report.reboot ? pc.yellow('yes') : 'no'}`);
  for (const r of report.rebootReasons) out.push(`  ${r.rule}: ${r.message}`);

  for (const [title, list, colour] of [
    ['Errors', report.errors, pc.red],
    ['Warnings', report.warnings, pc.yellow],
  ] as const) {
    if (list.length === 0) continue;
    out.push('', pc.bold(`${title} (${list.length})`));
    for (const d of list) {
      const where = d.file ? `${d.file}${d.line !== undefined ? `:${d.line}` : ''}  ` : '';
      out.push(`  ${where}${colour(`[${d.rule}]`)} ${d.message}`);
    }
  }
  return out.join('\n') + '\n';
}
