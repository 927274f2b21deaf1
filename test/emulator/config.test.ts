import { describe, expect, it } from 'vitest';
import { DEMO_ACCESS_KEY, EmulatorConfigError, listenFailure, loadEmulatorConfig } from '../../src/emulator/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadEmulatorConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(EmulatorConfigError);
    return (err as EmulatorConfigError).problems;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loadEmulatorConfig', () => {
  it('defaults to 127.0.0.1:9000, the demo key pair, 2000 ms transitions, no faults', () => {
    expect(loadEmulatorConfig({})).toEqual({
      host: '127.0.0.1',
      port: 9000,
      accessKeys: [DEMO_ACCESS_KEY],
      transitionMs: 2000,
      stateFile: undefined,
      faults: false,
      faultRules: [],
    });
  });

  it('reads every variable, including STS triples and a fault preset', () => {
    const config = loadEmulatorConfig({
      EMULATOR_HOST: '0.0.0.0',
      EMULATOR_PORT: '0',
      EMULATOR_ACCESS_KEYS: 'id1:s1, id2:s2:STS.token/+=',
      EMULATOR_TRANSITION_MS: '0',
      EMULATOR_STATE_FILE: '/tmp/state.json',
      EMULATOR_FAULTS: 'true',
      EMULATOR_FAULTS_PRESET: '[{"mode":"throttle","count":2},{"mode":"latency","rate":0.5,"latencyMs":10}]',
    });
    expect(config).toEqual({
      host: '0.0.0.0',
      port: 0,
      accessKeys: [
        { accessKeyId: 'id1', accessKeySecret: 's1' },
        { accessKeyId: 'id2', accessKeySecret: 's2', securityToken: 'STS.token/+=' },
      ],
      transitionMs: 0,
      stateFile: '/tmp/state.json',
      faults: true,
      faultRules: [
        { mode: 'throttle', count: 2 },
        { mode: 'latency', rate: 0.5, latencyMs: 10 },
      ],
    });
    expect(loadEmulatorConfig({ EMULATOR_FAULTS: '1' }).faults).toBe(true);
    expect(loadEmulatorConfig({ EMULATOR_FAULTS: 'FALSE' }).faults).toBe(false);
  });

  it('counts an empty variable (VAR= in compose and .env files) as unset, for every variable', () => {
    const names = ['EMULATOR_HOST', 'EMULATOR_PORT', 'EMULATOR_ACCESS_KEYS', 'EMULATOR_TRANSITION_MS', 'EMULATOR_STATE_FILE', 'EMULATOR_FAULTS', 'EMULATOR_FAULTS_PRESET'];
    const defaults = loadEmulatorConfig({});
    for (const name of names) expect(loadEmulatorConfig({ [name]: '' }), name).toEqual(defaults);
    expect(loadEmulatorConfig(Object.fromEntries(names.map((n) => [n, ''])))).toEqual(defaults);
    expect(loadEmulatorConfig({ EMULATOR_HOST: '', EMULATOR_PORT: '9100' })).toMatchObject({ host: '127.0.0.1', port: 9100 });
  });

  it('lists every problem at once and never echoes a secret', () => {
    const problems = problemsOf({
      EMULATOR_HOST: ' ',
      EMULATOR_PORT: '70000',
      EMULATOR_ACCESS_KEYS: 'good:topsecret,nosecret,good:other,x:y:',
      EMULATOR_TRANSITION_MS: '-5',
      EMULATOR_FAULTS: 'yes',
      EMULATOR_FAULTS_PRESET: '{"mode":"explode","rate":2}',
    });
    expect(problems).toEqual([
      'EMULATOR_HOST must not be empty',
      'EMULATOR_PORT must be an integer from 0 to 65535 (got "70000")',
      'EMULATOR_TRANSITION_MS must be an integer from 0 to 3600000 (got "-5")',
      'EMULATOR_ACCESS_KEYS entry 2 must be id:secret or id:secret:securityToken',
      'EMULATOR_ACCESS_KEYS repeats the id "good"',
      'EMULATOR_ACCESS_KEYS entry 4 has an empty securityToken',
      'EMULATOR_FAULTS must be 1, true, 0 or false (got "yes")',
      'EMULATOR_FAULTS_PRESET rule 0: mode must be one of throttle, unavailable, internal, latency, drop, reset-after',
      'EMULATOR_FAULTS_PRESET rule 0: rate must be a number between 0 and 1',
    ]);
    expect(problems.join('\n')).not.toContain('topsecret');
  });

  it('rejects a preset that is not JSON and a port that is not a number', () => {
    expect(problemsOf({ EMULATOR_FAULTS_PRESET: '{mode', EMULATOR_PORT: '90a' })).toEqual([
      'EMULATOR_PORT must be an integer from 0 to 65535 (got "90a")',
      'EMULATOR_FAULTS_PRESET must be JSON (a fault rule or an array of rules)',
    ]);
  });
});

describe('listenFailure', () => {
  const target = { host: '127.0.0.1', port: 80, portVariable: 'EMULATOR_PORT', hostVariable: 'EMULATOR_HOST' };
  const sysError = (code: string, syscall: string) => Object.assign(new Error(`${syscall} ${code}`), { code, syscall });

  it('names the variable to change for each way listening fails', () => {
    expect(listenFailure(sysError('EADDRINUSE', 'listen'), target)).toBe('port 80 is already in use (127.0.0.1:80); set EMULATOR_PORT to a free port');
    expect(listenFailure(sysError('EACCES', 'listen'), target)).toBe('not permitted to listen on port 80 (127.0.0.1:80); set EMULATOR_PORT to a port above 1023');
    expect(listenFailure(sysError('EADDRNOTAVAIL', 'listen'), target)).toBe('cannot listen on host 127.0.0.1 (EADDRNOTAVAIL); set EMULATOR_HOST to a local address');
    expect(listenFailure(sysError('ENOTFOUND', 'getaddrinfo'), { ...target, host: 'nowhere.invalid' }))
      .toBe('cannot listen on host nowhere.invalid (ENOTFOUND); set EMULATOR_HOST to a local address');
  });

  it('passes other errors through (an unreadable state file is EACCES too, but not a port problem)', () => {
    expect(listenFailure(sysError('EACCES', 'open'), target)).toBe('open EACCES');
    expect(listenFailure('plain', target)).toBe('plain');
  });
});
