import fc from 'fast-check';
import { errors as undiciErrors } from 'undici';
import { describe, expect, it } from 'vitest';
import { ecsRequestIdOf, readAnswer, REDACTED, scrubSecrets, secretForms, transportError } from '../../src/gateway/ecs/errors.js';
import { percentEncode } from '../../src/gateway/ecs/signer.js';
import { GatewayError } from '../../src/gateway/errors.js';

const NO_SECRETS = () => [] as string[];

/** The GatewayError `fn` throws. */
function thrown(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error('nothing was thrown');
}

describe('readAnswer: an HTTP answer from ECS', () => {
  it.each([200, 201, 299])('a %i JSON object is the result, parsed', (status) => {
    expect(readAnswer(status, {}, '{"RequestId":"R-1","TotalCount":2}', 'DescribeDisks', NO_SECRETS)).toEqual({ RequestId: 'R-1', TotalCount: 2 });
  });

  it('an ECS error keeps status, Code, Message, RequestId, HostId and Recommend', () => {
    const body = { RequestId: 'R-403', HostId: 'ecs.aliyuncs.com', Code: 'IncorrectInstanceStatus', Message: 'bad status', Recommend: 'https://error-center.aliyun.com/x' };
    const err = thrown(() => readAnswer(403, {}, JSON.stringify(body), 'StopInstances', NO_SECRETS));
    expect(err).toMatchObject({ statusCode: 403, code: 'IncorrectInstanceStatus', message: 'bad status' });
    expect(err.extra).toEqual({ ecsRequestId: 'R-403', hostId: 'ecs.aliyuncs.com', recommend: 'https://error-center.aliyun.com/x' });
    expect(err.responseHeaders).toEqual({});
  });

  it.each([
    ['no Message', { Code: 'Weird' }, 'ECS returned an error'],
    ['an empty Message', { Code: 'Weird', Message: '' }, 'ECS returned an error'],
    ['a non-string Message', { Code: 'Weird', Message: 5 }, 'ECS returned an error'],
  ])('an ECS error with %s still gets a message', (_name, body, message) => {
    const err = thrown(() => readAnswer(400, {}, JSON.stringify(body), 'X', NO_SECRETS));
    expect(err).toMatchObject({ statusCode: 400, code: 'Weird', message });
    expect(err.extra).toEqual({ ecsRequestId: undefined, hostId: undefined, recommend: undefined });
  });

  it('an empty Code is UnknownError', () => {
    expect(thrown(() => readAnswer(500, {}, '{"Code":""}', 'X', NO_SECRETS))).toMatchObject({ statusCode: 500, code: 'UnknownError' });
  });

  it.each([
    ['1500', '2'], ['1000', '1'], ['1', '1'], ['60000', '60'], ['2500.5', '3'],
  ])('x-acs-retry-after %s ms is retry-after %s s', (ms, seconds) => {
    const err = thrown(() => readAnswer(400, { 'x-acs-retry-after': ms }, '{"Code":"Throttling"}', 'X', NO_SECRETS));
    expect(err.responseHeaders).toEqual({ 'retry-after': seconds });
  });

  it.each(['0', '-5', 'soon', '', 'Infinity'])('no retry-after for x-acs-retry-after %j', (ms) => {
    const err = thrown(() => readAnswer(400, { 'x-acs-retry-after': ms }, '{"Code":"Throttling"}', 'X', NO_SECRETS));
    expect(err.responseHeaders['retry-after']).toBeUndefined();
  });

  it.each([
    ['HTML on 200', 200, '<html>hi</html>'],
    ['a JSON array on 200', 200, '[1,2]'],
    ['JSON null on 200', 200, 'null'],
    ['a JSON string on 200', 200, '"ok"'],
    ['an empty 200', 200, ''],
    ['HTML on 502', 502, '<html>Bad Gateway</html>'],
    ['a 4xx JSON object without Code', 400, '{"Message":"no code"}'],
    ['a 4xx with a non-string Code', 400, '{"Code":5}'],
    ['a redirect with a Code', 302, '{"Code":"Moved"}'],
    ['a 1xx-like status', 100, '{"RequestId":"x"}'],
    ['a status over 599', 600, '{"Code":"X"}'],
  ] as const)('%s is 502 UPSTREAM_BAD_RESPONSE naming the action and status, not the body', (_name, status, text) => {
    const err = thrown(() => readAnswer(status, {}, text, 'DescribeRegions', NO_SECRETS));
    expect(err).toMatchObject({ statusCode: 502, code: 'UPSTREAM_BAD_RESPONSE' });
    expect(err.message).toBe(`ECS answered DescribeRegions with HTTP ${status} and a body that is not an ECS JSON document`);
    expect(err.responseHeaders).toEqual({});
  });

  it('works the scrub list out only for an ECS error', () => {
    let asked = 0;
    const secrets = () => { asked++; return secretForms(['the-secret']); };
    readAnswer(200, {}, '{"RequestId":"R"}', 'X', secrets);
    expect(() => readAnswer(502, {}, '<html>', 'X', secrets)).toThrow(GatewayError);
    expect(asked).toBe(0);
    const err = thrown(() => readAnswer(400, {}, JSON.stringify({ Code: 'SignatureDoesNotMatch', Message: 'sts: the-secret' }), 'X', secrets));
    expect(asked).toBe(1);
    expect(err.message).toBe(`sts: ${REDACTED}`);
  });

  it('scrubs every field it passes on: Code, Message, RequestId, HostId and Recommend', () => {
    const s = 'se/cr+et=(x)!';
    const body = { Code: `C-${s}`, Message: `M-${encodeURIComponent(s)}`, RequestId: `R-${percentEncode(percentEncode(s))}`, HostId: `H-${s}`, Recommend: `https://x/?q=${percentEncode(s)}` };
    const err = thrown(() => readAnswer(400, {}, JSON.stringify(body), 'X', () => secretForms([s])));
    expect({ code: err.code, message: err.message, ...err.extra }).toEqual({
      code: `C-${REDACTED}`, message: `M-${REDACTED}`, ecsRequestId: `R-${REDACTED}`, hostId: `H-${REDACTED}`, recommend: `https://x/?q=${REDACTED}`,
    });
  });
});

