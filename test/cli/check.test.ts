import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('autop check from the command line', () => {
  it('passes the bundled site with its inventory', async () => {
    const { code, stdout } = await runCli([
      'check',
      'fixtures/site',
      '--inventory',
      'fixtures/site/inventory.csv',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('6 of 6 phones without errors');
  });

  it('fails with file and line on a broken tree', async () => {
    const { code, stdout } = await runCli([
      'check',
      'fixtures/broken/missing-include',
      '--inventory',
      'fixtures/broken/missing-include/inventory.csv',
    ]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/001565000001\.boot\n\s+3\s+error\s+B3\/missing-include/);
  });

  it('refuses to pass a tree it could check no phone of', async () => {
    const { code, stderr } = await runCli(['check', 'fixtures/broken/missing-include']);
    expect(code).toBe(2);
    expect(stderr).toContain('give --inventory FILE');
  });
});
