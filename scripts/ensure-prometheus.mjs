#!/usr/bin/env node
// Makes sure a `prometheus` binary is on PATH: the integration tests and the demo start a real one.
// On Debian/Ubuntu it installs the distribution package (as root, or with passwordless sudo).
// Set METRICS_ADAPTER_NO_INSTALL=1 to only check.
import { spawnSync } from 'node:child_process';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

if (has('prometheus') && has('promtool')) process.exit(0);

const fail = (why) => {
  process.stderr.write(
    `${why}\nThe tests and the demo need Prometheus on PATH. On Debian/Ubuntu: sudo apt-get install -y prometheus\n` +
      'Elsewhere, put the prometheus and promtool binaries from https://prometheus.io/download/ on PATH.\n',
  );
  process.exit(1);
};

if (process.env.METRICS_ADAPTER_NO_INSTALL === '1') fail('prometheus is not on PATH.');
if (!has('apt-get')) fail('prometheus is not on PATH and apt-get is not available to install it.');

const root = typeof process.getuid === 'function' && process.getuid() === 0;
const prefix = root ? [] : has('sudo') ? ['sudo', '-n'] : null;
if (prefix === null) fail('prometheus is not on PATH, and installing it needs root (or sudo).');

process.stderr.write("prometheus is not on PATH: installing Debian's prometheus package...\n");
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const run = (args) => {
  const [cmd, ...rest] = [...prefix, ...args];
  const r = spawnSync(cmd, rest, { stdio: 'inherit', env });
  if (r.status !== 0) fail(`"${args.join(' ')}" failed.`);
};
run(['apt-get', 'update', '-qq']);
run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'prometheus']);
if (!has('prometheus')) fail('the prometheus package installed, but prometheus is still not on PATH.');
