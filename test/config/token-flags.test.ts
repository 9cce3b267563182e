/**
 * The bearer token flags: defaults (TokenReview cache 10s, local verification on, keys from the
 * cluster), values, and the offline JWKS file needing its issuer.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FLAG_SPECS } from '../../src/config/flag-specs.js';
import { FlagError, parseCommandLine } from '../../src/config/flags.js';
import { buildServeOptions } from '../../src/config/serve-options.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';

let dir: TempDir;
before(async () => {
  dir = await makeTempDir('token-flags');
});
after(() => dir.remove());

const build = (args: string[]) => {
  const p = parseCommandLine(['--cert-dir=/tmp/x', ...args]);
  return buildServeOptions(p.values, p.given);
};

test('bearer token flags: defaults', () => {
  assert.deepEqual(build([]).authentication.tokens, {
    cacheTtlMs: 10_000,
    apiAudiences: [],
    localVerification: true,
    jwksFile: undefined,
    issuers: [],
  });
});

test('bearer token flags: values', () => {
  const jwks = join(dir.path, 'jwks.json');
  writeFileSync(jwks, '{"keys":[]}');
  assert.deepEqual(
    build([
      '--authentication-token-webhook-cache-ttl=30s',
      '--api-audiences=metrics-adapter,https://kubernetes.default.svc',
      '--service-account-local-verification=false',
      `--service-account-jwks-file=${jwks}`,
      '--service-account-issuer=https://issuer.a',
      '--service-account-issuer=https://issuer.b',
    ]).authentication.tokens,
    {
      cacheTtlMs: 30_000,
      apiAudiences: ['metrics-adapter', 'https://kubernetes.default.svc'],
      localVerification: false,
      jwksFile: jwks,
      issuers: ['https://issuer.a', 'https://issuer.b'],
    },
  );
});

test('--service-account-jwks-file without --service-account-issuer is an error naming the flag', () => {
  const jwks = join(dir.path, 'jwks-alone.json');
  writeFileSync(jwks, '{"keys":[]}');
  assert.throws(
    () => build([`--service-account-jwks-file=${jwks}`]),
    (err: unknown) => err instanceof FlagError && err.flag === '--service-account-issuer',
  );
});

test('--authentication-token-webhook-cache-ttl is no longer a compatibility-only flag', () => {
  const spec = FLAG_SPECS.find((f) => f.name === 'authentication-token-webhook-cache-ttl');
  assert.equal(spec?.compatOnly, undefined);
  assert.equal(spec?.default, 10_000);
});
