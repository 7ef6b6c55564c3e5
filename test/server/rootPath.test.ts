import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestPath } from '../../src/server/rootPath.js';

describe('serving below the root only: request paths', () => {
  it('decodes segments once and drops empty and . ones', () => {
    expect(requestPath('/phones/00156574b150.cfg?x=1')).toEqual({
      kind: 'path',
      segments: ['phones', '00156574b150.cfg'],
    });
    expect(requestPath('/HTTP%20Directory/./sip.cfg')).toEqual({
      kind: 'path',
      segments: ['HTTP Directory', 'sip.cfg'],
    });
    expect(requestPath('http://10.2.5.25/a//b.cfg')).toEqual({ kind: 'path', segments: ['a', 'b.cfg'] });
  });

  it.each([
    '/../etc/passwd',
    '/%2e%2e/etc/passwd',
    '/%2E%2e/x',
    '/.%2e/x',
    '/a/..%2f..%2fx',
    '/a/%2e%2e%5cx',
    '/a/b/..',
    'http://h/../x',
  ])('refuses %s', (target) => {
    expect(requestPath(target).kind).toBe('outside');
  });

  it('calls broken encoding and NUL bad requests', () => {
    expect(requestPath('/%zz').kind).toBe('bad');
    expect(requestPath('/a%00.cfg').kind).toBe('bad');
    expect(requestPath('*').kind).toBe('bad');
  });

  it('never yields a segment that is .. or holds a slash, whatever the target', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', '.', '..', '%2e', '%2E', '%2f', '%5c', '/', '%', '2e', 'b.cfg')),
        (parts) => {
          const result = requestPath(`/${parts.join('')}`);
          if (result.kind === 'path') {
            for (const segment of result.segments) {
              expect(segment).not.toBe('..');
              expect(segment).not.toMatch(/[/\\]/);
            }
          }
        },
      ),
    );
  });
});
