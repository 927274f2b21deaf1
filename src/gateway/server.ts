import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { describeServerCredentials } from './credentials.js';
import { shutdownGraceMs } from './jobs/wait-limits.js';

/** Starts the gateway: validated config, app, listen, graceful shutdown. The only place that exits the process. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const app = await buildApp({ config });
  installShutdown(app, shutdownGraceMs(config));
  await app.listen({ host: config.host, port: config.port });
  app.log.info({
    signatureVersion: config.signatureVersion,
    upstream: config.upstreamUrl ?? 'https://<ecs endpoint>',
    apiKeys: config.apiKeys.length > 0 ? 'required' : 'off',
    // Which source supplies them (env, OIDC, CLI or credentials-file profile, RAM role, URI), never a value.
    serverCredentials: describeServerCredentials(config.defaultCredentials, config.apiKeys),
    rateLimit: config.rateLimit ? `${config.rateLimit.max} per ${config.rateLimit.windowMs} ms, ${config.redisUrl ? 'shared through Redis' : 'per process'}` : 'off',
    corsOrigins: config.corsOrigins?.length ? config.corsOrigins : 'off',
  }, 'ecs-gateway ready');
}

/**
 * SIGTERM/SIGINT: stop accepting, let in-flight requests finish (up to `graceMs`, which outlasts the longest
 * wait: jobs/wait-limits.ts), close the upstream Agent, exit.
 */
function installShutdown(app: FastifyInstance, graceMs: number): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      app.log.error('in-flight requests did not finish in time; exiting');
      process.exit(1);
    }, graceMs);
    force.unref();
    app.close().then(() => {
      // pino writes stdout asynchronously and writes out what is still queued when the process exits
      // (it registers an exit hook), so this last line and every line before it reach stdout.
      app.log.info({ signal }, 'stopped');
      process.exit(0);
    }, (err: unknown) => {
      app.log.error({ err }, 'error while shutting down');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`ecs-gateway failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
