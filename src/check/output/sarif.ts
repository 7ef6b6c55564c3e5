// `autop check --format sarif`: SARIF 2.1.0, for code scanning to show findings on the lines of a
// pull request. Paths are relative to the tree, under the base id TREE whose absolute URI is given.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { CheckResult } from '../checkTree.js';
import { sortFindings, type Finding, type Severity } from '../finding.js';
import { ruleTitle } from '../ruleTitles.js';
import { phonesText } from './summary.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  note: 'note',
};
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export function renderCheckSarif(result: CheckResult, tree: string, version: string): string {
  const findings = sortFindings(result.findings);
  const rules: { id: string; finding: Finding }[] = [];
  const ruleIndex = new Map<string, number>();
  for (const f of findings) {
    if (ruleIndex.has(f.id)) continue;
    ruleIndex.set(f.id, rules.length);
    rules.push({ id: f.id, finding: f });
  }
  const treeUri = pathToFileURL(resolve(tree) + '/').href;
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
        originalUriBaseIds: { TREE: { uri: treeUri } },
        results: findings.map((f) => {
          const phones = phonesText(f);
          return {
            ruleId: f.id,
            ruleIndex: ruleIndex.get(f.id)!,
            level: LEVEL[f.severity],
            message: { text: `${f.message}${phones ? ` (${phones})` : ''}` },
            ...(f.file !== undefined && {
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: {
                      uri: f.file.split('/').map(encodeURIComponent).join('/'),
                      uriBaseId: 'TREE',
                    },
                    ...(f.line !== undefined && { region: { startLine: f.line } }),
                  },
                },
              ],
            }),
            properties: { phones: f.phones, sample: f.sample },
          };
        }),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
