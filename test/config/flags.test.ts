import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlagError, FLAG_SPECS, flagHelp, parseCommandLine } from '../../src/config/flags.js';
import { buildServeOptions } from '../../src/config/serve-options.js';
import { formatGoDuration, parseGoDuration } from '../../src/config/duration.js';

describe('parseCommandLine', () => {
  const ok: { args: string[]; flag: string; want: unknown }[] = [
    { args: [], flag: 'secure-port', want: 6443 },
    { args: ['--secure-port=8443'], flag: 'secure-port', want: 8443 },
    { args: ['--secure-port', '8443'], flag: 'secure-port', want: 8443 },
    { args: ['-v=4'], flag: 'v', want: 4 },
    { args: ['--v', '6'], flag: 'v', want: 6 },
    { args: ['--authentication-skip-lookup'], flag: 'authentication-skip-lookup', want: true },
    { args: ['--authentication-skip-lookup=false'], flag: 'authentication-skip-lookup', want: false },
    { args: ['--logtostderr=true'], flag: 'logtostderr', want: true },
    { args: ['--metrics-relist-interval=1m30s'], flag: 'metrics-relist-interval', want: 90_000 },
    {
      args: ['--requestheader-allowed-names=front-proxy-client,aggregator'],
      flag: 'requestheader-allowed-names',
      want: ['front-proxy-client', 'aggregator'],
    },
    {
      args: ['--requestheader-group-headers=a', '--requestheader-group-headers=b'],
      flag: 'requestheader-group-headers',
      want: ['a', 'b'],
    },
    {
      args: ['--prometheus-header=X-Scope-OrgID=t1', '--prometheus-header', 'A=b=c'],
      flag: 'prometheus-header',
      want: ['X-Scope-OrgID=t1', 'A=b=c'],
    },
    { args: ['--tls-min-version=VersionTLS13'], flag: 'tls-min-version', want: 'VersionTLS13' },
  ];
  for (const c of ok) {
    it(`${c.args.join(' ') || '(defaults)'} → --${c.flag}`, () => {
      assert.deepEqual(parseCommandLine(c.args).values.get(c.flag), c.want);
    });
  }

  const bad: { args: string[]; flag: string; message: RegExp }[] = [
    { args: ['--nope'], flag: '--nope', message: /unknown flag: --nope/ },
    { args: ['--secure-port=abc'], flag: '--secure-port', message: /not an integer/ },
    { args: ['--secure-port=70000'], flag: '--secure-port', message: /port number/ },
    { args: ['--bind-address=localhost'], flag: '--bind-address', message: /IP address/ },
    { args: ['--metrics-relist-interval=5'], flag: '--metrics-relist-interval', message: /invalid duration/ },
    { args: ['--metrics-relist-interval=0s'], flag: '--metrics-relist-interval', message: /positive/ },
    {
      args: ['--authentication-skip-lookup=maybe'],
      flag: '--authentication-skip-lookup',
      message: /not a boolean/,
    },
    { args: ['--tls-min-version=TLS1.2'], flag: '--tls-min-version', message: /VersionTLS12/ },
    { args: ['--prometheus-url=ftp://x'], flag: '--prometheus-url', message: /http/ },
    { args: ['--prometheus-url=::'], flag: '--prometheus-url', message: /invalid URL/ },
    { args: ['--prometheus-header=novalue'], flag: '--prometheus-header', message: /Name=value/ },
    { args: ['--log-level=loud'], flag: '--log-level', message: /one of/ },
    { args: ['--config'], flag: '--config', message: /needs an argument/ },
  ];
  for (const c of bad) {
    it(`rejects ${c.args.join(' ')}`, () => {
      assert.throws(
        () => parseCommandLine(c.args),
        (err: unknown) =>
          err instanceof FlagError &&
          err.flag === c.flag &&
          c.message.test(err.message) &&
          !err.message.includes('\n'),
      );
    });
  }

  it('takes the command and reports help and version', () => {
    const p = parseCommandLine(['demo', '--help']);
    assert.equal(p.command, 'demo');
    assert.equal(p.help, true);
    assert.equal(p.helpAll, false);
    const all = parseCommandLine(['--help-all']);
    assert.deepEqual([all.help, all.helpAll], [true, true]);
    assert.equal(parseCommandLine(['--version']).version, true);
  });

  it('describes every flag in --help-all or a command --help, with its default unless empty or false', () => {
    const help = [
      flagHelp({ all: true }),
      flagHelp({ command: 'check' }),
      flagHelp({ command: 'explain' }),
    ].join('\n');
    for (const s of FLAG_SPECS) {
      const block = new RegExp(`^      --${s.name}\\b.*\\n((?: {12}.*\\n?)+)`, 'm').exec(help);
      assert.ok(block, `--${s.name} not described`);
      const empty =
        s.default === '' || s.default === false || (Array.isArray(s.default) && s.default.length === 0);
      const saysDefault = /\bdefault\b/i.test(block[1] ?? '');
      assert.equal(saysDefault, !empty || /\bdefault\b/i.test(s.help), `--${s.name}: ${block[1] ?? ''}`);
    }
    assert.doesNotMatch(help, /\(default ""\)|\(default \[\]\)|\(default false\)/);
  });
});

