import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadStateFile, StateFileWriter, writeStateFileAtomic } from '../../src/emulator/persistence.js';
import { fsSpy } from './fs-spy.js';

vi.mock('node:fs/promises', async (real) => (await import('./fs-spy.js')).spiedFsPromises(await real()));
afterEach(() => {
  fsSpy.crashWrites = false;
});

const dir = () => mkdtempSync(join(tmpdir(), 'ecs-emu-'));

describe('state file', () => {
  it('round-trips a snapshot and leaves no temp file behind', async () => {
    const d = dir();
    const file = join(d, 'nested', 'state.json');
    await writeStateFileAtomic(file, { instances: ['i-1'] });
    expect(loadStateFile(file)).toEqual({ instances: ['i-1'] });
    expect(readdirSync(join(d, 'nested'))).toEqual(['state.json']);
  });

  it('a write that dies midway leaves the previous file whole and no temp file behind', async () => {
    const d = dir();
    const file = join(d, 'state.json');
    await writeStateFileAtomic(file, { instances: ['i-1'] });
    fsSpy.crashWrites = true;
    await expect(writeStateFileAtomic(file, { instances: ['i-1', 'i-2'], padding: 'x'.repeat(1000) })).rejects.toThrow(/ENOSPC/);
    expect(loadStateFile(file)).toEqual({ instances: ['i-1'] });
    expect(readdirSync(d)).toEqual(['state.json']);
  });

  it('treats a missing file as no state and refuses a foreign or corrupt one', () => {
    const d = dir();
    expect(loadStateFile(join(d, 'absent.json'))).toBeUndefined();
    writeFileSync(join(d, 'other.json'), '{"hello":1}');
    expect(() => loadStateFile(join(d, 'other.json'))).toThrow(/not an ecs-emulator-state/);
    writeFileSync(join(d, 'bad.json'), '{');
    expect(() => loadStateFile(join(d, 'bad.json'))).toThrow();
  });

  it('debounces bursts into one write of the latest snapshot, and flush writes pending state', async () => {
    const d = dir();
    const file = join(d, 'state.json');
    let value = 0;
    let snapshots = 0;
    const writer = new StateFileWriter(file, () => (snapshots++, { value }), 10_000);
    for (value = 1; value <= 5; value++) writer.schedule();
    await writer.flush();
    expect(snapshots).toBe(1);
    expect(JSON.parse(readFileSync(file, 'utf8')).state).toEqual({ value: 6 });
    await writer.flush();
    expect(snapshots).toBe(1);
  });
});
