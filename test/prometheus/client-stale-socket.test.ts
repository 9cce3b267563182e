/**
 * Prometheus, or a proxy before it, closes kept-alive connections that sat idle (Prometheus after
 * --web.read-timeout); an instant query or a series lookup sent on one of them is sent again
 * rather than answered with a 503, until a connection that was not reused fails.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UnavailableError } from '../../src/errors.js';
import { HttpPrometheusClient } from '../../src/prometheus/index.js';
import { startStaleKeepAliveServer, type StaleKeepAliveServer } from '../helpers/stale-keepalive-server.js';

const ANSWER = JSON.stringify({
  status: 'success',
  data: { resultType: 'vector', result: [{ metric: { pod: 'a' }, value: [1700000000, '7'] }] },
});

describe('HttpPrometheusClient and stale kept-alive connections', () => {
  let server: StaleKeepAliveServer;
  let client: HttpPrometheusClient;

  before(async () => {
    server = await startStaleKeepAliveServer(ANSWER);
    client = new HttpPrometheusClient({ url: server.url, timeoutMs: 5_000 });
  });
  after(async () => {
    client.close();
    await server.close();
  });

  it('sends a query again when its reused connection is reset, by GET and by POST', async () => {
    const long = `up{pod=~"${'a|'.repeat(1_500)}a"}`;
    for (const promql of ['up', 'up{pod="a"}', long, `${long} or up`]) {
      const samples = await client.query(promql);
      assert.deepEqual(
        samples.map((s) => [s.labels.pod, s.value]),
        [['a', 7]],
      );
    }
    assert.equal(server.answered, 4);
  });

  it('goes through every stale connection in the pool until a fresh one answers', async () => {
    await Promise.all(['b', 'c', 'd', 'e'].map((p) => client.query(`up{pod="${p}"}`)));
    const before = server.connections;
    assert.equal((await client.query('up{pod="f"}')).length, 1);
    assert.equal(server.connections - before, 1);
  });

  it('a fresh connection that fails is a 503, without another try', async () => {
    server.resetAll = true;
    try {
      const before = server.connections;
      await assert.rejects(client.query('up{pod="g"}'), (err: unknown) => {
        assert.ok(err instanceof UnavailableError);
        assert.match(err.message, /^unable to reach Prometheus at http:\/\/127\.0\.0\.1:\d+: /);
        return true;
      });
      assert.equal(server.connections - before, 1);
    } finally {
      server.resetAll = false;
    }
  });
});

describe('HttpPrometheusClient series lookups and stale kept-alive connections', () => {
  let server: StaleKeepAliveServer;
  let client: HttpPrometheusClient;
  const SERIES = JSON.stringify({ status: 'success', data: [{ __name__: 'up', pod: 'a' }] });
  const lookup = (): Promise<Record<string, string>[]> =>
    client.series(['up'], new Date(Date.now() - 60_000), new Date());

  before(async () => {
    server = await startStaleKeepAliveServer(SERIES);
    client = new HttpPrometheusClient({ url: server.url, timeoutMs: 5_000 });
  });
  after(async () => {
    client.close();
    await server.close();
  });

  it('sends a series lookup again on stale connections until a fresh one answers', async () => {
    await Promise.all([0, 1, 2].map(lookup));
    const before = server.connections;
    assert.deepEqual(await lookup(), [{ __name__: 'up', pod: 'a' }]);
    assert.equal(server.connections - before, 1);
  });

  it('a fresh connection that fails is a 503, without another try', async () => {
    server.resetAll = true;
    try {
      const before = server.connections;
      await assert.rejects(lookup(), UnavailableError);
      assert.equal(server.connections - before, 1);
    } finally {
      server.resetAll = false;
    }
  });
});
