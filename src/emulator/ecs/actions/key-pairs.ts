/**
 * CreateKeyPair, ImportKeyPair, DescribeKeyPairs, DeleteKeyPairs, AttachKeyPair and DetachKeyPair. Key pairs
 * live per account and region under their name (2-128 characters: a letter first, then letters, digits, `:`,
 * `_`, `-`). CreateKeyPair answers the private key once and stores only the public key and fingerprint
 * (ssh-keys.ts). A key pair an instance holds cannot be deleted. Attach and Detach answer per instance
 * (Results.Result, TotalCount, FailCount), as ECS does; attaching replaces an instance's key pair.
 */
import { IMAGES, requireRegion } from '../catalog/index.js';
import { EcsErrors, incorrectStatusMessage } from '../errors.js';
import { ecsMinuteTime } from '../ids.js';
import type { InstanceRecord } from '../model.js';
import type { KeyPairRecord } from '../net-model.js';
import { NetErrors } from '../net-errors.js';
import { wildcardMatch } from '../params.js';
import { generateSshKeyPair, parseOpenSshPublicKey } from '../ssh-keys.js';
import { read, type ActionEnv, type ActionHandler, type ActionResult } from './context.js';
import { regionParam } from './instance-ids.js';
import { pageByNumber } from './paging.js';
import { tagParams, tagsMatch } from './tags.js';

const NAME_RE = /^[A-Za-z][A-Za-z0-9:_-]{1,127}$/;

function keyPairName(env: ActionEnv): string {
  const name = env.params.required('KeyPairName');
  if (!NAME_RE.test(name) || /^https?:/.test(name)) throw NetErrors.keyPairNameMalformed();
  return name;
}

function newKeyPair(env: ActionEnv, publicKey: string, fingerprint: string): { rec: KeyPairRecord; regionId: string } {
  const { params, store, account, now } = env;
  const regionId = regionParam(params);
  const name = keyPairName(env);
  const tags = tagParams(params, 'Tag');
  if (store.net.findKeyPair(account, regionId, name)) throw NetErrors.keyPairExists();
  const rec: KeyPairRecord = {
    account,
    regionId,
    keyPairName: name,
    keyPairId: env.ids.resourceId('kp', requireRegion(regionId).idPrefix),
    fingerprint,
    publicKey,
    resourceGroupId: params.str('ResourceGroupId') ?? '',
    creationTime: now,
    tags,
  };
  return { rec, regionId };
}

/** CreateKeyPair: a new RSA key pair; the answer carries the private key, which is not kept. */
export function createKeyPair(env: ActionEnv): ActionResult {
  // Checks run before the (slow) key generation, on placeholder key material.
  const { rec } = newKeyPair(env, '', '');
  const made = generateSshKeyPair();
  rec.publicKey = made.publicKey;
  rec.fingerprint = made.fingerprint;
  env.store.net.addKeyPair(rec);
  return {
    body: { KeyPairId: rec.keyPairId, KeyPairName: rec.keyPairName, KeyPairFingerPrint: rec.fingerprint, PrivateKeyBody: made.privateKeyPem },
    mutated: true,
  };
}

/** ImportKeyPair: stores an OpenSSH public key (InvalidPublicKeyBody.Malformed for anything else). */
export function importKeyPair(env: ActionEnv): ActionResult {
  const parsed = parseOpenSshPublicKey(env.params.required('PublicKeyBody'));
  const { rec } = newKeyPair(env, '', '');
  if (!parsed) throw NetErrors.publicKeyMalformed();
  rec.publicKey = parsed.publicKey;
  rec.fingerprint = parsed.fingerprint;
  env.store.net.addKeyPair(rec);
  return { body: { KeyPairName: rec.keyPairName, KeyPairFingerPrint: rec.fingerprint }, mutated: true };
}

