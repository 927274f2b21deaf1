/**
 * Key pairs keep state: CreateKeyPair makes a real RSA key pair (the private key is answered once and never
 * stored), ImportKeyPair checks the OpenSSH public key and computes the same fingerprint, DescribeKeyPairs
 * filters and pages, DeleteKeyPairs refuses a key pair an instance holds, Attach/DetachKeyPair answer per
 * instance; RunInstances' KeyPairName must exist. Behaviour layer, then the official V3 SDK.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/server.js';
import { TEST_KEY } from '../helpers.js';
import { $Ecs, v3Client } from '../sdk-clients.js';
import { Harness, REGION, expectEcsError } from './helpers.js';

type Body = Record<string, unknown>;
const WINDOWS = 'win2022_21H2_x64_dtc_zh-cn_40G_alibase_20240716.vhd';

/** An OpenSSH `ssh-rsa` line for a public key, built independently of the emulator (from its SPKI DER). */
function openSsh(publicKeyPem: string): string {
  const jwk = createPublicKey(publicKeyPem).export({ format: 'jwk' });
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 0].map((_, i) => (b.length >>> (8 * (3 - i))) & 0xff)), b]);
  const mp = (b64: string) => {
    const b = Buffer.from(b64, 'base64url');
    return str(b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
  };
  return `ssh-rsa ${Buffer.concat([str(Buffer.from('ssh-rsa')), mp(jwk.e!), mp(jwk.n!)]).toString('base64')} me@host`;
}

const keyPairs = (h: Harness, p: Record<string, string> = {}) => h.call('DescribeKeyPairs', { RegionId: REGION, ...p });
const names = (b: Body) => (b.KeyPairs as { KeyPair: Body[] }).KeyPair.map((k) => k.KeyPairName);

