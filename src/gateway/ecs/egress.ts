/**
 * The dispatcher every call to ECS goes through. A plain keep-alive undici Agent; or, when an egress
 * proxy is configured (HTTPS_PROXY / HTTP_PROXY, read and validated by config.ts), undici's
 * EnvHttpProxyAgent, which tunnels through the proxy with CONNECT and goes direct for the hosts NO_PROXY
 * names. The proxy values are handed over explicitly, so the agent never reads process.env itself.
 *
 * Connect and read timeouts are separate (ECS_CONNECT_TIMEOUT_MS, ECS_READ_TIMEOUT_MS) and back up the
 * call's one deadline (ECS_TIMEOUT_MS), which covers every attempt.
 */
import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici';

/** The egress proxy settings (empty strings: not set). */
export interface ProxySettings {
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
}

export interface EgressOptions {
  connectTimeoutMs: number;
  readTimeoutMs: number;
  proxy?: ProxySettings | undefined;
}

/** Whether any proxy is set (NO_PROXY alone changes nothing). */
export const proxyConfigured = (proxy: ProxySettings | undefined): proxy is ProxySettings =>
  proxy !== undefined && (proxy.httpProxy !== '' || proxy.httpsProxy !== '');

/** The dispatcher for calls to ECS (see the module comment). */
export function egressDispatcher(options: EgressOptions): Dispatcher {
  const agentOptions: Agent.Options = {
    keepAliveTimeout: 30_000,
    connections: 256,
    headersTimeout: options.readTimeoutMs,
    bodyTimeout: options.readTimeoutMs,
    connect: { timeout: options.connectTimeoutMs },
  };
  if (!proxyConfigured(options.proxy)) return new Agent(agentOptions);
  return new EnvHttpProxyAgent({ ...agentOptions, ...options.proxy });
}
