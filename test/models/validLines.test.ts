// `autop check` on a tree written the way public templates render (issue #12): the families that
// 4-5 independent sources set, with realistic values, give no unknown-parameter or range finding.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTreeAt } from '../support/check.js';

// Shaped like FusionPBX/Wazo/3CX output: CRLF, odd spacing, %NULL%, two accounts of a T46U.
const COMMON = [
  '#!version:1.0.0.1',
  'auto_provision.mode = 7',
  'static.network.vlan.internet_port_vid = 0',
  'action_url.setup_completed = http://pbx.example.com/yealink/setup?mac=$mac',
  'action_url.incoming_call = http://pbx.example.com/yealink/incoming?mac=$mac&call_id=$call_id',
  'action_url.off_hook = %NULL%',
  'account.1.enable = 1',
  'account.1.label =   Reception',
  'account.1.sip_server.1.address=pbx.example.com',
  'account.1.sip_server.1.port = 0',
  'account.1.sip_server.1.transport_type = 3',
  'account.1.outbound_proxy_enable = 1',
  'account.1.outbound_host = sbc.example.com',
  'account.1.outbound_port = 5060',
  'account.1.transport = 3',
  'account.1.naptr_build = 0',
  'account.1.100rel_enable = 0',
  'account.1.shared_line = 0',
  'account.1.reg_fail_retry_interval = 30',
  'account.1.anonymous_call_oncode = *67',
  'account.1.anonymous_call_offcode = *68',
  'account.1.dnd.enable = 0',
  'account.1.dnd.on_code = *78',
  'account.1.dnd.off_code = *79',
  'account.1.always_fwd.enable = 0',
  'account.1.always_fwd.target = 200',
  'account.1.busy_fwd.on_code = *90',
  'account.1.timeout_fwd.timeout = 20',
  'account.1.codec.g723_53.enable = 0',
  'account.1.codec.g723_63.enable = 0',
  'account.1.codec.ilbc.enable = 0',
  'account.1.codec.g726_16.enable = 0',
  'account.1.codec.g726_24.enable = 0',
  'account.1.codec.g726_40.enable = 0',
  'account.1.codec.opus.enable = 1',
  'account.1.codec.opus.priority = 1',
  'account.1.codec.g722.enable = 1',
  'account.2.sip_server.2.port = 0',
  'account.2.outbound_proxy.1.port = 0',
  '',
].join('\r\n');

const MAC = '001565000001';

describe('issue #12: lines that real templates write are neither unknown nor out of range', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autop-valid-lines-'));
    await writeFile(join(dir, `${MAC}.boot`), '#!version:1.0.0.1\ninclude:config "common.cfg"\n');
    await writeFile(join(dir, 'common.cfg'), COMMON);
    await writeFile(join(dir, 'inventory.csv'), 'mac,model\n00:15:65:00:00:01,T46U\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives no catalogue finding on the families that 4-5 sources set', async () => {
    const result = await checkTreeAt(dir);
    const catalogueFindings = result.findings.filter((f) => f.id.startsWith('catalogue/'));
    expect(catalogueFindings.map((f) => `${f.line ?? ''} ${f.message}`)).toEqual([]);
    expect(result.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });
});
