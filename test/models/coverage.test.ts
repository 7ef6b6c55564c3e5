// Reading parameter names out of provisioning templates (issue #12 §1): template syntax, index
// normalisation, the shapes real template trees take, and the coverage figures built from them.
import { describe, expect, it } from 'vitest';
import {
  combineCoverage,
  extractParameterNames,
  familyOf,
  instanceOf,
  measureCoverage,
  normaliseParameterName,
  templateFileKind,
  type TemplateFileKind,
} from '../../src/models/coverage.js';
import { ParameterCatalogue, type ParametersFile } from '../../src/models/parameters.js';

function names(text: string, kind: TemplateFileKind = 'cfg'): string[] {
  return extractParameterNames(text, kind).names.map((n) => n.name);
}

describe('reading names through template syntax', () => {
  it('turns a Smarty placeholder that is a whole segment into an index', () => {
    const text = [
      '#!version:1.0.0.1',
      '{foreach $lines as $row}',
      'account.{$row.line_number}.label = {$row.label}',
      '{if $row.server_address_secondary}account.{$row.line_number}.sip_server.2.address = {$row.server_address_secondary}{/if}',
      '{/foreach}',
    ].join('\n');
    const found = extractParameterNames(text, 'cfg').names;
    expect(found.map((n) => [n.name, n.indexes, n.line])).toEqual([
      ['account.{n}.label', [null], 3],
      ['account.{n}.sip_server.{m}.address', [null, 2], 4],
    ]);
  });

  it('reads names behind Smarty statements with nested placeholders, and skips Smarty comments', () => {
    const text = [
      "{if $account.{$row.line_number}.sip_transport == 'tls'}account.{$row.line_number}.sip_server.1.transport_type = 2{/if}",
      '{* a comment that spans',
      'lines and mentions fake.name = 1 *}',
      '{if isset($dns)}network.static_dns_enable = 1{else}network.static_dns_enable = 0{/if}',
    ].join('\n');
    const found = extractParameterNames(text, 'cfg').names;
    expect(found.map((n) => [n.name, n.value, n.line])).toEqual([
      ['account.{n}.sip_server.{m}.transport_type', '2', 1],
      ['network.static_dns_enable', '1', 4],
    ]);
  });

  it('reads Jinja loops and expressions, and skips Jinja comments', () => {
    const text = [
      '{% for line_no, line in XX_sip_lines.items() if line -%}',
      'account.{{ line_no }}.enable = 1',
      "account.{{ line_no }}.user_name = {{ line['username'] }}",
      '{%- endfor %}',
      '{# commented.out = 1',
      '   over two lines #}',
      'features.caller_name_type_on_dialing = {{- XX_name_type -}}',
    ].join('\n');
    const found = extractParameterNames(text, 'cfg').names;
    expect(found.map((n) => [n.name, n.value, n.line])).toEqual([
      ['account.{n}.enable', '1', 2],
      ['account.{n}.user_name', null, 3],
      ['features.caller_name_type_on_dialing', null, 7],
    ]);
  });

  it('treats 3CX %%macros%% and {IF}/{ELSE} statements as template syntax', () => {
    const text = [
      '{IF ua=SIP-T27P}',
      'account.1.label = %%extension_first_name%% %%extension_last_name%%',
      '{ELSE}',
      'expansion_module.1.key.%%key%%.type = 16',
      '{ENDIF}',
    ].join('\n');
    expect(names(text)).toEqual(['account.{n}.label', 'expansion_module.{n}.key.{m}.type']);
  });

  it('leaves out a name the template builds from pieces, and a line that is not a name', () => {
    const found = extractParameterNames(
      ['{$prefix}.label = x', 'linekey.1{$suffix}.type = 15', 'features.password_dial.enabl e = 1'].join('\n'),
      'cfg',
    );
    expect(found.names).toEqual([]);
    expect(found.skipped.map((s) => [s.line, s.reason])).toEqual([
      [1, 'templated'],
      [2, 'templated'],
      [3, 'not-a-name'],
    ]);
  });
});

