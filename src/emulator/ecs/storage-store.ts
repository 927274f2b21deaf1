/**
 * Reads and changes of the storage records (StoreData.storage) for the storage actions. Like instances,
 * statuses settle lazily against the clock: each transition (Creating, Attaching, Detaching, a progressing
 * snapshot, a Creating image) lasts `transitionMs`.
 *
 *   CreateDisk:     Creating  -> Available
 *   AttachDisk:     Available -> Attaching -> In_use
 *   DetachDisk:     In_use    -> Detaching -> Available
 *   CreateSnapshot: progressing (0%) -> accomplished (100%)
 *   CreateImage:    Creating -> Available
 */
import type { ActionEnv } from './actions/context.js';
import { EcsErrors } from './errors.js';
import type { Params } from './params.js';
import { StorageErrors } from './storage-errors.js';
import type { DiskStatus, StorageData, StoredDisk, StoredImage, StoredSnapshot } from './storage-model.js';
import { COMMON_PARAMS } from '../common-params.js';

/** Applies every scheduled status change of a disk due at `now`. */
export function settleDisk(d: StoredDisk, now: number): StoredDisk {
  while (d.schedule.length > 0 && d.schedule[0]!.at <= now) {
    const next = d.schedule.shift()!;
    const was = d.status;
    d.status = next.status;
    if (next.status === 'In_use') {
      d.attachedTime = next.at;
      d.everAttached = true;
    }
    if (next.status === 'Available' && was === 'Detaching') {
      d.instanceId = '';
      d.device = '';
      d.detachedTime = next.at;
    }
  }
  return d;
}

/** Enters `path[0]` now and each following status `transitionMs` later. */
export function beginDisk(d: StoredDisk, path: readonly DiskStatus[], env: ActionEnv): void {
  const [first, ...rest] = path;
  d.status = first!;
  d.schedule = rest.map((status, i) => ({ status, at: env.now + (i + 1) * env.transitionMs }));
  settleDisk(d, env.now);
}

function settleSnapshot(s: StoredSnapshot, now: number): StoredSnapshot {
  if (s.status === 'progressing' && s.readyAt <= now) s.status = 'accomplished';
  return s;
}

function settleImage(m: StoredImage, now: number): StoredImage {
  if (m.status === 'Creating' && m.readyAt <= now) m.status = 'Available';
  return m;
}

const bySeq = (a: { seq: number }, b: { seq: number }): number => a.seq - b.seq;

function data(env: ActionEnv): StorageData {
  return env.store.storage();
}

/** The caller's disks (in a region, or all), settled, in creation order. */
export function disksOf(env: ActionEnv, regionId?: string): StoredDisk[] {
  return data(env)
    .disks.filter((d) => d.account === env.account && (regionId === undefined || d.regionId === regionId))
    .map((d) => settleDisk(d, env.now))
    .sort(bySeq);
}

/** One of the caller's disks in any region (DiskId alone names it), or InvalidDiskId.NotFound. */
export function requireDisk(env: ActionEnv, diskId: string): StoredDisk {
  const d = data(env).disks.find((x) => x.diskId === diskId && x.account === env.account);
  if (!d) throw StorageErrors.diskNotFound();
  return settleDisk(d, env.now);
}

/** The disks attached (or being attached) to an instance, settled. */
export function disksOfInstance(env: ActionEnv, instanceId: string): StoredDisk[] {
  return disksOf(env).filter((d) => d.instanceId === instanceId);
}

/** Stores a new disk. */
export function addDisk(env: ActionEnv, d: StoredDisk): void {
  data(env).disks.push(d);
}

/** Forgets disks of the caller. */
export function removeDisks(env: ActionEnv, diskIds: ReadonlySet<string>): void {
  const s = data(env);
  s.disks = s.disks.filter((d) => !(d.account === env.account && diskIds.has(d.diskId)));
}

/** Whether a disk ID is used by anyone (IDs are globally unique). */
export function diskIdTaken(env: ActionEnv, diskId: string): boolean {
  return data(env).disks.some((d) => d.diskId === diskId);
}

/** The caller's snapshots (in a region, or all), settled, in creation order. */
export function snapshotsOf(env: ActionEnv, regionId?: string): StoredSnapshot[] {
  return data(env)
    .snapshots.filter((s) => s.account === env.account && (regionId === undefined || s.regionId === regionId))
    .map((s) => settleSnapshot(s, env.now))
    .sort(bySeq);
}

