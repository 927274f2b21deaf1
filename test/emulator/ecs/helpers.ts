/**
 * Test helpers: an emulator with a controllable clock and seeded randomness,
 * and assertions on thrown EcsApiErrors.
 */
import { expect } from 'vitest';
import { EcsApiError, EcsEmulatorState } from '../../../src/emulator/ecs/index.js';

export const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);
export const IMAGE = 'aliyun_3_x64_20G_alibase_20240528.vhd';
export const TYPE = 'ecs.g7.large';
export const REGION = 'cn-hangzhou';

/** A deterministic PRNG (Park-Miller) in [0, 1). */
export function seeded(seed = 42): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return (s - 1) / 2147483646;
  };
}

/** An emulator whose clock only moves when told to. */
export class Harness {
  now = T0;
  readonly state: EcsEmulatorState;
  changes = 0;

  constructor(transitionMs = 1000, seed = 42) {
    this.state = new EcsEmulatorState({ transitionMs, now: () => this.now, random: seeded(seed) });
    this.state.onChange = () => {
      this.changes += 1;
    };
  }

  advance(ms: number): void {
    this.now += ms;
  }

  call(action: string, params: Record<string, string> = {}, account = 'AK-A'): Record<string, unknown> {
    return this.state.call(action, params, { account });
  }

  /** RunInstances in cn-hangzhou with defaults; returns the new IDs. */
  run(extra: Record<string, string> = {}, account = 'AK-A'): string[] {
    const body = this.call('RunInstances', { RegionId: REGION, ImageId: IMAGE, InstanceType: TYPE, ...extra }, account);
    return (body.InstanceIdSets as { InstanceIdSet: string[] }).InstanceIdSet;
  }

  /** Runs instances and lets them reach Running. */
  running(amount = 1, extra: Record<string, string> = {}, account = 'AK-A'): string[] {
    const ids = this.run({ Amount: String(amount), ...extra }, account);
    this.advance(10_000);
    return ids;
  }

  /** Runs, stops and settles instances, leaving them Stopped. */
  stopped(amount = 1, account = 'AK-A'): string[] {
    const ids = this.running(amount, {}, account);
    this.call('StopInstances', { RegionId: REGION, ...idParams(ids) }, account);
    this.advance(10_000);
    return ids;
  }

  /** Every instance (up to 100) of the account in cn-hangzhou, as DescribeInstances renders them. */
  instances(params: Record<string, string> = {}, account = 'AK-A'): Array<Record<string, unknown>> {
    const body = this.call('DescribeInstances', { RegionId: REGION, PageSize: '100', ...params }, account);
    return (body.Instances as { Instance: Array<Record<string, unknown>> }).Instance;
  }

  status(id: string, account = 'AK-A'): string {
    const inst = this.instances({ InstanceIds: JSON.stringify([id]) }, account)[0];
    if (!inst) throw new Error(`no instance ${id}`);
    return inst.Status as string;
  }
}

/** `InstanceId.N` parameters for a list of IDs. */
export function idParams(ids: readonly string[]): Record<string, string> {
  return Object.fromEntries(ids.map((id, i) => [`InstanceId.${i + 1}`, id]));
}

/** Asserts that `fn` throws an EcsApiError with this status and code; returns it. */
export function expectEcsError(fn: () => unknown, status: number, code: string): EcsApiError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(EcsApiError);
  const err = caught as EcsApiError;
  expect({ status: err.status, code: err.code }).toEqual({ status, code });
  return err;
}
