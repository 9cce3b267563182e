/**
 * The Authenticator's handling of bearer tokens: which Authorization headers count (as the
 * apiserver's bearer token authenticator parses them), that a request without a token is
 * answered synchronously (the certificate path costs no promise), that a token's user joins
 * system:authenticated, and that an unusable token is a failure, not anonymity.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { Authenticator, bearerToken, type AuthenticationResult } from '../../src/apiserver/authn.js';
import type { TokenAuthenticator, TokenVerdict } from '../../src/apiserver/authn-token.js';

function request(headers: Record<string, string>): IncomingMessage {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    socket: new Socket(),
    headers: lower,
    headersDistinct: Object.fromEntries(Object.entries(lower).map(([k, v]) => [k, [v]])),
  } as unknown as IncomingMessage;
}

class RecordingTokens implements TokenAuthenticator {
  readonly seen: string[] = [];
  authenticateToken(token: string): Promise<TokenVerdict> {
    this.seen.push(token);
    if (token === 'good')
      return Promise.resolve({
        kind: 'user',
        method: 'jwt',
        user: { name: 'system:serviceaccount:a:b', uid: 'u', groups: ['system:serviceaccounts'], extra: {} },
      });
    return Promise.resolve({ kind: 'failed', reason: 'nope' });
  }
}

const config = { clientCA: undefined, requestHeader: undefined };

describe('Authenticator with bearer tokens', () => {
  const CASES: [string, Record<string, string>, string | undefined][] = [
    ['no header', {}, undefined],
    ['Bearer token', { Authorization: 'Bearer good' }, 'good'],
    ['lower-case scheme', { Authorization: 'bearer good' }, 'good'],
    ['surrounding spaces', { Authorization: '  Bearer good  ' }, 'good'],
    // Trimmed to "Bearer": no token at all, so anonymous, as in the apiserver.
    ['empty token', { Authorization: 'Bearer ' }, undefined],
    ['two spaces', { Authorization: 'Bearer  good' }, ''],
    ['another scheme', { Authorization: 'Basic YTpi' }, undefined],
    ['scheme alone', { Authorization: 'Bearer' }, undefined],
  ];
  for (const [name, headers, token] of CASES) {
    it(`bearerToken: ${name} → ${JSON.stringify(token)}`, () => {
      assert.equal(bearerToken(request(headers)), token);
    });
  }

  it('answers synchronously without a bearer token', () => {
    const tokens = new RecordingTokens();
    const a = new Authenticator(config, tokens);
    const result = a.authenticate(request({}));
    assert.ok(!(result instanceof Promise));
    assert.deepEqual(result, { kind: 'anonymous' });
    const basic = a.authenticate(request({ Authorization: 'Basic YTpi' }));
    assert.ok(!(basic instanceof Promise));
    assert.deepEqual(tokens.seen, []);
  });

  it('authenticates a good token and adds system:authenticated', async () => {
    const a = new Authenticator(config, new RecordingTokens());
    const result: AuthenticationResult = await a.authenticate(request({ Authorization: 'Bearer good' }));
    assert.deepEqual(result, {
      kind: 'user',
      method: 'jwt',
      user: {
        name: 'system:serviceaccount:a:b',
        uid: 'u',
        groups: ['system:serviceaccounts', 'system:authenticated'],
        extra: {},
      },
    });
  });

  it('fails (not anonymous) for a bad token, an empty token (two spaces), or tokens without a token authenticator', async () => {
    const tokens = new RecordingTokens();
    const a = new Authenticator(config, tokens);
    assert.equal((await a.authenticate(request({ Authorization: 'Bearer bad' }))).kind, 'failed');
    assert.equal((await a.authenticate(request({ Authorization: 'Bearer  x' }))).kind, 'failed');
    assert.deepEqual(tokens.seen, ['bad'], 'an empty token is refused without asking');
    const without = new Authenticator(config);
    assert.equal((await without.authenticate(request({ Authorization: 'Bearer good' }))).kind, 'failed');
  });
});