/** One of the caller's snapshots in any region, settled. */
export function findSnapshot(env: ActionEnv, snapshotId: string): StoredSnapshot | undefined {
  const s = data(env).snapshots.find((x) => x.snapshotId === snapshotId && x.account === env.account);
  return s && settleSnapshot(s, env.now);
}

/** Stores a new snapshot. */
export function addSnapshot(env: ActionEnv, s: StoredSnapshot): void {
  data(env).snapshots.push(s);
}

/** Forgets one snapshot of the caller. */
export function removeSnapshot(env: ActionEnv, snapshotId: string): void {
  const s = data(env);
  s.snapshots = s.snapshots.filter((x) => !(x.account === env.account && x.snapshotId === snapshotId));
}

/** The caller's custom images in a region, settled, in creation order. */
export function imagesOf(env: ActionEnv, regionId: string): StoredImage[] {
  return data(env)
    .images.filter((m) => m.account === env.account && m.regionId === regionId)
    .map((m) => settleImage(m, env.now))
    .sort(bySeq);
}

/** Every custom image of every account (to see whether a snapshot backs one). */
export function allImagesOf(env: ActionEnv): StoredImage[] {
  return data(env).images.filter((m) => m.account === env.account);
}

/** Stores a new custom image. */
export function addImage(env: ActionEnv, m: StoredImage): void {
  data(env).images.push(m);
}

/** Forgets one custom image of the caller. */
export function removeImage(env: ActionEnv, imageId: string): void {
  const s = data(env);
  s.images = s.images.filter((m) => !(m.account === env.account && m.imageId === imageId));
}

/** A new resource ID (`d-`, `s-`, `m-`) not used anywhere, from the injected randomness. */
export function newStorageId(env: ActionEnv, kind: 'd' | 's' | 'm', regionPrefix: string): string {
  const s = data(env);
  const taken = (id: string): boolean =>
    s.disks.some((d) => d.diskId === id) || s.snapshots.some((x) => x.snapshotId === id) || s.images.some((m) => m.imageId === id);
  for (let attempt = 0; ; attempt++) {
    let id = env.ids.resourceId(kind, regionPrefix);
    // A degenerate random source repeats itself: make the ID unique by its attempt number.
    if (attempt >= 10) id = `${id.slice(0, -6)}${attempt.toString(36).padStart(6, '0')}`;
    if (!taken(id)) return id;
  }
}

const CLIENT_TOKEN_RE = /^[\x20-\x7e]{1,64}$/;
const NOT_FINGERPRINTED: ReadonlySet<string> = new Set(['ClientToken', 'DryRun', ...COMMON_PARAMS]);

function fingerprint(params: Params): string {
  const entries = params.entries().filter(([k, v]) => !NOT_FINGERPRINTED.has(k) && v !== '');
  return JSON.stringify(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The ClientToken of a call, checked (InvalidClientToken.ValueNotSupported), or undefined. */
export function clientToken(params: Params): string | undefined {
  const token = params.str('ClientToken');
  if (token !== undefined && !CLIENT_TOKEN_RE.test(token)) throw EcsErrors.invalidClientToken();
  return token;
}

/**
 * ClientToken idempotency, as RunInstances does it: a replay of the same request answers the first answer
 * and changes nothing; the same token with other parameters is IdempotentParameterMismatch.
 */
export function idempotent(
  env: ActionEnv,
  action: string,
  regionId: string,
  token: string | undefined,
  create: () => Record<string, unknown>,
): { body: Record<string, unknown>; mutated: boolean } {
  const s = data(env);
  if (token !== undefined) {
    const previous = s.tokens.find(
      (t) => t.account === env.account && t.regionId === regionId && t.action === action && t.token === token,
    );
    if (previous) {
      if (previous.fingerprint !== fingerprint(env.params)) throw EcsErrors.idempotentMismatch();
      return { body: structuredClone(previous.response), mutated: false };
    }
  }
  const body = create();
  if (token !== undefined) {
    s.tokens.push({ account: env.account, regionId, action, token, fingerprint: fingerprint(env.params), response: structuredClone(body) });
  }
  return { body, mutated: true };
}
