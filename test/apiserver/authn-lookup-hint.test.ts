/**
 * The hint after a failed extension-apiserver-authentication lookup fits its cause: a refused or
 * timed-out connection gets connection hints (RBAC cannot fix it), a 403 the Role, a 401 the
 * credentials, a 404 the missing ConfigMap.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lookupFailureHint } from '../../src/apiserver/authn-config.js';
import { TimeoutError, UnavailableError } from '../../src/errors.js';
import { KubeApiError } from '../../src/kube/index.js';

const SERVER = 'https://10.96.0.1:443';

describe('lookupFailureHint', () => {
  it('a refused connection: where the server address comes from, no RBAC', () => {
    const hint = lookupFailureHint(
      new UnavailableError(`cannot reach the Kubernetes API at ${SERVER}: connect ECONNREFUSED`),
      SERVER,
    );
    assert.match(
      hint,
      /^the Kubernetes API cannot be reached: check the server of --authentication-kubeconfig/,
    );
    assert.match(hint, /KUBERNETES_SERVICE_HOST/);
    assert.doesNotMatch(hint, /Role|grant/);
  });

  it('a timeout names the server the message does not name', () => {
    const hint = lookupFailureHint(
      new TimeoutError('the Kubernetes API did not answer GET /x within 5000 ms'),
      SERVER,
    );
    assert.match(
      hint,
      new RegExp(`^the Kubernetes API at ${SERVER.replace(/\./g, '\\.')} cannot be reached`),
    );
    assert.doesNotMatch(hint, /Role/);
  });

  it('403: the Role', () => {
    const hint = lookupFailureHint(new KubeApiError(403, 'Forbidden', 'configmaps is forbidden'), SERVER);
    assert.match(hint, /^grant the extension-apiserver-authentication-reader Role in kube-system/);
  });

  it('401: the credentials, not the Role', () => {
    const hint = lookupFailureHint(new KubeApiError(401, 'Unauthorized', 'Unauthorized'), SERVER);
    assert.match(hint, /does not accept the adapter's credentials/);
    assert.doesNotMatch(hint, /Role/);
  });

  it('404: the ConfigMap is missing', () => {
    const hint = lookupFailureHint(new KubeApiError(404, 'NotFound', 'not found'), SERVER);
    assert.match(hint, /^this cluster has no such ConfigMap.*: give --client-ca-file/);
  });

  it('every hint keeps the flags that avoid the lookup', () => {
    for (const err of [new UnavailableError('x'), new KubeApiError(403, 'Forbidden', 'x'), new Error('x')])
      assert.match(
        lookupFailureHint(err),
        /--authentication-skip-lookup or --authentication-tolerate-lookup-failure$/,
      );
  });
});
