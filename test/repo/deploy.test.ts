/**
 * Static checks of the Kubernetes manifests in deploy/kubernetes/ (no cluster on the build machines): they parse,
 * kustomization.yaml lists them all, the probes are the gateway's routes, the ports and the command are the
 * Dockerfile's, the environment is a configuration the gateway accepts, and both workloads run non-root.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/gateway/app.js';
import { loadConfig } from '../../src/gateway/config.js';
import { parseYamlDocuments } from '../support/yaml-lite.js';

const root = resolve(__dirname, '../..');
const dir = resolve(root, 'deploy/kubernetes');
const read = (f: string) => readFileSync(resolve(root, f), 'utf8');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const docs: { file: string; doc: Doc }[] = files.flatMap((file) => parseYamlDocuments(readFileSync(resolve(dir, file), 'utf8')).map((doc) => ({ file, doc })));
const find = (kind: string, name: string): Doc => {
  const found = docs.filter((d) => d.doc.kind === kind && d.doc.metadata?.name === name);
  expect(found, `${kind}/${name}`).toHaveLength(1);
  return found[0]!.doc;
};
const sameLabels = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('deploy/kubernetes', () => {
  const kustomization = docs.find((d) => d.file === 'kustomization.yaml')!.doc;
  const deployment = find('Deployment', 'ecs-gateway');
  const pod = deployment.spec.template.spec;
  const container = pod.containers.find((c: Doc) => c.name === 'gateway');
  const env: Record<string, string> = Object.fromEntries(container.env.map((e: Doc) => [e.name, e.value]));
  const dockerfile = read('Dockerfile');

  it('kustomization.yaml lists every manifest of the folder, and they are the expected objects', () => {
    expect([...kustomization.resources].sort()).toEqual(files.filter((f) => f !== 'kustomization.yaml'));
    expect(docs.filter((d) => d.file !== 'kustomization.yaml').map((d) => `${d.doc.kind}/${d.doc.metadata.name}`).sort()).toEqual([
      'Deployment/ecs-gateway', 'Deployment/ecs-gateway-redis', 'HorizontalPodAutoscaler/ecs-gateway',
      'PodDisruptionBudget/ecs-gateway', 'Service/ecs-gateway', 'Service/ecs-gateway-redis',
    ]);
    // Its `images` entry retags the gateway's image.
    expect(kustomization.images.map((i: Doc) => i.name)).toEqual([container.image.split(':')[0]]);
  });

  it('runs at least 2 replicas, selected by the labels of its pods', () => {
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(sameLabels(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels)).toBe(true);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
  });

  it('runs the Dockerfile\'s command and port', () => {
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect(container.command).toEqual(JSON.parse(cmd!));
    const port = Number(/^EXPOSE (\d+)$/m.exec(dockerfile)?.[1]);
    expect(port).toBe(8000);
    expect(container.ports).toEqual([{ name: 'http', containerPort: port, protocol: 'TCP' }]);
    expect(env.PORT).toBe(String(port));
    expect(env.HOST).toBe('0.0.0.0');
  });

  it('has an environment the gateway accepts, with the limits shared through the Redis Service', () => {
    const config = loadConfig(env, { homeDir: '/nonexistent' });
    expect(config.rateLimit).toBeDefined();
    expect(config.overload?.maxEventLoopDelayMs).toBeGreaterThan(0);
    const redisService = find('Service', 'ecs-gateway-redis');
    const url = new URL(config.redisUrl!);
    expect(url.hostname).toBe(redisService.metadata.name);
    expect(Number(url.port)).toBe(redisService.spec.ports[0].port);
    // Secrets come from a Secret, never from the manifest.
    for (const name of Object.keys(env)) expect(name).not.toMatch(/SECRET|API_KEYS|TOKEN|PASSWORD/);
    expect(container.envFrom).toEqual([{ secretRef: { name: 'ecs-gateway-secrets', optional: true } }]);
  });

  describe('probes', () => {
    let app: FastifyInstance;
    beforeAll(async () => {
      app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }, { homeDir: '/nonexistent' }) });
      await app.ready();
    });
    afterAll(async () => { await app.close(); });

    it('liveness on /healthz and readiness on /readyz, on the http port, both routes of the gateway', async () => {
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      for (const path of ['/healthz', '/readyz']) {
        expect(app.hasRoute({ method: 'GET', url: path }), path).toBe(true);
        expect((await app.inject({ method: 'GET', url: path })).statusCode, path).toBe(200);
      }
    });
  });

  it('lets the gateway drain (25 s) before it is killed', () => {
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(25 + 5);
  });

  it.each([['gateway', 'ecs-gateway'], ['redis', 'ecs-gateway-redis']])('runs %s non-root, read-only, without privileges, with resources', (containerName, deploymentName) => {
    const spec = find('Deployment', deploymentName).spec.template.spec;
    const c = spec.containers.find((x: Doc) => x.name === containerName);
    expect(spec.securityContext.runAsNonRoot).toBe(true);
    expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    for (const kind of ['requests', 'limits']) {
      expect(c.resources[kind].cpu, kind).toBeDefined();
      expect(c.resources[kind].memory, kind).toBeDefined();
    }
  });

  it('runs the gateway as the Dockerfile\'s user (node, uid 1000)', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(pod.securityContext.runAsUser).toBe(1000);
  });

  it('the Service sends its port to the pods\' http port', () => {
    const service = find('Service', 'ecs-gateway');
    expect(sameLabels(service.spec.selector, deployment.spec.template.metadata.labels)).toBe(true);
    expect(service.spec.ports[0].targetPort).toBe('http');
  });

  it('the HPA scales the Deployment from 2; the PDB keeps one replica of it', () => {
    const hpa = find('HorizontalPodAutoscaler', 'ecs-gateway');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'ecs-gateway' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    const pdb = find('PodDisruptionBudget', 'ecs-gateway');
    expect(sameLabels(pdb.spec.selector.matchLabels, deployment.spec.template.metadata.labels)).toBe(true);
    expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);
  });

  it('Redis keeps nothing on disk, and its Service reaches its port', () => {
    const redis = find('Deployment', 'ecs-gateway-redis');
    const c = redis.spec.template.spec.containers[0];
    expect(c.command).toEqual(expect.arrayContaining(['redis-server', '--save', '', '--appendonly', 'no']));
    const service = find('Service', 'ecs-gateway-redis');
    expect(sameLabels(service.spec.selector, redis.spec.template.metadata.labels)).toBe(true);
    expect(sameLabels(service.spec.selector, deployment.spec.template.metadata.labels)).toBe(false);
    expect(c.ports[0]).toMatchObject({ name: service.spec.ports[0].targetPort, containerPort: 6379 });
  });
});

describe('yaml-lite (the reader of these manifests)', () => {
  it('reads the subset, and refuses what is outside it', () => {
    expect(parseYamlDocuments('a: 1\nb:\n  - x\n  - "y: z"\n  - k: v\n    n: [] # c\n---\nc: \'it\'\'s\'\n')).toEqual([
      { a: 1, b: ['x', 'y: z', { k: 'v', n: [] }] }, { c: "it's" },
    ]);
    expect(() => parseYamlDocuments('a: [1, 2]\n')).toThrow(/outside the YAML subset/);
    expect(() => parseYamlDocuments('a: |\n  text\n')).toThrow(/outside the YAML subset/);
    expect(() => parseYamlDocuments('a: 1\na: 2\n')).toThrow(/duplicate key/);
  });
});
