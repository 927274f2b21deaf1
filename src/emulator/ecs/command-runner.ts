/**
 * What the emulator "runs" when Cloud Assistant executes a command. Nothing is executed: the output is computed from
 * the script text, the same way for RunShellScript, RunBatScript and RunPowerShellScript.
 *
 * The script is read line by line (`\n` or `\r\n`). Blank lines and lines whose first non-blank character is `#` are
 * skipped. For each other line:
 * - `echo ARGS…` prints its arguments, each shell word separated by one space, then a newline (`echo -n ARGS…`: no
 *   newline). Words are split as a POSIX shell does without expansion: unquoted blanks separate words; `'…'` keeps
 *   its text as is; `"…"` keeps its text, where a backslash escapes `"`, `\`, `$` and `` ` `` only; an unquoted
 *   backslash keeps the next character. An unterminated quote runs to the end of the line. Nothing is expanded
 *   (`$HOME` prints `$HOME`), and `;`, `|`, `>` are ordinary characters.
 * - `hostname` (no arguments) prints the instance's HostName and a newline.
 * - anything else prints nothing.
 * The exit code is always 0.
 */

/** The output of `script` on an instance whose HostName is `hostName`. */
export function emulatedOutput(script: string, hostName: string): string {
  let out = '';
  for (const raw of script.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const words = shellWords(line);
    const [cmd, ...args] = words;
    if (cmd === 'echo') {
      const noNewline = args[0] === '-n';
      out += (noNewline ? args.slice(1) : args).join(' ') + (noNewline ? '' : '\n');
    } else if (cmd === 'hostname' && args.length === 0) {
      out += `${hostName}\n`;
    }
  }
  return out;
}

const DQ_ESCAPABLE = new Set(['"', '\\', '$', '`']);

/** Splits one line into shell words (quotes and backslashes as described above, no expansion). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i += 1;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      const stop = end < 0 ? line.length : end;
      word += line.slice(i + 1, stop);
      i = stop + 1;
    } else if (c === '"') {
      i += 1;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && DQ_ESCAPABLE.has(line[i + 1]!)) i += 1;
        word += line[i];
        i += 1;
      }
      i += 1;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[i + 1];
      i += 2;
    } else {
      word += c;
      i += 1;
    }
  }
  if (inWord) words.push(word);
  return words;
}
