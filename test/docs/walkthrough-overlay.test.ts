/**
 * The walkthrough's overlay (step 2) renders with the real `kubectl kustomize`: the shell snippet
 * is run as printed, on top of the repository's manifests (in place of the generated certificate
 * overlay), and the Deployment asks the Prometheus URL the reader set — no placeholder survives.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { kubectlBinary } from '../helpers/kubectl.js';
import { makeTempDir, type TempDir } from '../helpers/temp.js';

const run = promisify(execFile);
const repo = new URL('../../', import.meta.url).pathname;

/** The shell block of the walkthrough that writes the overlay. */
async function overlaySnippet(): Promise<string> {
  const page = await readFile(join(repo, 'docs/walkthrough.md'), 'utf8');
  const block = [...page.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => m[1] ?? '')
    .find((b) => b.includes('my-adapter/kustomization.yaml'));
  assert.ok(block, 'no overlay snippet in docs/walkthrough.md');
  return block;
}

describe('docs/walkthrough.md: the overlay of step 2', { timeout: 60_000 }, () => {
  let tmp: TempDir;
  let kubectl: string;
  before(async () => {
    tmp = await makeTempDir('walkthrough-overlay-');
    kubectl = await kubectlBinary();
    await cp(join(repo, 'manifests'), join(tmp.path, 'base'), { recursive: true });
  });
  after(async () => {
    await tmp.remove();
  });

  for (const url of [undefined, 'http://prom.observability.svc:9090']) {
    it(`renders with ${url ?? 'the default Prometheus URL'}`, async () => {
      let script = (await overlaySnippet())
        .replace('../certs/out/overlay', '../base')
        .replace(/^kubectl apply -k my-adapter$/m, `"${kubectl}" kustomize my-adapter`);
      if (url !== undefined) script = script.replace(/^PROMETHEUS_URL=.*$/m, `PROMETHEUS_URL=${url}`);
      await run('rm', ['-rf', join(tmp.path, 'my-adapter')]);
      const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], {
        cwd: tmp.path,
        timeout: 30_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      const want = url ?? 'http://prometheus-k8s.monitoring.svc:9090';
      assert.match(stdout, new RegExp(`- --prometheus-url=${want.replace(/[.]/g, '\\.')}\\n`));
      assert.doesNotMatch(stdout, /PROMETHEUS-SERVICE|NAMESPACE:9090/);
      assert.match(stdout, /http_requests_total\{namespace!="",pod!=""\}/);
    });
  }
});
