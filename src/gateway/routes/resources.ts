import { CLOUD_ASSISTANT_ROUTES } from './cloud-assistant.js';
import type { CuratedRoute } from './factory.js';
import { INSTANCE_CHANGE_ROUTES } from './instance-changes.js';
import { KEY_PAIR_ROUTES } from './key-pairs.js';
import { NETWORK_ROUTES } from './networking.js';
import { PRICING_ROUTES } from './pricing.js';
import { SECURITY_GROUP_ROUTES } from './security-groups.js';
import { DISK_ROUTES, IMAGE_ROUTES, SNAPSHOT_ROUTES } from './storage.js';
import { TAG_ROUTES } from './tags.js';

/** Every resource route of issue 9, in the order of the README's table (tests iterate over it). */
export const RESOURCE_ROUTES: readonly CuratedRoute[] = [
  ...INSTANCE_CHANGE_ROUTES, ...DISK_ROUTES, ...SNAPSHOT_ROUTES, ...IMAGE_ROUTES, ...SECURITY_GROUP_ROUTES,
  ...KEY_PAIR_ROUTES, ...TAG_ROUTES, ...NETWORK_ROUTES, ...CLOUD_ASSISTANT_ROUTES, ...PRICING_ROUTES,
];