describe('transportError: no answer from ECS', () => {
  it.each([
    ['the deadline expired', new Error('aborted'), true],
    ['a TimeoutError', Object.assign(new Error('t'), { name: 'TimeoutError' }), false],
    ['undici headers timeout', new undiciErrors.HeadersTimeoutError(), false],
    ['undici body timeout', new undiciErrors.BodyTimeoutError(), false],
    ['undici connect timeout', new undiciErrors.ConnectTimeoutError(), false],
  ])('%s is 504 UPSTREAM_TIMEOUT with retry-after: 1', (_name, cause, timedOut) => {
    const err = transportError(cause, timedOut, 'StopInstances');
    expect(err).toMatchObject({ statusCode: 504, code: 'UPSTREAM_TIMEOUT', message: 'ECS did not answer StopInstances in time', cause });
    expect(err.responseHeaders).toEqual({ 'retry-after': '1' });
  });

  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' })],
    ['a reset socket', new undiciErrors.SocketError('other side closed')],
    ['a closed client', new undiciErrors.ClientDestroyedError()],
    ['something that is not an Error', 'boom'],
    ['undefined', undefined],
  ])('%s is 502 UPSTREAM_UNAVAILABLE with retry-after: 1, the cause kept, no address in the message', (_name, cause) => {
    const err = transportError(cause, false, 'StopInstances');
    expect(err).toMatchObject({ statusCode: 502, code: 'UPSTREAM_UNAVAILABLE', message: 'Could not reach ECS for StopInstances' });
    expect(err.cause).toBe(cause);
    expect(err.responseHeaders).toEqual({ 'retry-after': '1' });
  });
});

describe('secretForms and scrubSecrets', () => {
  const forms = (v: string) => [v, encodeURIComponent(v), percentEncode(v), percentEncode(percentEncode(v)), encodeURIComponent(encodeURIComponent(v))];

  it('lists each value raw and encoded once and twice, both ways, longest first, without empties or duplicates', () => {
    const list = secretForms(["a b!'", undefined, '', "a b!'"]);
    expect(new Set(list)).toEqual(new Set(forms("a b!'")));
    expect(list).toHaveLength(new Set(list).size);
    expect([...list].sort((a, b) => b.length - a.length)).toEqual(list);
  });

  it('ignores very short values and replaces every occurrence', () => {
    expect(scrubSecrets('abc abcd abcd', ['abc'])).toBe('abc abcd abcd');
    expect(scrubSecrets('abcd x abcd', ['abcd'])).toBe(`${REDACTED} x ${REDACTED}`);
    expect(scrubSecrets('nothing here', secretForms(['abcd']))).toBe('nothing here');
  });

  it('a secret that contains another is replaced whole, leaving no fragment of it', () => {
    // Shortest first would leave `[xx[REDACTED]yy]`: the longer secret's ends.
    expect(scrubSecrets('[xxabcdyy]', secretForms(['abcd', 'xxabcdyy']))).toBe(`[${REDACTED}]`);
  });

  it('no secret of 4+ characters survives in any of its forms, wherever it is echoed (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.string({ minLength: 4, maxLength: 24, unit: 'grapheme' }), { minLength: 1, maxLength: 3 }),
      fc.string({ maxLength: 20 }),
      (secrets, filler) => {
        const echoed = secrets.flatMap(forms).map((f) => `${filler}${f}`).join('&');
        const scrubbed = scrubSecrets(echoed, secretForms(secrets));
        for (const form of secrets.flatMap(forms)) if (form.length >= 4 && !REDACTED.includes(form)) expect(scrubbed).not.toContain(form);
      },
    ), { numRuns: 200, seed: 8 });
  });
});

describe('ecsRequestIdOf: the ECS RequestId of an outcome', () => {
  it('of a successful answer is its body RequestId', () => {
    expect(ecsRequestIdOf({ status: 200, headers: {}, body: { RequestId: 'R-OK' }, bodyText: '' })).toBe('R-OK');
  });

  it('of an ECS error is its ecsRequestId', () => {
    const err = thrown(() => readAnswer(404, {}, '{"Code":"InvalidInstanceId.NotFound","RequestId":"R-404"}', 'X', NO_SECRETS));
    expect(ecsRequestIdOf(err)).toBe('R-404');
  });

  it.each([
    ['a transport error', transportError(new Error('x'), false, 'X')],
    ['a bad response', thrown(() => readAnswer(200, {}, 'nope', 'X', NO_SECRETS))],
    ['a body without RequestId', { body: {} }],
    ['a non-string RequestId', { body: { RequestId: 7 } }],
    ['nothing', undefined],
    ['a plain Error', new Error('x')],
  ])('of %s is undefined', (_name, outcome) => {
    expect(ecsRequestIdOf(outcome)).toBeUndefined();
  });
});
