import { channel } from 'node:diagnostics_channel';

/**
 * One attempt of one ECS call, as the client saw it. Published on {@link upstreamAttempts} when the attempt
 * settles, for metrics and traces (no subscriber: nothing is built). Never carries parameters or
 * credentials: nothing here is secret.
 */
export interface UpstreamAttempt {
  /**
   * Which client made the attempt (EcsClient.id, a number unique in the process): the channel is process-wide,
   * and an app's metrics count the attempts of its own client only.
   */
  client: number;
  /** The ECS action. */
  action: string;
  /** The region the call was for, when known. */
  regionId?: string | undefined;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  /** When the attempt started (epoch ms) and how long it took (ms, monotonic). */
  startedAt: number;
  durationMs: number;
  /** The HTTP status ECS answered with; undefined when no answer came (timeout, reset, …). */
  status?: number | undefined;
  /** `OK`, the ECS error code (`Throttling.User`, `InvalidInstanceId.NotFound`, …), or the gateway's code for a transport failure (`UPSTREAM_TIMEOUT`, `UPSTREAM_UNAVAILABLE`, …). */
  code: string;
  /** Whether ECS throttled the attempt (Throttling*). */
  throttled: boolean;
  /** Whether the client will try again after this attempt. */
  willRetry: boolean;
  /** ECS's RequestId, when ECS answered. */
  ecsRequestId?: string | undefined;
}

/** The channel every settled upstream attempt is published on. */
export const upstreamAttempts = channel('ecs-gateway:upstream-attempt');

/** Publishes one settled attempt (a no-op without subscribers). */
export function publishAttempt(event: UpstreamAttempt): void {
  if (upstreamAttempts.hasSubscribers) upstreamAttempts.publish(event);
}
