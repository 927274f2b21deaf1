/**
 * The emulator's ECS behaviour, pure in-process logic (no HTTP): regions,
 * zones, images, instance types, and instances with their lifecycle.
 *
 * The protocol layer calls `state.call(action, params, { account })` and adds
 * RequestId to the body, or turns a thrown EcsApiError into the error body.
 */
export { EcsApiError, EcsErrors } from './errors.js';
export { EcsEmulatorState, SUPPORTED_ACTIONS, SYNTHETIC_ACTIONS } from './state.js';
export type { EcsCallContext, EcsStateOptions } from './state.js';
export type { InstanceStatus } from './model.js';
