// `autop check` for people: findings grouped by file, in line order, coloured on a terminal only
// (picocolors honours NO_COLOR and FORCE_COLOR).
import { pc } from './colour.js';
import type { CheckResult } from '../checkTree.js';
import { sortFindings, type Finding, type Severity } from '../finding.js';
import { describeChoice } from './choiceText.js';
import { phonesText, plural, summarise } from './summary.js';

const LABEL: Record<Severity, (s: string) => string> = {
  error: (s) => pc.red(s),
  warning: (s) => pc.yellow(s),
  note: (s) => pc.cyan(s),
};

export function renderCheckText(result: CheckResult, tree: string): string {
  const out: string[] = [];
  const s = summarise(result);
  out.push(
    pc.bold(
      `autop check ${tree}: ${plural(s.phones, 'phone')}, ${plural(s.files, 'file')}${result.strict ? ' (--strict: warnings are errors)' : ''}`,
    ),
  );
  out.push(pc.dim(describeChoice(result.choice).summary));
  let current: string | undefined | null = null;
  for (const f of sortFindings(result.findings)) {
    if (f.file !== current) {
      current = f.file;
      out.push('', pc.bold(f.file ?? '(no file: about phones)'));
    }
    out.push(line(f));
  }
  // R3: what each phone would do with the firmware the tree names.
  const firmware = result.phones.filter((p) => p.firmwareDecision);
  if (firmware.length > 0) {
    out.push('', pc.bold('Firmware (R3)'));
    for (const p of firmware) {
      const d = p.firmwareDecision!;
      out.push(
        `  ${p.model.padEnd(6)} ${p.mac}  ${d.install ? pc.yellow('installs') : 'keeps   '} ${d.rom}: ${d.reason}`,
      );
    }
  }
  const status =
    s.errors > 0 ? pc.red('FAILED') : s.warnings > 0 ? pc.yellow('passed with warnings') : pc.green('passed');
  out.push(
    '',
    `${status}: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${plural(s.notes, 'note')}; ` +
      `${s.phones - s.phonesWithErrors} of ${plural(s.phones, 'phone')} without errors`,
  );
  return out.join('\n') + '\n';
}

function line(f: Finding): string {
  const where = (f.line !== undefined ? String(f.line) : '-').padStart(5);
  const phones = phonesText(f);
  return `${where}  ${LABEL[f.severity](f.severity.padEnd(7))}  ${pc.dim(f.id)}  ${f.message}${phones ? pc.dim(`  (${phones})`) : ''}`;
}