describe('key pairs (behaviour)', () => {
  it('CreateKeyPair answers a working RSA private key once; the state keeps only the public key and fingerprint', () => {
    const h = new Harness();
    const made = h.call('CreateKeyPair', { RegionId: REGION, KeyPairName: 'deploy', 'Tag.1.Key': 'team', 'Tag.1.Value': 'ops' });
    expect(made.KeyPairName).toBe('deploy');
    expect(made.KeyPairFingerPrint).toMatch(/^([0-9a-f]{2}:){19}[0-9a-f]{2}$/);
    const pem = made.PrivateKeyBody as string;
    expect(pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+\n-----END RSA PRIVATE KEY-----$/);
    const priv = createPrivateKey(pem);
    expect(priv.asymmetricKeyDetails?.modulusLength).toBe(2048);
    // The stored public key is the private key's: a signature made with one verifies with the other.
    const listed = (keyPairs(h, { IncludePublicKey: 'true' }).KeyPairs as { KeyPair: Body[] }).KeyPair[0]!;
    expect(listed).toMatchObject({ KeyPairName: 'deploy', KeyPairFingerPrint: made.KeyPairFingerPrint, CreationTime: '2024-05-01T08:00Z', Tags: { Tag: [{ TagKey: 'team', TagValue: 'ops' }] } });
    expect(listed.PublicKey).toBe(openSsh(createPublicKey(priv).export({ type: 'spki', format: 'pem' }).toString()).replace(/ me@host$/, ''));
    const sig = sign('sha256', Buffer.from('hi'), priv);
    expect(verify('sha256', Buffer.from('hi'), createPublicKey(priv), sig)).toBe(true);
    // Without IncludePublicKey the public key is left out; the private key is nowhere in the state.
    expect((keyPairs(h).KeyPairs as { KeyPair: Body[] }).KeyPair[0]).not.toHaveProperty('PublicKey');
    const snapshot = JSON.stringify(h.state.snapshot());
    expect(snapshot).not.toContain('PRIVATE KEY');
    expect(snapshot).not.toContain(pem.split('\n')[1]!);
    // Importing the created key pair's public key gives the same fingerprint.
    const imported = h.call('ImportKeyPair', { RegionId: REGION, KeyPairName: 'again', PublicKeyBody: listed.PublicKey as string });
    expect(imported).toEqual({ KeyPairName: 'again', KeyPairFingerPrint: made.KeyPairFingerPrint });
  });

  it('refuses a bad or taken name, and a public key that is not an OpenSSH one', () => {
    const h = new Harness();
    h.call('CreateKeyPair', { RegionId: REGION, KeyPairName: 'deploy' });
    expectEcsError(() => h.call('CreateKeyPair', { RegionId: REGION, KeyPairName: 'deploy' }), 400, 'KeyPair.AlreadyExist');
    for (const bad of ['1key', 'a', 'has space', 'k'.repeat(129), 'http://x']) {
      expectEcsError(() => h.call('CreateKeyPair', { RegionId: REGION, KeyPairName: bad }), 400, 'InvalidKeyPairName.Malformed');
    }
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const good = openSsh(publicKey);
    expectEcsError(() => h.call('ImportKeyPair', { RegionId: REGION, KeyPairName: 'deploy', PublicKeyBody: good }), 400, 'KeyPair.AlreadyExist');
    const [type, blob] = good.split(' ');
    const garbage = [
      'hello', publicKey, `ssh-rsa`, `ssh-rsa !!!!`, `ssh-foo ${blob}`, `ssh-ed25519 ${blob}`, `${type} ${blob!.slice(0, -8)}`,
      `${type} ${Buffer.concat([Buffer.from(blob!, 'base64'), Buffer.from([0, 0, 0, 1, 7])]).toString('base64')}`,
    ];
    for (const body of garbage) {
      expectEcsError(() => h.call('ImportKeyPair', { RegionId: REGION, KeyPairName: 'imp', PublicKeyBody: body }), 400, 'InvalidPublicKeyBody.Malformed');
    }
    const res = h.call('ImportKeyPair', { RegionId: REGION, KeyPairName: 'imp', PublicKeyBody: good });
    expect(res.KeyPairFingerPrint).toMatch(/^([0-9a-f]{2}:){19}[0-9a-f]{2}$/);
    expect(names(keyPairs(h))).toEqual(['deploy', 'imp']);
  });

  it('DescribeKeyPairs filters by name (wildcards), fingerprint and tags, and pages (max 50)', () => {
    const h = new Harness();
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const line = openSsh(publicKey);
    for (const n of ['web-1', 'web-2', 'db-1']) h.call('ImportKeyPair', { RegionId: REGION, KeyPairName: n, PublicKeyBody: line, ...(n === 'db-1' ? { 'Tag.1.Key': 'tier', 'Tag.1.Value': 'db' } : {}) });
    expect(names(keyPairs(h, { KeyPairName: 'web*' }))).toEqual(['web-1', 'web-2']);
    expect(names(keyPairs(h, { KeyPairName: 'web' }))).toEqual([]);
    expect(names(keyPairs(h, { 'Tag.1.Key': 'tier' }))).toEqual(['db-1']);
    const fp = (keyPairs(h).KeyPairs as { KeyPair: Body[] }).KeyPair[0]!.KeyPairFingerPrint as string;
    expect(names(keyPairs(h, { KeyPairFingerPrint: fp }))).toHaveLength(3);
    const page = keyPairs(h, { PageSize: '2', PageNumber: '2' });
    expect([names(page), page.TotalCount, page.PageNumber, page.PageSize]).toEqual([['db-1'], 3, 2, 2]);
    expectEcsError(() => keyPairs(h, { PageSize: '51' }), 400, 'InvalidParameter');
    expect(names(h.call('DescribeKeyPairs', { RegionId: REGION }, 'AK-B'))).toEqual([]);
    expect(names(h.call('DescribeKeyPairs', { RegionId: 'cn-beijing' }))).toEqual([]);
  });

  it('RunInstances needs an existing key pair; a key pair in use cannot be deleted; attach and detach per instance', () => {
    const h = new Harness();
    expectEcsError(() => h.run({ KeyPairName: 'nope' }), 404, 'InvalidKeyPairName.NotFound');
    h.call('CreateKeyPair', { RegionId: REGION, KeyPairName: 'ka' });
    h.call('CreateKeyPair', { RegionId: REGION, KeyPairName: 'kb' });
    const [x] = h.running(1, { KeyPairName: 'ka' });
    const [y] = h.running(1);
    const [win] = h.running(1, { ImageId: WINDOWS, 'SystemDisk.Size': '40' });
    const pending = h.run()[0]!;
    expect(h.instances({ KeyPairName: 'ka' }).map((i) => i.InstanceId)).toEqual([x]);
    const err = expectEcsError(() => h.call('DeleteKeyPairs', { RegionId: REGION, KeyPairNames: JSON.stringify(['kb', 'ka']) }), 400, 'InvalidParameter.KeypairAlreadyAttachedInstance');
    expect(err.message).toBe('The specified parameter "KeyPairNames" attached to instances can not be deleted.');
    expect(names(keyPairs(h))).toEqual(['ka', 'kb']); // nothing deleted
    const attach = h.call('AttachKeyPair', { RegionId: REGION, KeyPairName: 'kb', InstanceIds: JSON.stringify([x, y, win, pending, 'i-bp1nope']) });
    expect(attach).toMatchObject({ KeyPairName: 'kb', TotalCount: '5', FailCount: '3' });
    expect((attach.Results as { Result: Body[] }).Result.map((r) => [r.InstanceId, r.Code, r.Success])).toEqual([
      [x, '200', 'true'], [y, '200', 'true'], [win, 'DependencyViolation.WindowsInstance', 'false'],
      [pending, 'IncorrectInstanceStatus', 'false'], ['i-bp1nope', 'InvalidInstanceId.NotFound', 'false'],
    ]);
    expect(h.instances({ KeyPairName: 'kb' }).map((i) => i.InstanceId)).toEqual([x, y]);
    expect(h.call('DeleteKeyPairs', { RegionId: REGION, KeyPairNames: '["ka"]' })).toEqual({}); // x moved from ka to kb
    const detach = h.call('DetachKeyPair', { RegionId: REGION, KeyPairName: 'kb', InstanceIds: JSON.stringify([x, win]) });
    expect((detach.Results as { Result: Body[] }).Result.map((r) => [r.Code, r.Success])).toEqual([['200', 'true'], ['DependencyViolation.WindowsInstance', 'false']]);
    expect(h.instances().find((i) => i.InstanceId === x)).not.toHaveProperty('KeyPairName');
    const again = h.call('DetachKeyPair', { RegionId: REGION, KeyPairName: 'kb', InstanceIds: JSON.stringify([x]) });
    expect([again.FailCount, (again.Results as { Result: Body[] }).Result[0]!.Code]).toEqual(['1', 'InvalidKeyPairName.NotFound']);
    expectEcsError(() => h.call('AttachKeyPair', { RegionId: REGION, KeyPairName: 'ka', InstanceIds: JSON.stringify([x]) }), 404, 'InvalidKeyPairName.NotFound');
    expectEcsError(() => h.call('DeleteKeyPairs', { RegionId: REGION, KeyPairNames: '[]' }), 400, 'InvalidKeyPairNames.ValueNotSupported');
    h.call('DetachKeyPair', { RegionId: REGION, KeyPairName: 'kb', InstanceIds: JSON.stringify([y]) });
    h.call('DeleteKeyPairs', { RegionId: REGION, KeyPairNames: '["kb","never-existed"]' });
    expect(names(keyPairs(h))).toEqual([]);
  });
});

