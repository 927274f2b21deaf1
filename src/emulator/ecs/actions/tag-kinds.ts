/**
 * The resource kinds TagResources, UntagResources and ListTagResources reach, by ECS ResourceType. Each kind
 * lists its resources of an account in a region with their (mutable) tag lists; a kind the emulator keeps state
 * for plugs in with one line here (instances, security groups, key pairs, disks, snapshots, custom images).
 * The other documented types are known but hold nothing: their IDs are InvalidResourceId.NotFound.
 */
import type { TagRecord } from '../model.js';
import type { InstanceStore } from '../store.js';
import { ensureDefaultNetwork } from './default-network.js';

/** One taggable resource: its ID (the key pair's name for key pairs) and its tags, changed in place. */
export interface Taggable {
  id: string;
  tags: TagRecord[];
}

/** Lists the resources of a kind of an account in a region. */
export type TaggableLister = (store: InstanceStore, account: string, regionId: string, now: number) => Taggable[];

const none: TaggableLister = () => [];

/** Every ResourceType ECS documents for the tag actions, with its lister. */
export const TAGGABLE: Readonly<Record<string, TaggableLister>> = {
  instance: (s, a, r, now) => s.list(a, r, now).map((i) => ({ id: i.instanceId, tags: i.tags })),
  securitygroup: (s, a, r, now) => {
    ensureDefaultNetwork(s, a, r, now);
    return s.net.securityGroups(a, r).map((g) => ({ id: g.securityGroupId, tags: g.tags }));
  },
  keypair: (s, a, r) => s.net.keyPairs(a, r).map((k) => ({ id: k.keyPairName, tags: k.tags })),
  disk: (s, a, r) => s.storage().disks.filter((d) => d.account === a && d.regionId === r).map((d) => ({ id: d.diskId, tags: d.tags })),
  snapshot: (s, a, r) => s.storage().snapshots.filter((x) => x.account === a && x.regionId === r).map((x) => ({ id: x.snapshotId, tags: x.tags })),
  image: (s, a, r) => s.storage().images.filter((m) => m.account === a && m.regionId === r).map((m) => ({ id: m.imageId, tags: m.tags })),
  volume: none,
  eni: none,
  ddh: none,
  ddhcluster: none,
  launchtemplate: none,
  reservedinstance: none,
  snapshotpolicy: none,
  elasticityassurance: none,
  capacityreservation: none,
  command: none,
  deploymentset: none,
  activation: none,
  managedinstance: none,
};
