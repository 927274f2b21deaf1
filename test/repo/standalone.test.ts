/**
 * The repository stands alone: a fresh clone runs its tests, scripts and benchmarks with nothing beside it.
 * A static scan of every file under src/, test/, bench/ and scripts/ (and the root files that drive them)
 * for paths that lead outside the repository: the project's shared data folder, absolute paths into the
 * machine's work area, and relative path literals that climb above the repository root.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const SCANNED_DIRS = ['src', 'test', 'bench', 'scripts'];
const SCANNED_ROOT_FILES = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'vitest.config.ts', '.ci/run', 'Dockerfile', 'docker-compose.yml'];
/** Generated or machine-local outputs (all git-ignored), never committed. */
const SKIPPED = [/(^|\/)node_modules\//, /^bench\/results\/.*\.json$/, /\.cpuprofile$/];
/** Directories compiled by tsconfig.build.json into dist/<same path>: their relative paths may be meant from there. */
const COMPILED_DIRS = ['src', 'scripts', 'bench'];

// The patterns are assembled from pieces so that this file does not contain what it looks for.
const SHARED = 'shared';
const WORK = '/work';
const FORBIDDEN: Array<[RegExp, string]> = [
  [new RegExp(`\\.\\./(\\.\\./)*${SHARED}\\b`), `a relative path to the sibling ${SHARED}/ folder`],
  [new RegExp(`${WORK}/${SHARED}\\b`), `the machine's ${SHARED} data folder`],
  [new RegExp(`\\b${SHARED}/(data|seeds|hooks)/`), `a file of the project's ${SHARED} data (copy it into test/fixtures/)`],
  [new RegExp(`['"\`]${WORK}/`), 'an absolute path into the machine\'s work area'],
];

interface Finding { file: string; line: number; text: string; why: string }

/** Every finding in one file's text; `file` is relative to the repository root, with forward slashes. */
function scan(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    for (const [re, why] of FORBIDDEN) {
      if (re.test(line)) findings.push({ file, line: i + 1, text: line.trim(), why });
    }
    // Relative path literals ('../x', "../../y"): must stay inside the repository from the file's folder
    // (or, for compiled sources, from its folder under dist/).
    for (const m of line.matchAll(/(['"`])((?:\.\.\/)+[^'"`\s]*|\.\.)\1/g)) {
      const literal = m[2]!;
      const from = [dirname(file)];
      if (COMPILED_DIRS.some((d) => file.startsWith(`${d}/`))) from.push(join('dist', dirname(file)));
      const inside = from.some((dir) => {
        const target = relative(root, resolve(root, dir, literal));
        return target === '' || (!target.startsWith('..') && !target.startsWith(sep));
      });
      if (!inside) findings.push({ file, line: i + 1, text: line.trim(), why: `'${literal}' leads outside the repository` });
    }
  });
  return findings;
}

function walk(dir: string, out: string[]): string[] {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (SKIPPED.some((re) => re.test(rel) || re.test(`${rel}/`))) continue;
    if (entry.isDirectory()) walk(rel, out);
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

const files = [...SCANNED_DIRS.flatMap((d) => walk(d, [])), ...SCANNED_ROOT_FILES.filter((f) => statSync(join(root, f), { throwIfNoEntry: false }))];

describe('the repository stands alone', () => {
  it('scans the source, test, bench and script files, this one included', () => {
    expect(files).toContain('test/repo/standalone.test.ts');
    expect(files).toContain('src/gateway/server.ts');
    expect(files).toContain('scripts/dockerfile-smoke.mjs');
    expect(files).toContain('test/fixtures/README.md');
    expect(files.length).toBeGreaterThan(100);
  });

  it('no file references the shared data folder or reads a path outside the repository', () => {
    const findings = files.flatMap((f) => scan(f, readFileSync(join(root, f), 'utf8')));
    expect(findings).toEqual([]);
  });

  it('the data the tests read is inside the repository, under test/fixtures/', () => {
    for (const f of ['signing-vectors.json', 'seed-examples.json', 'README.md']) {
      expect(statSync(join(root, 'test/fixtures', f)).isFile()).toBe(true);
    }
    expect(readdirSync(join(root, 'test/fixtures/ecs-errors')).filter((f) => /^Error\..+\.\d{3}\.json$/.test(f)).length).toBeGreaterThanOrEqual(10);
  });
});

describe('the scan itself', () => {
  const up = '..';
  const cases: Array<[string, string, string]> = [
    ['test/ecs/x.test.ts', `readFileSync(path.resolve(repoRoot, '${up}/${SHARED}/data/signing-vectors.json'))`, 'sibling'],
    ['test/e2e/x.test.ts', `resolve(__dirname, '${up}/${up}/${up}/${SHARED}/seeds/003.txt')`, 'sibling'],
    ['test/gateway/x.test.ts', `const FIXTURES = '${WORK}/${SHARED}/data/fixtures';`, 'data folder'],
    ['test/gateway/x.test.ts', `readFileSync('${WORK}/main/README.md')`, 'work area'],
    ['test/e2e/x.test.ts', `readFileSync(resolve(__dirname, '${up}/${up}/${up}/elsewhere/file.txt'))`, 'leads outside'],
    ['src/x.ts', `new URL('${up}/${up}/${up}/package.json', import.meta.url)`, 'leads outside'],
  ];
  it.each(cases)('flags %s: %s', (file, line, why) => {
    const findings = scan(file, `// header\n${line}\n`);
    expect(findings.length).toBeGreaterThanOrEqual(1);
    expect(findings[0]).toMatchObject({ file, line: 2 });
    expect(findings.map((f) => f.why).join(' | ')).toContain(why);
  });

  it.each([
    ['test/gateway/x.test.ts', `resolve(__dirname, '${up}/${up}/openapi/openapi.json')`],
    ['test/emulator/ecs/x.test.ts', `import { x } from '${up}/${up}/${up}/src/emulator/ecs/index.js';`],
    ['src/version.ts', `for (const rel of ['${up}/package.json', '${up}/${up}/package.json'])`],
    ['test/gateway/x.test.ts', `const home = '/home/test'; // an injected fake, never read`],
    ['bench/README.md', `these are ${SHARED} 2-core machines`],
  ])('does not flag %s: %s', (file, line) => {
    expect(scan(file, line)).toEqual([]);
  });
});
