// `autop check --format sarif`: SARIF 2.1.0, for code scanning to show findings on the lines of a
// pull request. GitHub rejects a whole upload when one result has no location (codeql-action
// issues #1738, #2459), so every result names its file and a line (1 for a finding about a whole
// file); a finding about no file (a phone with no configuration, say) is a tool execution
// notification instead. Paths are relative to the repository's root (paths.ts), under the base id
// SRCROOT whose absolute URI is given when known.
import { pathToFileURL } from 'node:url';
import type { CheckResult } from '../checkTree.js';
import { sortFindings, type Finding, type Severity } from '../finding.js';
import { ruleTitle } from '../ruleTitles.js';
import { describeChoice } from './choiceText.js';
import { repositoryPath, type PathBase } from './paths.js';
import { phonesText } from './summary.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  note: 'note',
};
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const BASE_ID = 'SRCROOT';
const ROOT_TEXT: Record<PathBase['how'], string> = {
  'path-prefix': 'The folder that --path-prefix leads from to the checked tree',
  git: 'The top of the git work tree the checked tree is in',
  'current-folder': 'The folder autop check ran in',
  tree: 'The checked tree',
};

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export function renderCheckSarif(result: CheckResult, base: PathBase, version: string): string {
  const findings = sortFindings(result.findings);
  const rules: { id: string; finding: Finding }[] = [];
  const ruleIndex = new Map<string, number>();
  for (const f of findings) {
    if (ruleIndex.has(f.id)) continue;
    ruleIndex.set(f.id, rules.length);
    rules.push({ id: f.id, finding: f });
  }
  const text = (f: Finding): string => {
    const phones = phonesText(f);
    return `${f.message}${phones ? ` (${phones})` : ''}`;
  };
  const located = findings.filter((f) => f.file !== undefined);
  const unlocated = findings.filter((f) => f.file === undefined);
  const choice = describeChoice(result.choice);

  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'autop',
            version,
            rules: rules.map(({ id, finding }) => ({
              id,
              name: id.replace(/[^A-Za-z0-9]+/g, '-'),
              shortDescription: { text: ruleTitle(finding.kind, finding.rule) },
              properties: { rule: finding.rule, kind: finding.kind },
            })),
          },
        },
        ...(base.root !== undefined && {
          originalUriBaseIds: {
            [BASE_ID]: {
              uri: pathToFileURL(base.root.endsWith('/') ? base.root : `${base.root}/`).href,
              description: { text: ROOT_TEXT[base.how] },
            },
          },
        }),
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: [
              { level: 'note', message: { text: choice.summary }, descriptor: { id: 'models' } },
              ...unlocated.map((f) => ({
                level: LEVEL[f.severity],
                message: { text: text(f) },
                descriptor: { id: f.id },
                associatedRule: { id: f.id, index: ruleIndex.get(f.id)! },
              })),
            ],
          },
        ],
        results: located.map((f) => ({
          ruleId: f.id,
          ruleIndex: ruleIndex.get(f.id)!,
          level: LEVEL[f.severity],
          message: { text: text(f) },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodePath(repositoryPath(base, f.file!)), uriBaseId: BASE_ID },
                region: { startLine: f.line ?? 1 },
              },
            },
          ],
          properties: { phones: f.phones, sample: f.sample },
        })),
        properties: {
          strict: result.strict,
          models: choice.models,
          unknownModel: choice.unknown,
        },
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
