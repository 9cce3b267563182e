/**
 * A kept-alive connection that the Kubernetes API closed while it sat idle fails the moment it is
 * reused; the client sends the request again on a fresh connection instead of failing the call
 * (and with it the SubjectAccessReview or TokenReview of a user's request).
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { UnavailableError } from '../../src/errors.js';
import { KubeClient } from '../../src/kube/index.js';
import { LOOPBACK } from '../helpers/ports.js';

const ANSWER = '{"kind":"Status","apiVersion":"v1","status":"Success"}';

describe('KubeClient and stale kept-alive connections', () => {
  let server: net.Server;
  let client: KubeClient;
  let connections = 0;

  before(async () => {
    // A raw HTTP/1.1 server: answers the first request of a connection with keep-alive, and resets
    // the connection when a second request arrives on it (what a reused socket that the server
    // closed meanwhile looks like to the client).
    server = net.createServer((socket) => {
      connections++;
      let served = 0;
      let buffered = '';
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('latin1');
        while (buffered.includes('\r\n\r\n')) {
          buffered = buffered.slice(buffered.indexOf('\r\n\r\n') + 4);
          served++;
          if (served > 1) {
            socket.resetAndDestroy();
            return;
          }
          socket.write(
            `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${ANSWER.length}\r\nConnection: keep-alive\r\n\r\n${ANSWER}`,
          );
        }
      });
    });
    server.listen(0, LOOPBACK);
    await new Promise((r) => server.once('listening', r));
    const kc = new KubeConfig();
    kc.loadFromClusterAndUser(
      {
        name: 'test',
        server: `http://${LOOPBACK}:${(server.address() as net.AddressInfo).port}`,
        skipTLSVerify: false,
      },
      { name: 'tester', token: 'secret' },
    );
    client = new KubeClient(kc, 5_000);
  });
  after(() => {
    client.close();
    server.close();
  });

  it('sends the request again on a fresh connection when a reused one is reset', async () => {
    const before = connections;
    for (let i = 0; i < 3; i++) {
      const answer = await client.requestJSON<{ status: string }>('GET', '/api/v1/namespaces/default');
      assert.equal(answer.status, 'Success');
    }
    // The first call opens a connection; each later one finds it reset and opens another.
    assert.equal(connections - before, 3);
  });

  it('tries once: a fresh connection that fails too is an Unavailable error', async () => {
    // Reset every request, also the first on a connection: the retry fails like the first try.
    const previous = server.listeners('connection');
    server.removeAllListeners('connection');
    server.on('connection', (socket: net.Socket) => {
      connections++;
      socket.on('error', () => undefined);
      socket.once('data', () => socket.resetAndDestroy());
    });
    try {
      await assert.rejects(client.requestJSON('GET', '/api/v1/namespaces/default'), UnavailableError);
    } finally {
      server.removeAllListeners('connection');
      for (const l of previous) server.on('connection', l as (s: net.Socket) => void);
    }
  });
});
