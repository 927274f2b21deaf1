#!/usr/bin/env node
/**
 * Runs the Dockerfile without Docker (no engine on these machines): each stage in its own temporary
 * folder, its COPY / RUN / ENV / WORKDIR steps in order, then the final stage's CMD, polled with its
 * HEALTHCHECK until healthy, then stopped with SIGTERM. Only the instructions our Dockerfile uses are
 * understood; anything else fails loudly, so the check cannot silently skip a step.
 * Usage: node scripts/dockerfile-smoke.mjs [Dockerfile]
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const context = process.cwd();
const text = readFileSync(resolve(context, process.argv[2] ?? 'Dockerfile'), 'utf8');
const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const stages = new Map();
const root = mkdtempSync(join(tmpdir(), 'dockerfile-smoke-'));
let stage;

// RUN steps get a copy of npm's cache: the Dockerfile cleans the cache, which must not touch this machine's.
const realCache = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).stdout.trim();
const npmCache = join(root, 'npm-cache');
if (realCache && existsSync(realCache)) cpSync(realCache, npmCache, { recursive: true });

const fail = (message) => { console.error(`dockerfile-smoke: ${message}`); process.exit(1); };
const inStage = (p) => join(stage.dir, p.startsWith('/') ? p : join(stage.workdir, p));

for (const line of lines) {
  const [instruction, ...rest] = line.split(/\s+/);
  const args = rest.join(' ');
  switch (instruction.toUpperCase()) {
    case 'FROM': {
      const name = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? `stage${stages.size}`;
      stage = { name, dir: join(root, name), workdir: '/', env: { ...process.env, npm_config_cache: npmCache } };
      stages.set(name, stage);
      break;
    }
    case 'WORKDIR': stage.workdir = args; break;
    case 'ENV': for (const [, k, v] of args.matchAll(/(\w+)=(\S+)/g)) stage.env[k] = v; break;
    case 'COPY': {
      const from = /^--from=(\S+)\s+/.exec(args);
      const parts = (from ? args.slice(from[0].length) : args).split(/\s+/);
      const dest = parts.pop();
      const source = from ? stages.get(from[1]) : undefined;
      if (from && !source) fail(`COPY --from=${from[1]}: no such stage`);
      for (const src of parts) {
        const abs = source ? join(source.dir, src.startsWith('/') ? src : join(source.workdir, src)) : resolve(context, src);
        const target = dest.endsWith('/') || parts.length > 1 ? join(inStage(dest), src.split('/').pop()) : inStage(dest);
        cpSync(abs, target, { recursive: true });
      }
      break;
    }
    case 'RUN': {
      console.log(`[${stage.name}] RUN ${args}`);
      const run = spawnSync('bash', ['-c', args], { cwd: inStage('.'), env: stage.env, stdio: 'inherit' });
      if (run.status !== 0) fail(`RUN failed (${run.status}): ${args}`);
      break;
    }
    case 'HEALTHCHECK': stage.healthcheck = JSON.parse(/CMD\s+(\[.*\])$/.exec(args)?.[1] ?? fail('HEALTHCHECK needs CMD [..]')); break;
    case 'CMD': stage.cmd = JSON.parse(args); break;
    case 'USER': stage.user = args; break;
    case 'EXPOSE': stage.expose = args; break;
    default: fail(`unsupported instruction ${instruction}`);
  }
}

if (!stage.cmd || !stage.healthcheck) fail('the final stage needs CMD and HEALTHCHECK');
if (!stage.user || stage.user === 'root') fail('the final stage must run as a non-root USER');
const port = String(20000 + Math.floor(Math.random() * 20000));
const env = { ...stage.env, PORT: port };
console.log(`[${stage.name}] CMD ${stage.cmd.join(' ')} (PORT=${port}, HOST=${env.HOST})`);
const server = spawn(stage.cmd[0], stage.cmd.slice(1), { cwd: inStage('.'), env, stdio: 'inherit' });
const deadline = Date.now() + 20_000;
let healthy = false;
while (!healthy && Date.now() < deadline && server.exitCode === null) {
  await new Promise((r) => setTimeout(r, 300));
  healthy = spawnSync(stage.healthcheck[0], stage.healthcheck.slice(1), { cwd: inStage('.'), env }).status === 0;
}
const exited = new Promise((r) => server.once('exit', (code, signal) => r(signal ?? code)));
server.kill('SIGTERM');
const how = await exited;
rmSync(root, { recursive: true, force: true });
if (!healthy) fail('the HEALTHCHECK never passed');
if (how !== 0) fail(`the server did not stop cleanly on SIGTERM (${how})`);
console.log(`dockerfile-smoke: stages ${[...stages.keys()].join(' → ')} built, HEALTHCHECK passed, SIGTERM exit 0`);
