// `autop explain` for people: per parameter, its value and the chain of lines, winner marked.
import { pc } from '../check/output/colour.js';
import type { ChainEntry, ExplainResult, Verdict } from './chain.js';
import { explainDocument } from './explainJson.js';

const MARK: Record<Verdict, (s: string) => string> = {
  won: (s) => pc.green(`✓ ${s}`),
  reset: (s) => pc.green(`✓ ${s}`),
  lost: (s) => pc.yellow(`✗ ${s}`),
  ignored: (s) => pc.dim(`· ${s}`),
};

function valueText(value: string | null): string {
  return value === null ? '(blank)' : value === '' ? '(empty, %NULL%)' : value;
}

function entryLine(e: ChainEntry): string {
  const models = e.models ? `[${e.models.join(', ')}] ` : '';
  const where = `${e.file}:${e.line}`;
  return `  ${MARK[e.verdict](`${where}  ${models}= ${valueText(e.value)}`)}\n      ${e.verdict}: ${e.reason} (${e.rule})`;
}

export function renderExplainText(result: ExplainResult): string {
  const p = result.report.phone;
  const out = [
    pc.bold(
      `${p.product} ${p.mac}, firmware ${p.firmware}: ${result.report.mechanism}, ${result.report.status}`,
    ),
  ];
  if (result.explanations.length === 0)
    out.push('', 'No parameter is set by more than one line; name parameters to explain them.');
  for (const e of result.explanations) {
    const value =
      e.value === null
        ? `factory default${e.default === null ? '' : e.default === '' ? ' (empty)' : ` (${e.default})`}`
        : valueText(e.value);
    out.push('', `${pc.bold(e.key)} = ${value}${e.static ? pc.dim('  static') : ''}`);
    if (e.entries.length === 0) out.push('  no file of the tree sets it for this phone');
    for (const entry of e.entries) out.push(entryLine(entry));
    for (const note of e.notes) out.push(`  ${pc.cyan('note')} ${note}`);
  }
  return out.join('\n') + '\n';
}

export function renderExplainJson(result: ExplainResult): string {
  return JSON.stringify(explainDocument(result), null, 2) + '\n';
}