describe('key pairs (official V3 SDK)', () => {
  let emu: RunningEmulator;
  let ecs: ReturnType<typeof v3Client>;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, transitionMs: 0, accessKeys: [TEST_KEY] });
    ecs = v3Client(emu.url, TEST_KEY);
  });
  afterAll(() => emu.close());

  it('create → describe → import → attach → delete refused → detach → delete', async () => {
    const made = await ecs.createKeyPair(new $Ecs.CreateKeyPairRequest({ regionId: REGION, keyPairName: 'sdk' }));
    expect(createPrivateKey(made.body?.privateKeyBody as string).asymmetricKeyType).toBe('rsa');
    const listed = await ecs.describeKeyPairs(new $Ecs.DescribeKeyPairsRequest({ regionId: REGION, keyPairName: 'sdk', includePublicKey: true }));
    const kp = listed.body?.keyPairs?.keyPair?.[0];
    expect([kp?.keyPairName, kp?.keyPairFingerPrint]).toEqual(['sdk', made.body?.keyPairFingerPrint]);
    const imported = await ecs.importKeyPair(new $Ecs.ImportKeyPairRequest({ regionId: REGION, keyPairName: 'sdk-2', publicKeyBody: kp?.publicKey as string }));
    expect(imported.body?.keyPairFingerPrint).toBe(made.body?.keyPairFingerPrint);
    await expect(ecs.importKeyPair(new $Ecs.ImportKeyPairRequest({ regionId: REGION, keyPairName: 'bad', publicKeyBody: 'ssh-rsa nonsense' })))
      .rejects.toMatchObject({ code: 'InvalidPublicKeyBody.Malformed', statusCode: 400 });
    const run = await ecs.runInstances(new $Ecs.RunInstancesRequest({ regionId: REGION, imageId: 'aliyun_3_x64_20G_alibase_20240528.vhd', instanceType: 'ecs.g7.large' }));
    const id = run.body?.instanceIdSets?.instanceIdSet?.[0] as string;
    const attach = await ecs.attachKeyPair(new $Ecs.AttachKeyPairRequest({ regionId: REGION, keyPairName: 'sdk', instanceIds: JSON.stringify([id]) }));
    expect([attach.body?.totalCount, attach.body?.failCount, attach.body?.results?.result?.[0]?.success]).toEqual(['1', '0', 'true']);
    await expect(ecs.deleteKeyPairs(new $Ecs.DeleteKeyPairsRequest({ regionId: REGION, keyPairNames: '["sdk"]' })))
      .rejects.toMatchObject({ code: 'InvalidParameter.KeypairAlreadyAttachedInstance' });
    await ecs.detachKeyPair(new $Ecs.DetachKeyPairRequest({ regionId: REGION, keyPairName: 'sdk', instanceIds: JSON.stringify([id]) }));
    await ecs.deleteKeyPairs(new $Ecs.DeleteKeyPairsRequest({ regionId: REGION, keyPairNames: '["sdk","sdk-2"]' }));
    const after = await ecs.describeKeyPairs(new $Ecs.DescribeKeyPairsRequest({ regionId: REGION }));
    expect(after.body?.totalCount).toBe(0);
  });
});
