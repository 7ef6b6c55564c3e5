// The completed server transactions the endpoint remembers (RFC 3261 §17.2.2 Timer J), bounded.
import { describe, expect, it } from 'vitest';
import { parseSipMessage, type SipRequest } from '../../src/sip/message.js';
import {
  completeServerTransaction,
  ServerTransactionTable,
  stepServerTransaction,
  TIMER_J,
  transactionId,
} from '../../src/sip/serverTransactions.js';

const PBX = { address: '10.0.0.1', port: 5060 };

function notify(branch: string, cseq = 1, method = 'NOTIFY'): SipRequest {
  const parsed = parseSipMessage(
    [
      `${method} sip:1001@10.0.0.50 SIP/2.0`,
      `Via: SIP/2.0/UDP 10.0.0.1:5060;branch=${branch}`,
      'From: <sip:pbx@10.0.0.1>;tag=1',
      'To: <sip:1001@10.0.0.50>',
      'Call-ID: c1',
      `CSeq: ${cseq} ${method}`,
      '',
      '',
    ].join('\r\n'),
  );
  if (parsed.kind !== 'request') throw new Error('not a request');
  return parsed;
}

const id = (request: SipRequest) => transactionId(request)!;

describe('server transaction table', () => {
  it('matches a retransmission by branch and sent-by (RFC 3261 §17.2.3), until Timer J', () => {
    const table = new ServerTransactionTable();
    table.remember(id(notify('z9hG4bK1')), 'SIP/2.0 200 OK', PBX, 0);
    expect(table.find(id(notify('z9hG4bK1')), TIMER_J - 1)?.response).toBe('SIP/2.0 200 OK');
    expect(table.find(id(notify('z9hG4bK2')), 0)).toBeUndefined();
    expect(table.find(id(notify('z9hG4bK1', 2)), 0)).toBeUndefined();
    expect(table.find(id(notify('z9hG4bK1')), TIMER_J)).toBeUndefined();
    expect(table.size).toBe(0);
  });

  it('matches RFC 2543 requests (no magic cookie) by their Call-ID, tags, CSeq and Via', () => {
    const table = new ServerTransactionTable();
    table.remember(id(notify('old1')), 'SIP/2.0 200 OK', PBX, 0);
    expect(table.find(id(notify('old1')), 1)).toBeDefined();
    expect(table.find(id(notify('old1', 2)), 1)).toBeUndefined();
  });

  it('finds the request a CANCEL names, but not another CANCEL', () => {
    const table = new ServerTransactionTable();
    table.remember(id(notify('z9hG4bK1')), 'SIP/2.0 200 OK', PBX, 0);
    expect(table.findCancelled(id(notify('z9hG4bK1', 1, 'CANCEL')), 1)?.method).toBe('NOTIFY');
    table.remember(id(notify('z9hG4bK9', 1, 'CANCEL')), 'SIP/2.0 481', PBX, 0);
    expect(table.findCancelled(id(notify('z9hG4bK9', 1, 'CANCEL')), 1)).toBeUndefined();
  });

  it('forgets the oldest transaction first when full', () => {
    const table = new ServerTransactionTable(2);
    for (const [i, branch] of ['z9hG4bKa', 'z9hG4bKb', 'z9hG4bKc'].entries())
      table.remember(id(notify(branch)), branch, PBX, i);
    expect(table.size).toBe(2);
    expect(table.find(id(notify('z9hG4bKa')), 3)).toBeUndefined();
    expect(table.find(id(notify('z9hG4bKc')), 3)?.response).toBe('z9hG4bKc');
  });
});

describe('a non-INVITE server transaction answered at once (RFC 3261 §17.2.2)', () => {
  const OK = 'SIP/2.0 200 OK';
  const { state: completed, effects } = completeServerTransaction('NOTIFY', OK, PBX, 1000);

  it('sends its final response and is Completed for Timer J', () => {
    expect(effects).toEqual([{ kind: 'send', message: OK, to: PBX }]);
    expect(completed).toMatchObject({ name: 'completed', expiresAt: 1000 + TIMER_J });
  });

  it.each([
    [
      'a retransmission gets the same response',
      { kind: 'request' } as const,
      1000 + TIMER_J - 1,
      'completed',
      1,
    ],
    [
      'time passing changes nothing before Timer J',
      { kind: 'tick' } as const,
      1000 + TIMER_J - 1,
      'completed',
      0,
    ],
    ['Timer J ends it: nothing sent again', { kind: 'request' } as const, 1000 + TIMER_J, 'terminated', 0],
  ])('%s', (_when, event, now, name, sends) => {
    const step = stepServerTransaction(completed, event, now);
    expect(step.state.name).toBe(name);
    expect(step.effects).toHaveLength(sends);
  });
});
