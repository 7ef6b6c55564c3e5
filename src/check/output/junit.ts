// `autop check --format junit`: one test case per phone, failed by that phone's errors, so that CI
// dashboards list phones; the other findings go in a second suite, one test case per file, failed
// by its errors. Warnings are listed in each case's system-out. The counts agree
// with the exit status: with `--strict` warnings are errors, hence failures, too.
import { XMLBuilder } from 'fast-xml-parser';
import type { CheckResult } from '../checkTree.js';
import { sortFindings, type Finding } from '../finding.js';
import { describeChoice } from './choiceText.js';

function where(f: Finding): string {
  return f.file === undefined ? '' : `${f.file}:${f.line ?? 1}: `;
}

function failure(f: Finding): Record<string, string> {
  return {
    '@_message': `${where(f)}${f.message}`,
    '@_type': f.id,
    '#text': `${where(f)}[${f.id}] ${f.message}`,
  };
}

/** The warnings and notes of a case, one a line, for its system-out. */
function notes(list: readonly Finding[]): Record<string, string> {
  if (list.length === 0) return {};
  return {
    'system-out': sortFindings(list)
      .map((f) => `${f.severity}: ${where(f)}[${f.id}] ${f.message}`)
      .join('\n'),
  };
}

export function renderCheckJunit(result: CheckResult, tree: string): string {
  const choice = describeChoice(result.choice);
  const properties = {
    property: [
      { '@_name': 'autop.models', '@_value': choice.summary },
      { '@_name': 'autop.strict', '@_value': String(result.strict) },
    ],
  };
  const phoneCases = result.phones.map((p) => {
    const errors = p.errors.map((id) => result.findings[id]!);
    const warnings = p.warnings.map((id) => result.findings[id]!);
    return {
      '@_classname': `autop.check.${p.model}`,
      '@_name': `${p.model} ${p.mac}${p.name !== undefined ? ` (${p.name})` : ''}`,
      ...(errors.length > 0 && { failure: sortFindings(errors).map(failure) }),
      ...notes(warnings),
    };
  });

  // Findings that no phone's case lists (about the tree alone, or about phones by MAC): by file,
  // errors failing the file's case, the rest in its system-out.
  const listed = new Set(result.phones.flatMap((p) => [...p.errors, ...p.warnings]));
  const byFile = new Map<string, Finding[]>();
  for (const f of sortFindings(result.findings.filter((_f, id) => !listed.has(id)))) {
    const key = f.file ?? '(tree)';
    const list = byFile.get(key);
    if (list) list.push(f);
    else byFile.set(key, [f]);
  }
  const treeCases = [...byFile].map(([file, list]) => {
    const errors = list.filter((f) => f.severity === 'error');
    return {
      '@_classname': 'autop.check.tree',
      '@_name': file,
      ...(errors.length > 0 && { failure: errors.map(failure) }),
      ...notes(list.filter((f) => f.severity !== 'error')),
    };
  });
  const failed = (cases: readonly object[]): number => cases.filter((c) => 'failure' in c).length;

  const suites = [
    {
      '@_name': `phones (${tree})`,
      '@_tests': phoneCases.length,
      '@_failures': failed(phoneCases),
      '@_errors': 0,
      properties,
      testcase: phoneCases,
    },
    ...(treeCases.length > 0
      ? [
          {
            '@_name': `tree (${tree})`,
            '@_tests': treeCases.length,
            '@_failures': failed(treeCases),
            '@_errors': 0,
            properties,
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
    // `value="true"`, not a bare `value` (which is no XML): the Jenkins schema check caught it.
    suppressBooleanAttributes: false,
  });
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'autop check',
      '@_tests': phoneCases.length + treeCases.length,
      '@_failures': failed(phoneCases) + failed(treeCases),
      '@_errors': 0,
      testsuite: suites,
    },
  });
}