/** DescribeKeyPairs: filters KeyPairName (`*` wildcards), KeyPairFingerPrint, ResourceGroupId, Tag.N; PageSize max 50. */
export function describeKeyPairs(env: ActionEnv): ActionResult {
  const { params, store, account } = env;
  const regionId = regionParam(params);
  const [name, fingerprint, rg] = ['KeyPairName', 'KeyPairFingerPrint', 'ResourceGroupId'].map((n) => params.str(n));
  const tags = params.tags('Tag', 20);
  const withPublicKey = params.bool('IncludePublicKey');
  const matches = store.net
    .keyPairs(account, regionId)
    .filter(
      (k) =>
        (name === undefined || wildcardMatch(name, k.keyPairName)) &&
        (fingerprint === undefined || k.fingerprint === fingerprint) &&
        (rg === undefined || k.resourceGroupId === rg) &&
        tagsMatch(tags, k.tags),
    );
  const page = pageByNumber(matches, params, { defaultSize: 10, maxSize: 50 });
  return read({
    KeyPairs: {
      KeyPair: page.items.map((k) => ({
        KeyPairName: k.keyPairName,
        KeyPairFingerPrint: k.fingerprint,
        CreationTime: ecsMinuteTime(k.creationTime),
        ResourceGroupId: k.resourceGroupId,
        Tags: { Tag: k.tags.map((t) => ({ TagKey: t.key, TagValue: t.value })) },
        ...(withPublicKey ? { PublicKey: k.publicKey } : {}),
      })),
    },
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
  });
}

/** DeleteKeyPairs: KeyPairNames is a JSON array of 1-100 names; names the caller does not hold are skipped. */
export function deleteKeyPairs(env: ActionEnv): ActionResult {
  const { params, store, account, now } = env;
  const regionId = regionParam(params);
  let names: string[];
  try {
    names = params.jsonStrings('KeyPairNames') ?? [];
  } catch {
    throw NetErrors.keyPairNamesInvalid();
  }
  if (names.length === 0 || names.length > 100) throw NetErrors.keyPairNamesInvalid();
  const held = new Set(names.filter((n) => store.net.findKeyPair(account, regionId, n)));
  if (store.list(account, regionId, now).some((r) => held.has(r.keyPairName))) throw NetErrors.keyPairInUse();
  store.net.removeKeyPairs(account, regionId, held);
  return { body: {}, mutated: held.size > 0 };
}

function result(id: string, code: string, message: string): Record<string, unknown> {
  return { InstanceId: id, Code: code, Message: message, Success: code === '200' ? 'true' : 'false' };
}

function windows(rec: InstanceRecord): boolean {
  return IMAGES.find((i) => i.imageId === rec.imageId)?.osType === 'windows';
}

/** Attach or detach on each instance: answers per instance; changes the ones that succeed. */
function keyPairAction(attach: boolean): ActionHandler {
  return (env: ActionEnv): ActionResult => {
    const { params, store, account, now } = env;
    const regionId = regionParam(params);
    const name = params.required('KeyPairName');
    const ids = [...new Set(params.jsonStrings('InstanceIds') ?? [])];
    if (ids.length === 0) throw EcsErrors.missingParameter('InstanceIds');
    if (ids.length > 50) throw EcsErrors.invalidParameter('InstanceIds');
    if (!store.net.findKeyPair(account, regionId, name)) throw NetErrors.keyPairNotFound();
    const results = ids.map((id) => {
      const rec = store.find(account, regionId, id, now);
      if (!rec) return result(id, 'InvalidInstanceId.NotFound', 'The specified InstanceId does not exist.');
      if (windows(rec)) return result(id, 'DependencyViolation.WindowsInstance', 'The instance creating by window system image can not use ssh key pair to login');
      if (rec.status !== 'Running' && rec.status !== 'Stopped') {
        return result(id, 'IncorrectInstanceStatus', incorrectStatusMessage(rec.status, ['Running', 'Stopped']));
      }
      if (!attach && rec.keyPairName !== name) return result(id, 'InvalidKeyPairName.NotFound', 'The specified KeyPairName is not attached to the instance.');
      rec.keyPairName = attach ? name : '';
      return result(id, '200', 'successful');
    });
    const fails = results.filter((r) => r.Success === 'false').length;
    return {
      body: { KeyPairName: name, TotalCount: String(results.length), FailCount: String(fails), Results: { Result: results } },
      mutated: fails < results.length,
    };
  };
}

/** AttachKeyPair. */
export const attachKeyPair = keyPairAction(true);
/** DetachKeyPair. */
export const detachKeyPair = keyPairAction(false);
