/**
 * Optional persistence of the emulator's state to one JSON file, so a restart keeps the
 * instances. Writes are atomic (temp file in the same directory, then rename) so a crash
 * mid-write leaves the previous file intact, debounced because a burst of calls changes
 * state many times, and serialised so two writes never race on the rename.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

const FORMAT = 'ecs-emulator-state';
const FORMAT_VERSION = 1;

/** Reads the snapshot saved in `path`; undefined when the file does not exist. Throws on a corrupt file. */
export function loadStateFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const doc = JSON.parse(text) as { format?: unknown; version?: unknown; state?: unknown };
  if (doc.format !== FORMAT || doc.version !== FORMAT_VERSION) {
    throw new Error(`${path} is not an ${FORMAT} v${FORMAT_VERSION} file`);
  }
  return doc.state;
}

/** Writes `path` atomically: temp file, then rename over the target. */
export async function writeStateFileAtomic(path: string, state: unknown): Promise<void> {
  const doc = { format: FORMAT, version: FORMAT_VERSION, savedAt: new Date().toISOString(), state };
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await mkdir(dirname(path), { recursive: true });
  try {
    await writeFile(tmp, JSON.stringify(doc), 'utf8');
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Debounced, serialised writer of `snapshot()` into `path`. */
export class StateFileWriter {
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly snapshot: () => unknown,
    private readonly debounceMs = 50,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** Asks for a save soon; many calls within the debounce window make one write. */
  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.enqueue();
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Writes now if a save is pending, and waits for every write in flight. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      await this.enqueue();
    }
    await this.chain;
  }

  private enqueue(): Promise<void> {
    // Snapshot at write time so the file holds the latest state, not the one that scheduled it.
    this.chain = this.chain
      .then(() => writeStateFileAtomic(this.path, this.snapshot()))
      .catch((err: unknown) => this.onError(err));
    return this.chain;
  }
}
