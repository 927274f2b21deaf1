import type { FastifyInstance } from 'fastify';
import { ErrorCode, GatewayError } from '../errors.js';

const forbidden = (field: string) => new GatewayError(400, ErrorCode.malformedJson, `Request body contains the forbidden key ${field}`,
  { details: [{ location: 'body', field, message: 'prototype keys are not accepted' }] });

/** Throws on the keys that prototype-pollution payloads use, naming the key. */
function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__') throw forbidden('__proto__');
  if (key === 'constructor' && typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype')) {
    throw forbidden('constructor.prototype');
  }
  return value;
}

/** Parses a JSON body; prototype keys are refused by name. */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) throw new GatewayError(400, ErrorCode.malformedJson, 'Request body is empty but Content-Type is application/json');
  // The reviver costs a walk of the whole document, so only bodies that could hold such a key pay it.
  const suspicious = text.includes('__proto__') || text.includes('constructor') || text.includes('\\u');
  try {
    return suspicious ? JSON.parse(text, refusePrototypeKeys) : JSON.parse(text);
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    // Not the parser's message: on Node 20 it quotes a piece of the body, which may hold a secret, and
    // gives no position for some errors. Say where and what, never quoting the body.
    const problem = locateJsonError(text);
    const where = problem ? `: ${problem.problem} at ${lineAndColumn(text, problem.offset)}` : '';
    throw new GatewayError(400, ErrorCode.malformedJson, `Request body is not valid JSON${where}`);
  }
}

/** `line 3, column 12` (both from 1) of a character offset. */
export function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ['true', 'false', 'null'];
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

type Expect = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'afterValue';

/**
 * Where and why `text` is not JSON (RFC 8259): the offset of the first character that cannot continue
 * a JSON document, and what was expected there; undefined when it is JSON. Only runs once JSON.parse
 * has refused a body. Iterative, so nesting depth costs no stack.
 */
export function locateJsonError(text: string): { offset: number; problem: string } | undefined {
  const n = text.length;
  const stack: string[] = [];
  let expect: Expect = 'value';
  let i = 0;
  const fail = (problem: string, at = i) => ({ offset: at, problem });
  const string = (): { offset: number; problem: string } | undefined => {
    const start = i;
    for (i++; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return fail('control character in a string (escape it)');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return fail('invalid \\u escape');
          i += 5;
        } else if (e !== undefined && ESCAPES.has(e)) {
          i++;
        } else {
          return fail('invalid escape sequence');
        }
      }
    }
    return fail('unterminated string', start);
  };
  for (;;) {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
    if (i >= n) return expect === 'afterValue' && stack.length === 0 ? undefined : fail('unexpected end of the body');
    const c = text[i]!;
    switch (expect) {
      case 'value':
      case 'valueOrClose': {
        if (expect === 'valueOrClose' && c === ']') {
          stack.pop();
          i++;
          expect = 'afterValue';
        } else if (c === '{' || c === '[') {
          stack.push(c);
          i++;
          expect = c === '{' ? 'keyOrClose' : 'valueOrClose';
        } else if (c === '"') {
          const problem = string();
          if (problem) return problem;
          expect = 'afterValue';
        } else if (c === '-' || (c >= '0' && c <= '9')) {
          NUMBER.lastIndex = i;
          const end = NUMBER.exec(text) ? NUMBER.lastIndex : i;
          if (end === i || /[0-9.eE+-]/.test(text[end] ?? '')) return fail('invalid number');
          i = end;
          expect = 'afterValue';
        } else {
          const literal = LITERALS.find((l) => text.startsWith(l, i));
          if (!literal) return fail('expected a value');
          i += literal.length;
          expect = 'afterValue';
        }
        break;
      }
      case 'key':
      case 'keyOrClose': {
        if (expect === 'keyOrClose' && c === '}') {
          stack.pop();
          i++;
          expect = 'afterValue';
          break;
        }
        if (c !== '"') return fail('expected a double-quoted property name');
        const problem = string();
        if (problem) return problem;
        expect = 'colon';
        break;
      }
      case 'colon':
        if (c !== ':') return fail("expected ':' after the property name");
        i++;
        expect = 'value';
        break;
      case 'afterValue': {
        const top = stack.at(-1);
        if (top === undefined) return fail('unexpected data after the JSON value');
        if (c === ',') {
          i++;
          expect = top === '{' ? 'key' : 'value';
        } else if ((top === '{' && c === '}') || (top === '[' && c === ']')) {
          stack.pop();
          i++;
        } else {
          return fail(top === '{' ? "expected ',' or '}' after a property value" : "expected ',' or ']' after an array element");
        }
        break;
      }
    }
  }
}

/**
 * Bodies are JSON only: replaces Fastify's JSON parser, which hides why a body was refused, with
 * parseJsonBody, and drops its text/plain parser, so a text body is the documented 415.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
