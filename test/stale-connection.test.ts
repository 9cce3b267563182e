/** The shared resend rule for kept-alive connections the far end closed while idle. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failedOnStaleConnection, resendWhileStale, staleFailure } from '../src/stale-connection.js';

describe('failedOnStaleConnection', () => {
  const cases: [string, { reusedSocket?: unknown } | undefined, string | undefined, boolean, boolean][] = [
    ['reset on a reused connection before the answer', { reusedSocket: true }, 'ECONNRESET', false, true],
    ['broken pipe on a reused connection', { reusedSocket: true }, 'EPIPE', false, true],
    ['reset after the answer began', { reusedSocket: true }, 'ECONNRESET', true, false],
    ['reset on a fresh connection', { reusedSocket: false }, 'ECONNRESET', false, false],
    ['refused', { reusedSocket: true }, 'ECONNREFUSED', false, false],
    ['no request known', undefined, 'ECONNRESET', false, false],
  ];
  for (const [name, request, code, answered, want] of cases) {
    it(name, () => assert.equal(failedOnStaleConnection(request, { code }, answered), want));
  }
});

describe('resendWhileStale', () => {
  it('sends again while the failure is marked stale, then answers', async () => {
    let calls = 0;
    const answer = await resendWhileStale(() => {
      calls++;
      return calls < 4 ? Promise.reject(staleFailure(new Error('stale'))) : Promise.resolve('ok');
    }, 10);
    assert.equal(answer, 'ok');
    assert.equal(calls, 4);
  });

  it('throws the last stale failure after maxResends more sends', async () => {
    let calls = 0;
    const last = await resendWhileStale(() => {
      calls++;
      return Promise.reject(staleFailure(new Error(`stale ${calls}`)));
    }, 2).catch((err: unknown) => err);
    assert.equal(calls, 3);
    assert.equal((last as Error).message, 'stale 3');
  });

  it('does not send again after a failure that is not marked', async () => {
    let calls = 0;
    await assert.rejects(
      resendWhileStale(() => {
        calls++;
        return Promise.reject(new Error('refused'));
      }, 5),
      /refused/,
    );
    assert.equal(calls, 1);
  });
});
