/**
 * Entry point of the local ECS emulator (`npm run emulator`). Configuration comes from
 * EMULATOR_* variables (see config.ts); this is the only emulator file that exits the process.
 */
import { EmulatorConfigError, listenFailure, loadEmulatorConfig } from './config.js';
import type { QpsQuotas } from './quotas.js';
import { startEmulator } from './server.js';

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadEmulatorConfig(process.env);
  } catch (err) {
    if (err instanceof EmulatorConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const emulator = await startEmulator({
    host: config.host,
    port: config.port,
    accessKeys: config.accessKeys,
    transitionMs: config.transitionMs,
    ...(config.stateFile ? { stateFile: config.stateFile } : {}),
    faults: config.faults,
    faultRules: config.faultRules,
    qps: config.qps,
    logger: log,
  }).catch((err: unknown) => {
    const where = { host: config.host, port: config.port, portVariable: 'EMULATOR_PORT', hostVariable: 'EMULATOR_HOST' };
    throw new Error(listenFailure(err, where), { cause: err });
  });
  const keyIds = config.accessKeys.map((k) => k.accessKeyId).join(', ');
  log(`keys: ${keyIds}; faults control ${config.faults ? 'on' : 'off'}; transition ${config.transitionMs}ms${config.qps ? `; quotas ${qpsText(config.qps)}` : ''}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received, shutting down`);
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

function qpsText(qps: QpsQuotas): string {
  const entries = Object.entries(qps.byAction).map(([action, n]) => `${action}=${n}/s`);
  if (qps.other !== undefined) entries.push(`*=${qps.other}/s`);
  return entries.join(', ');
}

main().catch((err: unknown) => {
  process.stderr.write(`emulator failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
