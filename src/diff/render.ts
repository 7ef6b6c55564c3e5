// `autop diff` output: text for people, JSON for programs, Markdown for a pull-request comment.
import { pc } from '../check/output/colour.js';
import type { Change } from '../engine/report.js';
import { originText } from '../report/text.js';
import { diffDocument, type DiffLabels } from './diffJson.js';
import type { DiffResult, Group } from './diffTrees.js';

export type { DiffLabels } from './diffJson.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function who(g: Group<unknown>): string {
  return `${plural(g.count, 'phone')}: ${g.sample.join(', ')}${g.count > g.sample.length ? ', …' : ''}`;
}

const HOW: Record<Change['how'], string> = {
  set: '',
  'reset-blank': 'blank value, overwrite mode (B6)',
  'reset-deleted': 'no longer set, overwrite mode (B6)',
  'mac-local': 'MAC-local (K3)',
};

function changeText(c: Change): string {
  const tag = HOW[c.how];
  const where = originText(c.origin);
  return `${c.key}: ${c.before ?? 'default'} → ${c.after ?? 'default'}${tag ? ` (${tag})` : ''}${where ? `  ${where}` : ''}`;
}

function headline(r: DiffResult, labels: DiffLabels): string {
  return (
    `${labels.before} → ${labels.after}: ${plural(r.phones, 'phone')}; ${r.changed} change, ` +
    `${r.rebooting} reboot, ${r.upgrading} upgrade firmware` +
    (r.failed > 0 ? `, ${r.failed} could not provision from the second tree` : '')
  );
}

export function renderDiffText(r: DiffResult, labels: DiffLabels): string {
  const out = [pc.bold(headline(r, labels))];
  const section = (title: string, lines: string[]): void => {
    if (lines.length === 0) return;
    out.push('', pc.bold(title));
    for (const line of lines) out.push(`  ${line}`);
  };
  section(
    'Reboots (R1, R2)',
    r.reboots.map((g) => `${g.what.rule} ${g.what.param ?? g.what.message}  ${pc.dim(who(g))}`),
  );
  section(
    'Firmware upgrades (R3)',
    r.upgrades.map((g) => `${g.what.from} → ${g.what.to}  ${pc.dim(who(g))}`),
  );
  section(
    'Reset to factory defaults by overwrite mode (B6)',
    r.resets.map((g) => `${g.what.key} (${HOW[g.what.how]})  ${pc.dim(who(g))}`),
  );
  section(
    "Kept at the user's value by MAC-local (K3)",
    r.keptByLocal.map((g) => `${g.what}  ${pc.dim(who(g))}`),
  );
  for (const g of r.changes) {
    out.push('', pc.bold(`Changes for ${who(g)}`));
    for (const c of g.what)
      out.push(
        `  ${c.after === undefined ? pc.red('-') : c.before === undefined ? pc.green('+') : pc.yellow('~')} ${changeText(c)}`,
      );
  }
  if (r.changed === 0) out.push('', 'No phone changes.');
  return out.join('\n') + '\n';
}

export function renderDiffJson(r: DiffResult, labels: DiffLabels): string {
  return JSON.stringify(diffDocument(r, labels), null, 2) + '\n';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderDiffMarkdown(r: DiffResult, labels: DiffLabels): string {
  const out = [`### autop diff: ${cell(headline(r, labels))}`, ''];
  out.push('| | phones |', '|---|---:|');
  out.push(
    `| checked | ${r.phones} |`,
    `| change | ${r.changed} |`,
    `| reboot (R1, R2) | ${r.rebooting} |`,
    `| upgrade firmware (R3) | ${r.upgrading} |`,
  );
  const table = (title: string, head: string, rows: [string, Group<unknown>][]): void => {
    if (rows.length === 0) return;
    out.push('', `#### ${title}`, '', `| ${head} | phones |`, '|---|---|');
    for (const [what, g] of rows) out.push(`| ${cell(what)} | ${cell(who(g))} |`);
  };
  table(
    'Reboots',
    'why',
    r.reboots.map((g) => [`${g.what.rule}: ${g.what.message}`, g]),
  );
  table(
    'Firmware upgrades',
    'from → to',
    r.upgrades.map((g) => [`${g.what.from} → ${g.what.to}`, g]),
  );
  table(
    'Reset to factory defaults by overwrite mode (B6)',
    'parameter',
    r.resets.map((g) => [`\`${g.what.key}\` (${HOW[g.what.how]})`, g]),
  );
  table(
    "Kept at the user's value by MAC-local (K3)",
    'parameter',
    r.keptByLocal.map((g) => [`\`${g.what}\``, g]),
  );
  if (r.changes.length > 0) {
    out.push('', '#### Changes', '');
    for (const g of r.changes) {
      out.push(
        '<details>',
        `<summary>${plural(g.what.length, 'change')} for ${cell(who(g))}</summary>`,
        '',
        '```diff',
      );
      for (const c of g.what)
        out.push(`${c.after === undefined ? '-' : c.before === undefined ? '+' : '!'} ${changeText(c)}`);
      out.push('```', '</details>', '');
    }
  }
  return out.join('\n') + '\n';
}
