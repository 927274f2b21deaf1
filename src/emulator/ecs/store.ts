/**
 * The in-memory store: instances, client tokens and vSwitches, partitioned by
 * account and region. Reads settle instance statuses against the clock.
 */
import type { InvocationRecord } from './invocations.js';
import { settle } from './lifecycle.js';
import type { ClientTokenRecord, InstanceRecord, StoreData, VSwitchRecord } from './model.js';
import { emptyNetworkData } from './net-snapshot.js';
import { NetworkState } from './net-store.js';
import { parseStoreData } from './snapshot.js';
import { emptyStorage, type StorageData } from './storage-model.js';

/** Holds all emulator state; snapshot()/restore() use plain JSON. */
export class InstanceStore {
  private data: StoreData = emptyData();
  /** VPCs, security groups and key pairs (net-store.ts), in the same data. */
  readonly net = new NetworkState(() => this.data);

  /** Instances of an account in a region, settled at `now`, in creation order. */
  list(account: string, regionId: string, now: number): InstanceRecord[] {
    return this.data.instances
      .filter((r) => r.account === account && r.regionId === regionId)
      .map((r) => (settle(r, now), r))
      .sort((a, b) => a.seq - b.seq);
  }

  /** One instance of an account in a region, settled at `now`. */
  find(account: string, regionId: string, instanceId: string, now: number): InstanceRecord | undefined {
    const rec = this.data.instances.find(
      (r) => r.instanceId === instanceId && r.account === account && r.regionId === regionId,
    );
    if (rec) settle(rec, now);
    return rec;
  }

  /** One instance of an account in any region (the singular actions name no region), settled at `now`. */
  findInAnyRegion(account: string, instanceId: string, now: number): InstanceRecord | undefined {
    const rec = this.data.instances.find((r) => r.instanceId === instanceId && r.account === account);
    if (rec) settle(rec, now);
    return rec;
  }

  /** Whether any account holds an instance with this ID (IDs are globally unique). */
  idTaken(instanceId: string): boolean {
    return this.data.instances.some((r) => r.instanceId === instanceId);
  }

  /** The next creation sequence number. */
  nextSeq(): number {
    this.data.seq += 1;
    return this.data.seq;
  }

  /** Stores a new instance. */
  add(rec: InstanceRecord): void {
    this.data.instances.push(rec);
  }

  /** Removes the given instances of an account. */
  remove(account: string, instanceIds: ReadonlySet<string>): void {
    this.data.instances = this.data.instances.filter(
      (r) => !(r.account === account && instanceIds.has(r.instanceId)),
    );
  }

  /** The RunInstances answer recorded for a ClientToken of an account in a region. */
  findToken(account: string, regionId: string, token: string): ClientTokenRecord | undefined {
    return this.data.clientTokens.find((t) => t.account === account && t.regionId === regionId && t.token === token);
  }

  /** Records a RunInstances answer under its ClientToken. */
  addToken(rec: ClientTokenRecord): void {
    this.data.clientTokens.push(rec);
  }

  /** The first vSwitch of an account in a region matching `pred`. */
  findVSwitch(account: string, regionId: string, pred: (v: VSwitchRecord) => boolean): VSwitchRecord | undefined {
    return this.data.vSwitches.find((v) => v.account === account && v.regionId === regionId && pred(v));
  }

  /** VSwitches of an account in a region. */
  vSwitches(account: string, regionId: string): VSwitchRecord[] {
    return this.data.vSwitches.filter((v) => v.account === account && v.regionId === regionId);
  }

  /** Remembers a vSwitch (its zone and VPC). */
  addVSwitch(rec: VSwitchRecord): void {
    this.data.vSwitches.push(rec);
  }

  /** Cloud Assistant invocations of an account in a region, newest first. */
  invocations(account: string, regionId: string): InvocationRecord[] {
    return this.data.invocations
      .filter((r) => r.account === account && r.regionId === regionId)
      .sort((a, b) => b.seq - a.seq);
  }

  /** Stores a new invocation. */
  addInvocation(rec: InvocationRecord): void {
    this.data.invocations.push(rec);
  }

  /** The storage records (disks, snapshots, custom images); storage-store.ts reads and changes them. */
  storage(): StorageData {
    return this.data.storage;
  }

  /** How many instances, disks, snapshots, images and ClientTokens exist, over every account and region. */
  counts(): { instances: number; disks: number; snapshots: number; images: number; clientTokens: number } {
    const { instances, clientTokens, storage } = this.data;
    return {
      instances: instances.length,
      disks: storage.disks.length,
      snapshots: storage.snapshots.length,
      images: storage.images.length,
      clientTokens: clientTokens.length + storage.tokens.length,
    };
  }

  /** Forgets everything. */
  reset(): void {
    this.data = emptyData();
  }

  /** A deep, JSON-serialisable copy of the whole state. */
  snapshot(): StoreData {
    return structuredClone(this.data);
  }

  /** Replaces the state with a snapshot; throws (and keeps the old state) on garbage. */
  restore(snapshot: unknown): void {
    this.data = parseStoreData(structuredClone(snapshot));
  }
}

function emptyData(): StoreData {
  return { version: 1, seq: 0, instances: [], clientTokens: [], vSwitches: [], invocations: [], storage: emptyStorage(), ...emptyNetworkData() };
}