describe('buildServeOptions', () => {
  const build = (args: string[]) => {
    const p = parseCommandLine(args);
    return buildServeOptions(p.values, p.given);
  };

  it('needs a serving certificate', () => {
    assert.throws(
      () => build([]),
      (e: unknown) => e instanceof FlagError && e.flag === '--tls-cert-file',
    );
  });

  it('accepts --cert-dir for a self-signed certificate', () => {
    const o = build(['--cert-dir=/tmp/x']);
    assert.equal(o.serving.selfSignedCertDir, '/tmp/x');
    assert.equal(o.rules.maxAgeMs, 60_000);
    assert.equal(o.logLevel, 'info');
  });

  it('rejects unreadable files naming the flag', () => {
    assert.throws(
      () => build(['--cert-dir=/tmp/x', '--config=/does/not/exist.yaml']),
      (e: unknown) => e instanceof FlagError && e.flag === '--config' && /ENOENT/.test(e.message),
    );
  });

  it('checks max age against the relist interval', () => {
    assert.throws(
      () => build(['--cert-dir=/tmp/x', '--metrics-relist-interval=2m', '--metrics-max-age=1m']),
      /must not be less/,
    );
    assert.equal(build(['--cert-dir=/tmp/x', '--metrics-relist-interval=2m']).rules.maxAgeMs, 120_000);
  });

  it('maps Go cipher suite names and rejects unknown ones', () => {
    const o = build([
      '--cert-dir=/tmp/x',
      '--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
    ]);
    assert.equal(o.serving.ciphers, 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305');
    assert.throws(
      () => build(['--cert-dir=/tmp/x', '--tls-cipher-suites=TLS_FOO']),
      (e: unknown) => e instanceof FlagError && e.flag === '--tls-cipher-suites',
    );
  });

  it('derives the log level from --v unless --log-level is given', () => {
    assert.equal(build(['--cert-dir=/x', '--v=4']).logLevel, 'debug');
    assert.equal(build(['--cert-dir=/x', '--v=4', '--log-level=warn']).logLevel, 'warn');
  });

  it('parses prometheus headers', () => {
    assert.deepEqual(
      build(['--cert-dir=/x', '--prometheus-header=X-Scope-OrgID=team-a']).prometheus.headers,
      { 'X-Scope-OrgID': 'team-a' },
    );
  });
});

describe('Go durations', () => {
  const cases: [string, number, string][] = [
    ['1m', 60_000, '1m0s'],
    ['1h30m', 5_400_000, '1h30m0s'],
    ['15.021s', 15_021, '15.021s'],
    ['500ms', 500, '500ms'],
    ['0', 0, '0s'],
  ];
  for (const [text, ms, back] of cases) {
    it(text, () => {
      assert.equal(parseGoDuration(text), ms);
      assert.equal(formatGoDuration(ms), back);
    });
  }
  it('rejects garbage', () => {
    for (const t of ['', '5', 'm', '1x', '1.2.3s']) assert.throws(() => parseGoDuration(t));
  });
});
