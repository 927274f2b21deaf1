import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';
import { STRICT_CURL } from '../support/strict-curl.js';

const run = promisify(execFile);
const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');

/** The README's "Examples" shell block, pointed at this test's gateway, with the waits dropped (instant transitions). */
function examplesScript(base: string): string {
  const section = readme.slice(readme.indexOf('### Examples'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README has no Examples sh block');
  return block.replaceAll('http://127.0.0.1:8000', base).replace(/^sleep \d+.*$/gm, 'sleep 0');
}


describe('README examples', () => {
  let stack: Stack;
  beforeAll(async () => { stack = await startStack('v3'); });
  afterAll(async () => { await stack.close(); });

  it('every curl of the Examples block answers 200 with the envelope against the demo setup', async () => {
    const script = examplesScript(stack.base);
    expect(script.match(/curl -sS/g)?.length).toBeGreaterThanOrEqual(12);
    const { stdout } = await run('bash', ['-c', STRICT_CURL + script]).catch((e: { stdout: string; stderr: string }) => { throw new Error(`${e.stdout}\n${e.stderr}`); });
    const lines = stdout.trim().split('\n').filter((l) => l.startsWith('{'));
    expect(lines.length).toBe(12); // the ID lookup feeds node, not stdout
    const last = JSON.parse(lines.at(-1)!);
    expect(Object.keys(last.data.value.body)).toEqual(['RequestId']);
  });
});
