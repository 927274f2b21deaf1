import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/**
 * A tiny forward proxy on 127.0.0.1 that only tunnels (HTTP CONNECT), as corporate egress proxies do,
 * and records every tunnel it opened (`host:port`). It tunnels to 127.0.0.1 only; anything else, and
 * any plain proxied request, is refused.
 */
export class ConnectProxy {
  /** The target of every CONNECT, in order (`127.0.0.1:43210`). */
  readonly tunnels: string[] = [];
  /** Plain (non-CONNECT) requests that reached the proxy. */
  readonly plain: string[] = [];
  url = '';
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.plain.push(`${req.method} ${req.url}`);
      res.writeHead(405, { 'content-type': 'text/plain' });
      res.end('this proxy only tunnels');
    });
    this.server.on('connect', (req, client: Socket, head: Buffer) => {
      const target = req.url ?? '';
      this.tunnels.push(target);
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => undefined);
      const [host, port] = target.split(':');
      if (host !== '127.0.0.1' || !port) {
        client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      this.sockets.add(upstream);
      upstream.on('close', () => { this.sockets.delete(upstream); client.destroy(); });
      upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
      client.on('close', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
