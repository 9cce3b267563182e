/**
 * A raw HTTP/1.1 server whose kept-alive connections go stale: each connection answers its first
 * request with keep-alive and resets the connection when a second request arrives on it — what a
 * reused socket looks like to a client when the server closed it while it sat idle. With
 * `resetAll` set, new connections reset their first request too (a server that is really down).
 */
import net from 'node:net';
import { LOOPBACK } from './ports.js';

export interface StaleKeepAliveServer {
  url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Requests answered so far. */
  readonly answered: number;
  resetAll: boolean;
  close(): Promise<void>;
}

export async function startStaleKeepAliveServer(answer: string): Promise<StaleKeepAliveServer> {
  const state = { connections: 0, answered: 0, resetAll: false };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const resetFirst = state.resetAll;
    let served = 0;
    let buffered = '';
    let bodyLeft = 0;
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      // The rest of a request body that had not arrived with its head.
      const skipped = Math.min(bodyLeft, buffered.length);
      buffered = buffered.slice(skipped);
      bodyLeft -= skipped;
      // Bounded by the bytes received: each pass consumes one request head.
      while (buffered.includes('\r\n\r\n')) {
        const head = buffered.slice(0, buffered.indexOf('\r\n\r\n'));
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        const rest = buffered.slice(head.length + 4);
        bodyLeft = Math.max(0, length - rest.length);
        buffered = rest.slice(length);
        served++;
        if (resetFirst || served > 1) {
          socket.resetAndDestroy();
          return;
        }
        state.answered++;
        socket.write(
          `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(answer)}\r\nConnection: keep-alive\r\n\r\n${answer}`,
        );
      }
    });
  });
  server.listen(0, LOOPBACK);
  await new Promise((r) => server.once('listening', r));
  return {
    url: `http://${LOOPBACK}:${(server.address() as net.AddressInfo).port}`,
    get connections() {
      return state.connections;
    },
    get answered() {
      return state.answered;
    },
    get resetAll() {
      return state.resetAll;
    },
    set resetAll(v: boolean) {
      state.resetAll = v;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
