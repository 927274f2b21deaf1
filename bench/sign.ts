/**
 * Signing micro-benchmark, run as its own process: V1 and V3 signatures per second, our signer
 * (src/gateway/ecs/signer.ts) against the official SDK's own signing functions (@alicloud/openapi-core,
 * what @alicloud/ecs20140526 calls per request). Both sides sign the same StopInstances call and
 * are first checked to produce the same signature. Prints one JSON line (SignResults) on stdout.
 * Env: BENCH_SIGN_MS (time per measurement, default 500), BENCH_SIGN_ROUNDS (default 3).
 */
import { OpenApiUtil } from '@alicloud/openapi-core';
import { formatTimestamp, signV1, signV3, type SignInput } from '../src/gateway/ecs/signer.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET } from './fixtures.js';

export interface SignResults {
  /** Median signatures per second per case. */
  opsPerSec: Record<'oursV1' | 'sdkV1' | 'oursV3' | 'sdkV3', number>;
  /** Every measurement, per case, in run order. */
  samples: Record<string, number[]>;
  /** Both signers produced the same V1 and V3 signature for the same input. */
  agree: { v1: boolean; v3: boolean };
  msPerMeasurement: number;
  rounds: number;
}

const msPer = Number(process.env.BENCH_SIGN_MS ?? 500);
const rounds = Number(process.env.BENCH_SIGN_ROUNDS ?? 3);
const date = new Date('2026-11-22T13:17:43Z');
const nonce = 'b352babc722cfb7f24c918aefd90e59c';
const host = 'ecs.cn-hangzhou.aliyuncs.com';
const credentials = { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET };
// Keys in canonical order: the SDK serialises a form body in insertion order, we sort (same bytes, same hash).
const params = { 'InstanceId.1': 'i-bp67acfmxazb4p0001', RegionId: 'cn-hangzhou' };
const input: SignInput = { action: 'StopInstances', version: '2014-05-26', params, credentials, host, date, nonce };

/** What the SDK does per V1 call: common parameters added, then getRPCSignature. */
function sdkV1(): string {
  const signed: Record<string, string> = {
    ...params, AccessKeyId: ACCESS_KEY_ID, Action: 'StopInstances', Format: 'JSON', SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: nonce, SignatureVersion: '1.0', Timestamp: formatTimestamp(date), Version: '2014-05-26',
  };
  return OpenApiUtil.getRPCSignature(signed, 'POST', ACCESS_KEY_SECRET);
}

/**
 * What the SDK does per V3 call with the parameters in a form body (as we send them): the body
 * serialised and hashed, the request headers set, then getAuthorization over the request.
 */
function sdkV3(): string {
  const body = OpenApiUtil.toForm(params);
  const payloadHash = OpenApiUtil.hash(Buffer.from(body, 'utf8'), 'ACS3-HMAC-SHA256').toString('hex');
  const request = {
    method: 'POST', pathname: '/', query: {},
    headers: {
      host, 'content-type': 'application/x-www-form-urlencoded', 'x-acs-action': 'StopInstances', 'x-acs-version': '2014-05-26',
      'x-acs-date': formatTimestamp(date), 'x-acs-signature-nonce': nonce, 'x-acs-content-sha256': payloadHash,
    },
  };
  return OpenApiUtil.getAuthorization(request as unknown as Parameters<typeof OpenApiUtil.getAuthorization>[0],
    'ACS3-HMAC-SHA256', payloadHash, ACCESS_KEY_ID, ACCESS_KEY_SECRET);
}

const cases = {
  oursV1: () => signV1(input).body,
  sdkV1,
  oursV3: () => signV3(input).headers.authorization ?? '',
  sdkV3,
} as const;
type Case = keyof typeof cases;

/** Calls fn in batches for ~ms milliseconds; returns calls per second. */
function measure(fn: () => string, ms: number): number {
  let n = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(ms * 1e6));
  let now = start;
  while (now < end) {
    for (let i = 0; i < 200; i++) sink += fn().length;
    n += 200;
    now = process.hrtime.bigint();
  }
  if (sink < 0) console.error(sink); // keep the results alive
  return n / (Number(now - start) / 1e9);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

const v1Signature = decodeURIComponent(/&Signature=([^&]+)$/.exec(signV1(input).body)?.[1] ?? '');
const agree = { v1: v1Signature === sdkV1(), v3: signV3(input).headers.authorization === sdkV3() };

const names = Object.keys(cases) as Case[];
for (const name of names) measure(cases[name], Math.min(200, msPer)); // warm-up (JIT)
const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
for (let r = 0; r < rounds; r++) {
  for (const name of names) samples[name]?.push(measure(cases[name], msPer));
}
const opsPerSec = Object.fromEntries(names.map((n) => [n, median(samples[n] ?? [])])) as SignResults['opsPerSec'];
const result: SignResults = { opsPerSec, samples, agree, msPerMeasurement: msPer, rounds };
process.stdout.write(`${JSON.stringify(result)}\n`);
