// `autop check --format github` (or GITHUB_ACTIONS=true): workflow commands that GitHub Actions
// shows as annotations on the lines of a pull request. Files are named from the repository's root
// (paths.ts), as GitHub resolves them; every annotation on a file has a line.
import type { CheckResult } from '../checkTree.js';
import { sortFindings, type Severity } from '../finding.js';
import { describeChoice } from './choiceText.js';
import { repositoryPath, type PathBase } from './paths.js';
import { phonesText, plural, summarise } from './summary.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', note: 'notice' };

/** GitHub's escaping of a command's message. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** GitHub's escaping of a command's property values (file, title): also `:` and `,`. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function renderCheckGithub(result: CheckResult, base: PathBase): string {
  const out: string[] = [];
  out.push(
    `::notice title=${escapeProperty('autop check: models')}::${escapeData(describeChoice(result.choice).summary)}`,
  );
  for (const f of sortFindings(result.findings)) {
    const props: string[] = [];
    if (f.file !== undefined) {
      props.push(`file=${escapeProperty(repositoryPath(base, f.file))}`);
      props.push(`line=${f.line ?? 1}`);
    }
    props.push(`title=${escapeProperty(f.id)}`);
    const phones = phonesText(f);
    out.push(
      `::${COMMAND[f.severity]} ${props.join(',')}::${escapeData(`${f.message}${phones ? ` (${phones})` : ''}`)}`,
    );
  }
  const s = summarise(result);
  out.push(
    `autop check: ${plural(s.phones, 'phone')}, ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${plural(s.notes, 'note')}`,
  );
  return out.join('\n') + '\n';
}
