#!/usr/bin/env node
/**
 * Runs the Dockerfile without Docker (no engine on these machines): each stage in its own temporary
 * folder, its COPY / RUN / ENV / WORKDIR steps in order, then the final stage's CMD, polled with its
 * HEALTHCHECK until healthy, then stopped with SIGTERM. Only the instructions our Dockerfile uses are
 * understood; anything else fails loudly, so the check cannot silently skip a step.
 * COPY from the build context honours .dockerignore (which must exist and keep node_modules, .git and
 * dist out of the context), and the base image's Node major must be the one running this script, so
 * the stages run on the Node the image ships:
 *   npx -y -p node@24 -c 'node scripts/dockerfile-smoke.mjs Dockerfile'
 * Usage: node scripts/dockerfile-smoke.mjs [Dockerfile]
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative, resolve, sep } from 'node:path';

const context = process.cwd();
const text = readFileSync(resolve(context, process.argv[2] ?? 'Dockerfile'), 'utf8');
const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const stages = new Map();
const root = mkdtempSync(join(tmpdir(), 'dockerfile-smoke-'));
let stage;

const fail = (message) => {
  console.error(`dockerfile-smoke: ${message}`);
  rmSync(root, { recursive: true, force: true });
  process.exit(1);
};

// RUN steps get a copy of npm's package cache (only _cacache, not npx installs or logs): the Dockerfile
// cleans the cache, which must not touch this machine's.
const realCache = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).stdout.trim();
const npmCache = join(root, 'npm-cache');
if (realCache && existsSync(join(realCache, '_cacache'))) cpSync(join(realCache, '_cacache'), join(npmCache, '_cacache'), { recursive: true });

/**
 * .dockerignore as Docker reads it: one pattern a line, `#` comments, a leading `/` ignored, `*` and `?`
 * within one path segment, `**` across segments; a pattern that matches a folder matches everything
 * inside it. Exceptions (`!`) and character classes are not understood, so they fail loudly.
 */
function readDockerignore(file) {
  if (!existsSync(file)) fail(`${file} is missing: the build context would carry node_modules, .git and local outputs`);
  return readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((line) => {
    if (/^!|[[\]\\]/.test(line)) fail(`.dockerignore: "${line}" uses syntax this smoke does not understand`);
    const pattern = posix.normalize(line.replace(/^\/+/, '')).replace(/\/+$/, '');
    let re = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i];
      if (c === '*' && pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') { i++; re += '(?:.*/)?'; } else re += '.*';
      } else if (c === '*') re += '[^/]*';
      else if (c === '?') re += '[^/]';
      else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    return new RegExp(`^${re}$`);
  });
}
const ignore = readDockerignore(resolve(context, '.dockerignore'));
/** True when Docker would leave this context-relative path (forward slashes) out of the build context. */
const ignored = (rel) => {
  const parts = rel.split('/');
  return parts.some((_, i) => ignore.some((re) => re.test(parts.slice(0, i + 1).join('/'))));
};
for (const must of ['node_modules/x/index.js', 'src/node_modules/x.js', '.git/HEAD', 'dist/src/gateway/server.js', '.ci-out/vitest.json']) {
  if (!ignored(must)) fail(`.dockerignore must keep ${must.split('/').slice(0, -1).join('/')} out of the build context`);
}
for (const keep of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src/gateway/server.ts']) {
  if (ignored(keep)) fail(`.dockerignore excludes ${keep}, which the Dockerfile needs`);
}
// A container starts without this process's npm settings (an outer `npm run` / `npx -c` sets npm_* variables
// that would change what the stages' own npm / npx commands do).
const containerEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_|^INIT_CWD$/i.test(k)));
const inStage = (p) => join(stage.dir, p.startsWith('/') ? p : join(stage.workdir, p));

for (const line of lines) {
  const [instruction, ...rest] = line.split(/\s+/);
  const args = rest.join(' ');
  switch (instruction.toUpperCase()) {
    case 'FROM': {
      // The stages run on this process's Node, so it must be the image's: node:<major>[-variant].
      const image = /^(?:--platform=\S+\s+)?(\S+)/.exec(args)?.[1] ?? '';
      const major = /^node:(\d+)(?:[.-]|$)/.exec(image)?.[1];
      if (!major) fail(`FROM ${image}: only official node:<major> images are understood`);
      if (major !== process.versions.node.split('.')[0]) {
        fail(`FROM ${image}, but this runs on Node ${process.versions.node}; run it on Node ${major}: npx -y -p node@${major} -c 'node scripts/dockerfile-smoke.mjs'`);
      }
      const name = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? `stage${stages.size}`;
      stage = { name, dir: join(root, name), workdir: '/', env: { ...containerEnv, npm_config_cache: npmCache } };
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
        // From the build context, only what .dockerignore lets through (Docker fails on an excluded source).
        const inContext = (p) => relative(context, p).split(sep).join('/');
        if (!source && ignored(inContext(abs))) fail(`COPY ${src}: excluded from the build context by .dockerignore`);
        cpSync(abs, target, { recursive: true, filter: source ? undefined : (p) => !ignored(inContext(p)) });
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
