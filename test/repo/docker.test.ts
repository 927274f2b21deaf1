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

  // `docker compose up` starts the services without a profile; the scale example has its own (below).
  const defaults = new Map([...services].filter(([, block]) => !/^ {4}profiles:/m.test(block)));

  it('has the gateway and the emulator (and, in the scale profile, the scale example)', () => {
    expect([...defaults.keys()].sort()).toEqual(['emulator', 'gateway']);
    expect([...services.keys()].sort()).toEqual(['emulator', 'gateway', 'scale-gateway', 'scale-lb', 'scale-redis']);
  });

  it('builds one image, used by both services', () => {
    const builds = [...services.entries()].filter(([, block]) => /^ {4}build:/m.test(block)).map(([name]) => name);
    expect(builds).toEqual(['gateway']);
    for (const block of defaults.values()) expect(block).toMatch(/^ {4}image: ecs-gateway:local$/m);
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

describe('docker-compose.yml, profile "scale": 3 gateway replicas behind one port, sharing Redis', () => {
  const text = read('docker-compose.yml');
  const services = composeServices(text);
  const gateway = services.get('scale-gateway') ?? '';
  const lb = services.get('scale-lb') ?? '';
  const redis = services.get('scale-redis') ?? '';

  it('puts the three services in the profile only', () => {
    for (const block of [gateway, lb, redis]) expect(block).toMatch(/^ {4}profiles: \["scale"\]$/m);
  });

  it('runs 3 replicas of the one image, without host ports of their own', () => {
    expect(gateway).toMatch(/^ {4}image: ecs-gateway:local$/m);
    expect(gateway).toMatch(/^ {4}pull_policy: never$/m);
    expect(gateway).toMatch(/^ {4}deploy:\n {6}replicas: 3$/m);
    expect(gateway).not.toMatch(/^ {4}(ports|build|command):/m);
  });

  it('shares the rate limits through the Redis service, per API key, in front of the emulator', () => {
    expect(gateway).toMatch(/^ {6}REDIS_URL: redis:\/\/scale-redis:6379$/m);
    expect(gateway).toMatch(/^ {6}GATEWAY_RATE_LIMIT_MAX: \S+$/m);
    // The README's example reads x-ratelimit-remaining on every answer.
    expect(gateway).toMatch(/^ {6}GATEWAY_RATE_LIMIT_HEADERS: always$/m);
    expect(gateway).toMatch(/^ {6}GATEWAY_API_KEYS: \S+$/m);
    expect(gateway).toMatch(/^ {6}PORT: "8000"$/m);
    expect(gateway).toMatch(/^ {6}ECS_UPSTREAM_URL: http:\/\/emulator:9000$/m);
    expect(redis).toMatch(/^ {4}image: redis:7/m);
    expect(redis).toContain('"--save", ""');
  });

  it('publishes one loopback port (SCALE_PORT) on nginx, which proxies to every replica', () => {
    expect(lb).toContain('- "127.0.0.1:${SCALE_PORT:-8080}:8080"');
    expect(lb).toMatch(/^ {4}image: nginx:/m);
    expect(lb).toMatch(/^ {6}scale-gateway:\n {8}condition: service_healthy$/m);
    const config = text.slice(text.indexOf('\nconfigs:\n'));
    expect(config).toMatch(/^ {2}scale-nginx:$/m);
    expect(lb).toMatch(/- source: scale-nginx\n {8}target: \/etc\/nginx\/conf\.d\/default\.conf/);
    expect(config).toContain('server scale-gateway:8000;');
    expect(config).toContain('listen 8080;');
    expect(config).toContain('proxy_pass http://gateways;');
    // Compose interpolates the file: nginx's own variables are escaped.
    expect(config).not.toMatch(/[^$]\$(host|proxy_add_x_forwarded_for)/);
  });
});
