/**
 * A TCP forwarder on 127.0.0.1 whose upstream can be changed. Tests put it in front of a server
 * they stop and restart, so the address the adapter uses stays reserved meanwhile (a freed port
 * could otherwise be taken by a server of another test running in parallel).
 */
import { once } from 'node:events';
import net from 'node:net';
import { LOOPBACK } from './ports.js';

export interface TcpProxy {
  readonly port: number;
  readonly url: string;
  setUpstreamPort(port: number): void;
  /** Stops listening and drops every open connection: clients see the upstream as stopped. */
  pause(): Promise<void>;
  /** Listens again on the same port. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(upstreamPort: number): Promise<TcpProxy> {
  let upstream = upstreamPort;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    const target = net.connect(upstream, LOOPBACK);
    sockets.add(target);
    const drop = (): void => {
      client.destroy();
      target.destroy();
    };
    client.on('error', drop);
    target.on('error', drop);
    client.on('close', () => {
      sockets.delete(client);
      target.destroy();
    });
    target.on('close', () => {
      sockets.delete(target);
      client.destroy();
    });
    client.pipe(target);
    target.pipe(client);
  });
  server.listen(0, LOOPBACK);
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://${LOOPBACK}:${port}`,
    setUpstreamPort: (p) => {
      upstream = p;
    },
    pause: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
    resume: async () => {
      server.listen(port, LOOPBACK);
      await once(server, 'listening');
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
