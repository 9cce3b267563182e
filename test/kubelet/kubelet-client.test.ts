import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { KubeletHttpClient } from '../../src/kubelet/kubelet-client.js';
import { createCA } from '../helpers/certs.js';
import { LOOPBACK, listenOnLoopback } from '../helpers/ports.js';

interface Connection {
  socket: TLSSocket;
  resumed: boolean;
  closed: boolean;
}

/** A kubelet stand-in that records every TLS connection: whether it resumed a session, whether it is closed. */
async function startServer(): Promise<{
  port: number;
  caPem: string;
  connections: Connection[];
  close(): Promise<void>;
}> {
  const ca = await createCA('kubelet-client-test-ca');
  const cert = await ca.issue({ commonName: 'kubelet', usage: 'server', ipAddresses: [LOOPBACK] });
  const connections: Connection[] = [];
  const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ path: req.url }));
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    const c: Connection = { socket, resumed: socket.isSessionReused(), closed: false };
    connections.push(c);
    socket.on('close', () => {
      c.closed = true;
    });
  });
  const port = await listenOnLoopback(server);
  return {
    port,
    caPem: ca.certPem,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function until(what: string, cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < 1000 && !cond(); i++) {
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(cond(), `timed out waiting for ${what}`);
}

describe('KubeletHttpClient connections', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  const cases = [
    { keepAlive: true, connections: 1, openAfter: 1 },
    { keepAlive: false, connections: 3, openAfter: 0 },
  ];
  for (const tc of cases) {
    it(`keepAlive=${String(tc.keepAlive)}: ${tc.connections} connection(s) for 3 scrapes, ${tc.openAfter} left open`, async () => {
      server.connections.length = 0;
      const client = new KubeletHttpClient({
        ca: Buffer.from(server.caPem),
        cert: undefined,
        key: undefined,
        insecure: false,
      });
      try {
        for (let i = 0; i < 3; i++) {
          const body = await client.get({
            authority: `${LOOPBACK}:${server.port}`,
            path: `/stats/summary?i=${i}`,
            accept: 'application/json',
            authorization: undefined,
            timeoutMs: 5_000,
            keepAlive: tc.keepAlive,
          });
          assert.deepEqual(JSON.parse(body.toString()), { path: `/stats/summary?i=${i}` });
          if (!tc.keepAlive)
            await until(`connection ${i} closed`, () => server.connections[i]?.closed === true);
        }
        assert.equal(server.connections.length, tc.connections);
        assert.equal(server.connections.filter((c) => !c.closed).length, tc.openAfter);
        // Every connection after the first resumes the TLS session: no full handshake per scrape.
        assert.deepEqual(
          server.connections.map((c) => c.resumed),
          server.connections.map((_, i) => i > 0),
        );
      } finally {
        client.close();
      }
    });
  }

  it('closeIdle closes the kept-alive sockets', async () => {
    server.connections.length = 0;
    const client = new KubeletHttpClient({
      ca: Buffer.from(server.caPem),
      cert: undefined,
      key: undefined,
      insecure: false,
    });
    try {
      await client.get({
        authority: `${LOOPBACK}:${server.port}`,
        path: '/stats/summary',
        accept: 'application/json',
        authorization: undefined,
        timeoutMs: 5_000,
      });
      assert.equal(server.connections.length, 1);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(server.connections[0]?.closed, false);
      client.closeIdle();
      await until('the idle socket closed', () => server.connections[0]?.closed === true);
    } finally {
      client.close();
    }
  });
});
