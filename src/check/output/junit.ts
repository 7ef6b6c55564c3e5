// `autop check --format junit`: one test case per phone, failed by that phone's error findings, so
// that CI dashboards list phones; findings that concern no phone go in a second suite, one test
// case per file.
import { XMLBuilder } from 'fast-xml-parser';
import type { CheckResult } from '../checkTree.js';
import { sortFindings, type Finding } from '../finding.js';

function where(f: Finding): string {
  return f.file === undefined ? '' : `${f.file}${f.line !== undefined ? `:${f.line}` : ''}: `;
}

function failure(f: Finding): Record<string, string> {
  return {
    '@_message': `${where(f)}${f.message}`,
    '@_type': f.id,
    '#text': `${where(f)}[${f.id}] ${f.message}`,
  };
}

export function renderCheckJunit(result: CheckResult, tree: string): string {
  const phoneCases = result.phones.map((p) => {
    const errors = p.errors.map((id) => result.findings[id]!);
    return {
      '@_classname': `autop.check.${p.model}`,
      '@_name': `${p.model} ${p.mac}${p.name !== undefined ? ` (${p.name})` : ''}`,
      ...(errors.length > 0 && { failure: sortFindings(errors).map(failure) }),
      ...(p.warnings > 0 && { 'system-out': `${p.warnings} warning(s); see the full report` }),
    };
  });
  const treeErrors = sortFindings(result.findings.filter((f) => f.phones === 0 && f.severity === 'error'));
  const byFile = new Map<string, Finding[]>();
  for (const f of treeErrors) byFile.set(f.file ?? '(tree)', [...(byFile.get(f.file ?? '(tree)') ?? []), f]);
  const treeCases = [...byFile].map(([file, list]) => ({
    '@_classname': 'autop.check.tree',
    '@_name': file,
    failure: list.map(failure),
  }));
  const phoneFailures = phoneCases.filter((c) => 'failure' in c).length;

  const suites = [
    {
      '@_name': `phones (${tree})`,
      '@_tests': phoneCases.length,
      '@_failures': phoneFailures,
      '@_errors': 0,
      testcase: phoneCases,
    },
    ...(treeCases.length > 0
      ? [
          {
            '@_name': `tree (${tree})`,
            '@_tests': treeCases.length,
            '@_failures': treeCases.length,
            '@_errors': 0,
            testcase: treeCases,
          },
        ]
      : []),
  ];
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    format: true,
    suppressEmptyNode: true,
  });
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'autop check',
      '@_tests': phoneCases.length + treeCases.length,
      '@_failures': phoneFailures + treeCases.length,
      '@_errors': 0,
      testsuite: suites,
    },
  });
}
