/**
 * What every generator under scripts/ shares: write its files, or (`--check`, as CI runs it) fail when a
 * committed file differs from what it would write; and the one-line-per-action JSON layout of the catalogs.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One generated file: where it goes and its full text. */
export interface GeneratedFile {
  target: string;
  text: string;
}

/**
 * Writes the files, or with `--check` in argv compares them with the committed ones (a missing file is stale)
 * and exits 1 naming each stale file and the command that regenerates it.
 */
export function writeOrCheck(files: readonly GeneratedFile[], command: string, argv: readonly string[] = process.argv): void {
  const check = argv.includes('--check');
  let stale = false;
  for (const { target, text } of files) {
    const name = relative(ROOT, target);
    if (!check) {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, text);
      process.stdout.write(`wrote ${name} (${(text.length / 1024).toFixed(0)} KiB)\n`);
      continue;
    }
    let committed = '';
    try {
      committed = readFileSync(target, 'utf8');
    } catch { /* missing counts as stale */ }
    if (committed === text) process.stdout.write(`${name} is up to date\n`);
    else {
      process.stderr.write(`${name} is stale: run \`${command}\` and commit the result\n`);
      stale = true;
    }
  }
  if (stale) process.exit(1);
}

/**
 * The catalogs' file format: the header's fields, then one line per action mapping its name to the action's
 * JSON text. Each action stays a one-line diff, the runtime parses only the actions it uses, and TypeScript
 * sees a map of strings instead of inferring a type for thousands of parameter objects.
 */
export function renderActionMap(head: object, actions: ReadonlyArray<{ name: string }>): string {
  const lines = actions.map((a) => `${JSON.stringify(a.name)}:${JSON.stringify(JSON.stringify(a))}`);
  return `{${JSON.stringify(head).slice(1, -1)},\n"actions":{\n${lines.join(',\n')}\n}}\n`;
}

/** Runs a generator's main when its module is the entry point; any failure is one line on stderr and exit 1. */
export function runIfMain(moduleUrl: string, main: () => void | Promise<void>): void {
  if (!process.argv[1] || resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  Promise.resolve().then(main).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