describe('reading names from files as they are written', () => {
  it('copes with CRLF, a BOM, odd spacing, tabs and lines without spaces around =', () => {
    const text = '\ufeff#!version:1.0.0.1\r\n  account.2.sip_server.1.address=pbx.example.com\r\n\tlinekey.3.type   =   15\r\n';
    const found = extractParameterNames(text, 'cfg').names;
    expect(found.map((n) => [n.name, n.value, n.line])).toEqual([
      ['account.{n}.sip_server.{m}.address', 'pbx.example.com', 2],
      ['linekey.{n}.type', '15', 3],
    ]);
  });

  it('strips a [$MODEL] prefix (spec C3)', () => {
    expect(names('[T46U, T48U] static.auto_provision.power_on = 1\n[T23G]account.1.enable = 1')).toEqual([
      'static.auto_provision.power_on',
      'account.{n}.enable',
    ]);
  });

  it('skips comments, commented-out settings and banners, and keeps %NULL% as a value', () => {
    const text = [
      '#!version:1.0.0.1',
      '##################################',
      '#account.1.label = commented out',
      '  # features.dnd.enable = 1',
      'account.1.label = %NULL%',
    ].join('\n');
    const found = extractParameterNames(text, 'cfg').names;
    expect(found.map((n) => [n.name, n.value])).toEqual([['account.{n}.label', '%NULL%']]);
  });

  it('reads only the CDATA sections of an XML file, keeping its line numbers', () => {
    const text = [
      '<doc>',
      '  <option value="LOCALLAN">1</option>',
      '  <file><![CDATA[#!version:1.0.0.1',
      'account.1.enable = 1',
      ']]></file>',
      '  <item name="a.b">c = d</item>',
      '</doc>',
    ].join('\n');
    const found = extractParameterNames(text, 'xml').names;
    expect(found.map((n) => [n.name, n.line])).toEqual([['account.{n}.enable', 4]]);
  });

  it('stops at the first INI [ section ], the format of firmware before V70', () => {
    const text = ['account.1.enable = 1', '[ DialNow ]', 'path = /tmp/dialnow.xml', 'url = x'].join('\n');
    expect(extractParameterNames(text, 'cfg')).toMatchObject({ names: [{ name: 'account.{n}.enable' }], iniFrom: 2 });
  });

  it('does not count the boot file keys of spec B6/B7 in a boot file, nor its include lines', () => {
    const boot = '#!version:1.0.0.1\ninclude:config "common.cfg"\noverwrite_mode = 1\nspecific_model.excluded_mode = 0\n';
    expect(names(boot, 'boot')).toEqual([]);
    expect(names(boot, 'cfg')).toEqual(['overwrite_mode', 'specific_model.excluded_mode']);
  });

  it('knows which files hold CFG lines by their names', () => {
    expect(['y000000000028.cfg', 'base.tpl', 'x.j2', 'x.jinja', 'y000000000000.boot', 'yealinkT4x.ph.xml', 'README.md'].map(
      (p) => templateFileKind(p) ?? null,
    )).toEqual(['cfg', 'cfg', 'cfg', 'cfg', 'boot', 'xml', null]);
  });
});

describe('normalising names the way the catalogue writes them', () => {
  it('writes numeric segments as {n}, {m}, ... in order', () => {
    expect(normaliseParameterName('expansion_module.2.key.17.label')).toEqual({
      kind: 'name',
      name: 'expansion_module.{n}.key.{m}.label',
      indexes: [2, 17],
    });
  });

  it("reads Yealink's own X, Y, * and %d index conventions as indexes", () => {
    for (const raw of ['account.X.codec.Y.enable', 'account.x.codec.y.enable', 'account.*.codec.%d.enable']) {
      expect(normaliseParameterName(raw)).toEqual({
        kind: 'name',
        name: 'account.{n}.codec.{m}.enable',
        indexes: [null, null],
      });
    }
  });

  it('does not take digits inside a segment for an index', () => {
    expect(normaliseParameterName('account.1.codec.g723_53.enable')).toMatchObject({
      name: 'account.{n}.codec.g723_53.enable',
    });
    expect(normaliseParameterName('network.802_1x.mode')).toMatchObject({ name: 'network.802_1x.mode' });
  });

  it('fills indexes back in: the written values, 1 for placeholders', () => {
    expect(instanceOf('account.{n}.sip_server.{m}.port', [null, 2])).toBe('account.1.sip_server.2.port');
  });

  it('groups names into families', () => {
    expect(
      [
        'account.{n}.codec.g723_53.enable',
        'account.{n}.transport',
        'features.dnd.enable',
        'static.network.vlan.internet_port_vid',
        'action_url.setup_completed',
      ].map(familyOf),
    ).toEqual(['account.{n}.codec.*', 'account.{n}.*', 'features.dnd.*', 'static.network.vlan.*', 'action_url.*']);
  });
});

describe('coverage of a source by a catalogue', () => {
  const file: ParametersFile = {
    groups: [
      {
        name: 'test',
        source: 'inline',
        parameters: [
          { name: 'account.{n}.label', type: 'string', default: '', index: { n: [1, 16] } },
          { name: 'features.dnd.enable', type: 'bool', default: '0' },
        ],
      },
    ],
    rebootPatterns: [],
  };
  const catalogue = new ParameterCatalogue(file);

  it('counts distinct names, known and unknown, by family, and indexes the catalogue does not admit', () => {
    const report = measureCoverage(
      'site',
      [
        { path: 'a.cfg', text: 'account.1.label = A\naccount.20.label = B\nfeatures.dnd.enable = 1\n' },
        { path: 'b.tpl', text: 'account.{{ n }}.label = x\naccount.1.dnd.on_code = *78\naccount.1.dnd.off_code = *79\n' },
        { path: 'notes.md', text: 'not.a.template = 1\n' },
      ],
      catalogue,
    );
    expect(report).toMatchObject({ files: 2, distinct: 4, known: 2, unknown: 2, percent: 50 });
    expect(report.unknownFamilies).toEqual([
      { family: 'account.{n}.dnd.*', count: 2, names: ['account.{n}.dnd.off_code', 'account.{n}.dnd.on_code'] },
    ]);
    const label = report.names.find((n) => n.name === 'account.{n}.label');
    expect(label).toMatchObject({ known: true, occurrences: 2, outsideIndexRange: ['n=1..20 (catalogue 1-16)'] });
  });

  it('counts a name once over several sources', () => {
    const a = measureCoverage('a', [{ path: 'a.cfg', text: 'features.dnd.enable = 1\nfoo.bar = 1\n' }], catalogue);
    const b = measureCoverage('b', [{ path: 'b.cfg', text: 'features.dnd.enable = 0\nfoo.baz = 1\n' }], catalogue);
    expect(combineCoverage('all', [a, b])).toMatchObject({ distinct: 3, known: 1, unknown: 2, files: 2 });
  });
});
