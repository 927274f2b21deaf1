/**
 * Static checks of the Docker files (no Docker engine on the build machines; the Dockerfile's stages are
 * run by scripts/dockerfile-smoke.mjs in `bash .ci/run`): the base image, the build context filter,
 * and docker-compose.yml running both services from one image with host ports from variables.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const read = (f: string) => readFileSync(resolve(root, f), 'utf8');

/** The services of docker-compose.yml, each as its block of lines (two-space indented names under `services:`). */
function composeServices(text: string): Map<string, string> {
  const services = new Map<string, string>();
  const body = text.slice(text.indexOf('\nservices:\n') + '\nservices:\n'.length);
  let name = '';
  for (const line of body.split('\n')) {
    if (/^\S/.test(line)) break; // the next top-level key
    const m = /^ {2}([\w-]+):\s*$/.exec(line);
    if (m) { name = m[1]!; services.set(name, ''); continue; }
    if (name && !/^\s*#/.test(line)) services.set(name, `${services.get(name)}${line}\n`);
  }
  return services;
}

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('builds every stage on the official Node 24 slim image', () => {
    const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const image of froms) expect(image).toMatch(/^node:24(\.\d+)*-(bookworm|trixie)-slim$/);
  });

  it('runs the compiled gateway as the unprivileged node user', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/src\/gateway\/server\.js"\]$/m);
  });
});

describe('.dockerignore', () => {
  const patterns = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

  it.each(['**/node_modules', '.git', 'dist', '.ci-out', 'coverage', 'bench/results', '*.cpuprofile', '.env'])('excludes %s', (p) => {
    expect(patterns).toContain(p);
  });

  it('does not exclude what the Dockerfile copies', () => {
    const copied = [...read('Dockerfile').matchAll(/^COPY\s+(?!--from)(.+)\s+\S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    expect(copied).toEqual(['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'package.json', 'package-lock.json']);
    for (const file of copied) expect(patterns).not.toContain(file);
  });
});

describe('docker-compose.yml', () => {
  const services = composeServices(read('docker-compose.yml'));

  it('has the gateway and the emulator', () => {
    expect([...services.keys()].sort()).toEqual(['emulator', 'gateway']);
  });

  it('builds one image, used by both services', () => {
    const builds = [...services.entries()].filter(([, block]) => /^ {4}build:/m.test(block)).map(([name]) => name);
    expect(builds).toEqual(['gateway']);
    for (const block of services.values()) expect(block).toMatch(/^ {4}image: ecs-gateway:local$/m);
    expect(services.get('emulator')).toMatch(/^ {4}pull_policy: never$/m);
  });

  it('runs the emulator from that image with its own command', () => {
    expect(services.get('emulator')).toMatch(/^ {4}command: \["node", "dist\/src\/emulator\/main\.js"\]$/m);
    expect(services.get('gateway')).not.toMatch(/^ {4}command:/m);
  });

  it('takes the host ports from GATEWAY_PORT and EMULATOR_PORT, on loopback, and wires the gateway to the emulator', () => {
    expect(services.get('gateway')).toContain('- "127.0.0.1:${GATEWAY_PORT:-8000}:8000"');
    expect(services.get('emulator')).toContain('- "127.0.0.1:${EMULATOR_PORT:-9000}:9000"');
    expect(services.get('gateway')).toMatch(/^ {6}PORT: "8000"$/m);
    expect(services.get('emulator')).toMatch(/^ {6}EMULATOR_PORT: "9000"$/m);
    expect(services.get('gateway')).toMatch(/^ {6}ECS_UPSTREAM_URL: http:\/\/emulator:9000$/m);
  });
});
