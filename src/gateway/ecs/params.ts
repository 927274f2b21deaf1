import type { WireParams } from './signer.js';

type Scalar = string | number | boolean;

/** ECS wants booleans as `true`/`false` and numbers in plain decimal. */
const scalar = (value: Scalar): string => (typeof value === 'string' ? value : String(value));

/**
 * Builds ECS wire parameters from JSON values, one method per wire style of ecs-actions.json:
 * `flat` (RegionId=…), `repeatList` (InstanceId.1=…, Tag.1.Key=…), `object` (SystemDisk.Size=…)
 * and JSON-string values (InstanceIds='["i-1"]'). Undefined values are skipped, so optional
 * fields map straight through.
 */
export class WireParamsBuilder {
  private readonly out: Record<string, string> = {};

  /** `Name=value`. */
  flat(name: string, value: Scalar | undefined): this {
    if (value !== undefined) this.out[name] = scalar(value);
    return this;
  }

  /** `Name.1=a`, `Name.2=b`, … (1-based). */
  list(name: string, values: readonly Scalar[] | undefined): this {
    values?.forEach((v, i) => { this.out[`${name}.${i + 1}`] = scalar(v); });
    return this;
  }

  /** `Name.1.Field=…` for each object of the list. */
  objects(name: string, values: readonly Readonly<Record<string, Scalar | undefined>>[] | undefined): this {
    values?.forEach((obj, i) => this.object(`${name}.${i + 1}`, obj));
    return this;
  }

  /** `Name.Field=…` for each defined field. */
  object(name: string, value: Readonly<Record<string, Scalar | undefined>> | undefined): this {
    if (value) for (const [field, v] of Object.entries(value)) this.flat(`${name}.${field}`, v);
    return this;
  }

  /** `Name=<JSON text>`, for parameters whose value is a JSON-encoded array. */
  json(name: string, value: unknown): this {
    if (value !== undefined) this.out[name] = JSON.stringify(value);
    return this;
  }

  /** A fresh copy of the parameters built so far. */
  build(): WireParams {
    return { ...this.out };
  }
}

/** Starts a new wire-parameter builder. */
export const wire = (): WireParamsBuilder => new WireParamsBuilder();
