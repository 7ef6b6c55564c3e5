// The first section of a report when the phone looked for its server (issue #6 §6): every S1
// source, what it said, and which one won.
import pc from 'picocolors';
import { SOURCE_TITLES, describeHeard, type DiscoveryReport } from '../discovery/chain.js';

export function renderDiscovery(report: DiscoveryReport): string {
  const c = pc;
  const lines = [c.bold('Where the server address came from (S1)')];
  const width = report.sources.reduce((w, s) => Math.max(w, SOURCE_TITLES[s.source].length), 0);
  for (const { source, heard, won } of report.sources) {
    const mark = won ? c.green('won ') : heard.kind === 'address' ? 'also' : '    ';
    const text = describeHeard(heard);
    const shown =
      heard.kind === 'invalid' ? c.yellow(`invalid: ${text}`) : heard.kind === 'address' ? text : c.dim(text);
    lines.push(`  ${mark} ${SOURCE_TITLES[source].padEnd(width)}  ${shown}`);
  }
  if (!report.winner) lines.push('  no source gave an address');
  if (report.lease) {
    const l = report.lease;
    lines.push(
      `  DHCP lease: ${l.address}${l.netmask ? `/${l.netmask}` : ''}${l.router ? ` router ${l.router}` : ''}${l.dns.length > 0 ? ` dns ${l.dns.join(', ')}` : ''} from ${l.server}`,
    );
  }
  if (report.ipv6Address) lines.push(`  DHCPv6 address: ${report.ipv6Address}`);
  for (const problem of report.problems) lines.push(c.yellow(`  setting: ${problem}`));
  for (const ignored of report.ignored) lines.push(c.yellow(`  ignored: ${ignored}`));
  return lines.join('\n') + '\n\n';
}
