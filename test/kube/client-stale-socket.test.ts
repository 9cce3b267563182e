/**
 * A kept-alive connection that the Kubernetes API closed while it sat idle fails the moment it is
 * reused; the client sends the request again instead of failing the call (and with it the
 * SubjectAccessReview or TokenReview of a user's request), until a fresh connection answers.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { UnavailableError } from '../../src/errors.js';
import { KubeClient } from '../../src/kube/index.js';
import { LOOPBACK } from '../helpers/ports.js';
import { startStaleKeepAliveServer, type StaleKeepAliveServer } from '../helpers/stale-keepalive-server.js';

const ANSWER = '{"kind":"Status","apiVersion":"v1","status":"Success"}';

describe('KubeClient and stale kept-alive connections', () => {
  let server: StaleKeepAliveServer;
  let client: KubeClient;
  const get = (): Promise<{ status: string }> => client.requestJSON('GET', '/api/v1/namespaces/default');

  before(async () => {
    server = await startStaleKeepAliveServer(ANSWER);
    const kc = new KubeConfig();
    kc.loadFromClusterAndUser(
      { name: 'test', server: server.url, skipTLSVerify: false },
      { name: 'tester', token: 'secret' },
    );
    client = new KubeClient(kc, 5_000);
  });
  after(async () => {
    client.close();
    await server.close();
  });

  it('sends the request again on a fresh connection when a reused one is reset', async () => {
    const before = server.connections;
    for (let i = 0; i < 3; i++) assert.equal((await get()).status, 'Success');
    // The first call opens a connection; each later one finds it reset and opens another.
    assert.equal(server.connections - before, 3);
  });

  it('goes through every stale connection in the pool until a fresh one answers', async () => {
    // Four calls at once leave four kept-alive connections, each of which resets its next request.
    const answers = await Promise.all([0, 1, 2, 3].map(get));
    assert.deepEqual(
      answers.map((a) => a.status),
      ['Success', 'Success', 'Success', 'Success'],
    );
    const before = server.connections;
    assert.equal((await get()).status, 'Success');
    assert.equal(server.connections - before, 1, 'one fresh connection answered');
  });

  it('sends a review (POST with a body) again the same way', async () => {
    await get();
    const answered = server.answered;
    const review = await client.requestJSON<{ status: string }>(
      'POST',
      '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      {
        body: {
          kind: 'SubjectAccessReview',
          spec: { user: 'u', nonResourceAttributes: { path: '/x', verb: 'get' } },
        },
      },
    );
    assert.equal(review.status, 'Success');
    assert.equal(server.answered - answered, 1);
  });

  it('a fresh connection that fails is an Unavailable error, without another try', async () => {
    server.resetAll = true;
    try {
      const before = server.connections;
      await assert.rejects(get(), UnavailableError);
      assert.equal(server.connections - before, 1, 'one fresh connection, not retried');
    } finally {
      server.resetAll = false;
    }
  });

  it('a stream cut after its answer began is not sent again', async () => {
    // The first request of a connection is answered and kept alive; the second (a watch, on the
    // reused connection) gets its headers and one event, then the connection is reset.
    let requests = 0;
    const watchServer = net.createServer((socket) => {
      socket.on('error', () => undefined);
      let served = 0;
      socket.on('data', () => {
        requests++;
        served++;
        if (served === 1) {
          socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${ANSWER.length}\r\n\r\n${ANSWER}`);
        } else {
          socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{}\n\r\n');
          setTimeout(() => socket.resetAndDestroy(), 50);
        }
      });
    });
    watchServer.listen(0, LOOPBACK);
    await new Promise((r) => watchServer.once('listening', r));
    const kc = new KubeConfig();
    kc.loadFromClusterAndUser(
      {
        name: 'w',
        server: `http://${LOOPBACK}:${(watchServer.address() as net.AddressInfo).port}`,
        skipTLSVerify: false,
      },
      { name: 'tester', token: 'secret' },
    );
    const watchClient = new KubeClient(kc, 5_000);
    try {
      await watchClient.requestJSON('GET', '/api/v1/pods');
      const stream = await watchClient.openStream('/api/v1/pods', { query: { watch: 'true' } });
      await new Promise<void>((resolve) => {
        stream.on('error', () => undefined);
        stream.resume();
        stream.once('close', () => resolve());
      });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(requests, 2, 'the cut watch was not sent again');
    } finally {
      watchClient.close();
      await new Promise((r) => watchServer.close(r));
    }
  });
});
