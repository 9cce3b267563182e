/**
 * A free TCP port on 127.0.0.1: listen on port 0, read the port the kernel chose, close.
 * There is an unavoidable window between close() and the caller binding the port; callers that
 * start a child process on it should retry on EADDRINUSE if that ever matters.
 */
import net from 'node:net';

export const LOOPBACK = '127.0.0.1';

export function freePort(timeoutMs = 5_000): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    const timer = setTimeout(() => {
      server.close();
      reject(new Error(`freePort: no port within ${timeoutMs} ms`));
    }, timeoutMs);
    server.unref();
    server.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    server.listen({ host: LOOPBACK, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        clearTimeout(timer);
        server.close();
        reject(new Error('freePort: server has no TCP address'));
        return;
      }
      const { port } = address;
      server.close((err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(port);
      });
    });
  });
}

/** Starts `server` listening on 127.0.0.1 at a port the kernel picks; resolves that port. */
export function listenOnLoopback(server: net.Server): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}
