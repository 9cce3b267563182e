/**
 * Kubernetes API calls made for a request get the request's remaining time: the call's timeout
 * is cut to what the signal's deadline leaves, covers the answer's body too, and a request
 * cancelled at its deadline ends the call with the deadline's Timeout.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { setDeadline } from '../../src/deadline.js';
import { TimeoutError } from '../../src/errors.js';
import { KubeClient } from '../../src/kube/index.js';
import { LOOPBACK } from '../helpers/ports.js';

describe('KubeClient and request deadlines', () => {
  let server: http.Server;
  let client: KubeClient;
  const open = new Set<http.ServerResponse>();
  let closedEarly = 0;

  before(async () => {
    server = http.createServer((req, res) => {
      open.add(res);
      res.on('close', () => {
        if (!res.writableFinished) closedEarly++;
        open.delete(res);
      });
      // /hang never answers; /half sends the head and part of a body, then nothing.
      if (req.url?.startsWith('/api/v1/half') === true) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"items": [');
      }
    });
    server.listen(0, LOOPBACK);
    await new Promise((r) => server.once('listening', r));
    const kc = new KubeConfig();
    kc.loadFromClusterAndUser(
      {
        name: 'test',
        server: `http://${LOOPBACK}:${(server.address() as AddressInfo).port}`,
        skipTLSVerify: false,
      },
      { name: 'tester', token: 'secret' },
    );
    // A default timeout far beyond any deadline below.
    client = new KubeClient(kc, 60_000);
  });
  after(() => {
    client.close();
    server.closeAllConnections();
    server.close();
  });

  async function timed(path: string, deadlineMs: number): Promise<{ err: unknown; ms: number }> {
    const ctl = new AbortController();
    setDeadline(ctl.signal, Date.now() + deadlineMs);
    const started = Date.now();
    const err = await client.requestJSON('GET', path, { signal: ctl.signal, timeoutMs: 30_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { err, ms: Date.now() - started };
  }

  it('a call without an answer ends with a Timeout at the time left, not its own 30 s', async () => {
    const { err, ms } = await timed('/api/v1/hang', 300);
    assert.ok(err instanceof TimeoutError, String(err));
    const cut = Number(/within (\d+) ms/.exec(err.message)?.[1]);
    assert.ok(cut > 0 && cut <= 300, err.message);
    assert.ok(ms < 10_000, `took ${ms} ms`);
  });

  it('the deadline covers a body that stops half way', async () => {
    const { err } = await timed('/api/v1/half', 300);
    assert.ok(err instanceof TimeoutError, String(err));
  });

  it('a request cancelled at its deadline ends the call with that Timeout and hangs up', async () => {
    const before = closedEarly;
    const ctl = new AbortController();
    const call = client.requestJSON('GET', '/api/v1/hang', { signal: ctl.signal });
    await new Promise((r) => setTimeout(r, 100));
    ctl.abort(new TimeoutError('Timeout: request did not complete within requested timeout'));
    await assert.rejects(call, /requested timeout/);
    const until = Date.now() + 5_000;
    while (closedEarly === before) {
      assert.ok(Date.now() < until, 'the server never saw the hang-up');
      await new Promise((r) => setTimeout(r, 10));
    }
  });
});
