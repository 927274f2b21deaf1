/**
 * SSH keys for CreateKeyPair and ImportKeyPair, with node:crypto only.
 *
 * - A new key pair is RSA 2048; the private key is PKCS#1 PEM (`-----BEGIN RSA PRIVATE KEY-----`, as ECS hands it
 *   out), the public key an OpenSSH line `ssh-rsa AAAA…`.
 * - An imported public key is an OpenSSH line `<type> <base64 blob> [comment]` whose blob names the same type;
 *   for `ssh-rsa` the exponent and modulus must make an RSA key of at least 1024 bits. The other types ECS takes
 *   (`ssh-ed25519`, `ecdsa-sha2-nistp256/384/521`, `ssh-dss`) are checked for their structure only.
 * - The fingerprint is what ECS's API reference shows (`89:f0:ba:…:d7`, 20 colon-separated bytes): the SHA-1
 *   of the public key blob (OpenSSH wire format), in lower-case hex pairs joined by colons.
 */
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';

const TYPES = ['ssh-rsa', 'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-dss'];

/** A length-prefixed SSH wire string. */
function sshString(buf: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(buf.length);
  return Buffer.concat([len, buf]);
}

/** An SSH mpint from unsigned big-endian bytes. */
function mpint(unsigned: Buffer): Buffer {
  let i = 0;
  while (i < unsigned.length - 1 && unsigned[i] === 0) i++;
  const trimmed = unsigned.subarray(i);
  return sshString(trimmed[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

/** ECS's fingerprint of a public key blob. */
export function fingerprintOf(blob: Buffer): string {
  return createHash('sha1').update(blob).digest('hex').match(/../g)!.join(':');
}

/** A fresh RSA key pair: the PEM private key, the OpenSSH public key line and its fingerprint. */
export function generateSshKeyPair(): { privateKeyPem: string; publicKey: string; fingerprint: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const blob = Buffer.concat([
    sshString(Buffer.from('ssh-rsa')),
    mpint(Buffer.from(jwk.e!, 'base64url')),
    mpint(Buffer.from(jwk.n!, 'base64url')),
  ]);
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString().trimEnd(),
    publicKey: `ssh-rsa ${blob.toString('base64')}`,
    fingerprint: fingerprintOf(blob),
  };
}

/** Reads the length-prefixed fields of a wire blob; undefined when it does not split exactly. */
function fields(blob: Buffer): Buffer[] | undefined {
  const out: Buffer[] = [];
  let at = 0;
  while (at < blob.length) {
    if (at + 4 > blob.length) return undefined;
    const len = blob.readUInt32BE(at);
    if (at + 4 + len > blob.length) return undefined;
    out.push(blob.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}

const FIELD_COUNT: Readonly<Record<string, number>> = {
  'ssh-rsa': 3, 'ssh-ed25519': 2, 'ecdsa-sha2-nistp256': 3, 'ecdsa-sha2-nistp384': 3, 'ecdsa-sha2-nistp521': 3, 'ssh-dss': 5,
};

function validRsa(e: Buffer, n: Buffer): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'RSA', e: e.toString('base64url'), n: n.toString('base64url') }, format: 'jwk' });
    return (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 1024;
  } catch {
    return false;
  }
}

/**
 * Parses an OpenSSH public key line; answers its normalised form (type and blob, comment dropped) and
 * fingerprint, or undefined when it is not a public key ECS takes.
 */
export function parseOpenSshPublicKey(text: string): { publicKey: string; fingerprint: string } | undefined {
  const parts = text.trim().split(/\s+/);
  const [type, b64] = parts;
  if (type === undefined || b64 === undefined || !TYPES.includes(type)) return undefined;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return undefined;
  const blob = Buffer.from(b64, 'base64');
  const f = fields(blob);
  if (!f || f.length !== FIELD_COUNT[type] || f[0]!.toString() !== type) return undefined;
  if (type === 'ssh-rsa') {
    const [, e, n] = f;
    if (e!.length === 0 || n!.length === 0 || e![0]! & 0x80 || n![0]! & 0x80 || !validRsa(e!, n!)) return undefined;
  }
  if (type === 'ssh-ed25519' && f[1]!.length !== 32) return undefined;
  return { publicKey: `${type} ${b64}`, fingerprint: fingerprintOf(blob) };
}
