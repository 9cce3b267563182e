/**
 * Every flag prometheus-adapter v0.12 lists in --help is accepted here with a value of its type,
 * so its manifests start unchanged; and what we say about flags we cannot honour.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  FLAG_SPECS,
  FlagError,
  parseCommandLine,
  startupNotices,
  type FlagNotice,
} from '../../src/config/flags.js';
import type { FlagKind } from '../../src/config/flag-specs.js';

interface FixtureFlag {
  name: string;
  type: string;
  default: string;
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/prometheus-adapter-v0.12-flags.json', import.meta.url), 'utf8'),
) as { flags: FixtureFlag[] };

/** pflag types and the kinds that parse them. */
const KIND_OF_TYPE: Record<string, FlagKind[]> = {
  string: ['string'],
  ip: ['string'],
  pattern: ['string'],
  int: ['int'],
  Level: ['int'],
  float32: ['float'],
  bool: ['bool'],
  duration: ['duration'],
  strings: ['stringList'],
  stringArray: ['stringArray'],
  namedCertKey: ['stringArray'],
};

/** A value of the type (flags with a validator get one it accepts). */
const SAMPLE_OF_TYPE: Record<string, string> = {
  string: 'something',
  ip: '127.0.0.1',
  pattern: 'server=4',
  int: '7',
  Level: '4',
  float32: '2.5',
  bool: 'true',
  duration: '45s',
  strings: 'a,b',
  stringArray: 'x',
  namedCertKey: '/certs/a.crt,/certs/a.key:a.example.com',
};
const SAMPLE_OF_FLAG: Record<string, string> = {
  'prometheus-url': 'http://prometheus.monitoring.svc:9090/',
  'prometheus-verb': 'POST',
  'prometheus-header': 'X-Scope-OrgID=tenant-a',
  'tls-min-version': 'VersionTLS13',
  'tls-cipher-suites': 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'secure-port': '6443',
};

const SPEC = new Map(FLAG_SPECS.map((s) => [s.name, s]));

describe('prometheus-adapter v0.12 flags', () => {
  it('the fixture is a real list', () => {
    assert.ok(fixture.flags.length >= 70, `${fixture.flags.length} flags`);
    assert.equal(new Set(fixture.flags.map((f) => f.name)).size, fixture.flags.length);
    for (const f of fixture.flags) assert.ok(f.type in KIND_OF_TYPE, `${f.name}: type ${f.type}`);
  });

  for (const f of fixture.flags) {
    it(`--${f.name} (${f.type})`, () => {
      const spec = SPEC.get(f.name);
      assert.ok(spec !== undefined, `--${f.name} is not in FLAG_SPECS`);
      assert.ok(
        KIND_OF_TYPE[f.type]!.includes(spec.kind),
        `--${f.name}: ${spec.kind} does not parse ${f.type}`,
      );
      const sample = SAMPLE_OF_FLAG[f.name] ?? SAMPLE_OF_TYPE[f.type]!;
      for (const args of [[`--${f.name}=${sample}`], [`--${f.name}`, sample], [`-${f.name}=${sample}`]]) {
        const p = parseCommandLine(args);
        assert.ok(p.given.has(f.name), args.join(' '));
        assert.deepEqual(p.positionals, []);
      }
      if (f.type === 'bool') {
        assert.equal(parseCommandLine([`--${f.name}`]).values.get(f.name), true);
        assert.equal(parseCommandLine([`--${f.name}=false`]).values.get(f.name), false);
      }
      // The default as v0.12 prints it must itself be a value we accept (an empty one aside).
      if (f.default !== '' && f.default !== '[]' && !f.default.startsWith('[')) {
        assert.doesNotThrow(() => parseCommandLine([`--${f.name}=${f.default}`]), `default ${f.default}`);
      }
    });
  }

  it('reads typed values right', () => {
    const p = parseCommandLine([
      '--audit-webhook-batch-throttle-qps=2.5',
      '--audit-log-maxage=30',
      '--tls-sni-cert-key=/a.crt,/a.key:a.example.com',
      '--tls-sni-cert-key=/b.crt,/b.key',
      '--discovery-interval=10m',
    ]);
    assert.equal(p.values.get('audit-webhook-batch-throttle-qps'), 2.5);
    assert.equal(p.values.get('audit-log-maxage'), 30);
    assert.deepEqual(p.values.get('tls-sni-cert-key'), ['/a.crt,/a.key:a.example.com', '/b.crt,/b.key']);
    assert.equal(p.values.get('discovery-interval'), 600_000);
    assert.throws(
      () => parseCommandLine(['--audit-log-batch-throttle-qps=fast']),
      (e: unknown) => e instanceof FlagError && /not a number/.test(e.message),
    );
  });

  it("accepts klog's underscore spellings as pflag's normaliser does", () => {
    const p = parseCommandLine([
      '--log_dir=/var/log',
      '--add_dir_header',
      '--log_file_max_size=10',
      '-skip_log_headers',
    ]);
    assert.equal(p.values.get('log-dir'), '/var/log');
    assert.equal(p.values.get('add-dir-header'), true);
    assert.equal(p.values.get('log-file-max-size'), 10);
    assert.equal(p.values.get('skip-log-headers'), true);
    assert.throws(() => parseCommandLine(['--no_such_flag']), /unknown flag: --no-such-flag/);
  });
});

describe('startupNotices', () => {
  const notices = (args: string[]): (FlagNotice & { flags?: string[] })[] =>
    startupNotices(parseCommandLine(args));

  const cases: { args: string[]; warns: RegExp[]; infos: RegExp[]; ignored: string[] }[] = [
    { args: [], warns: [], infos: [], ignored: [] },
    { args: ['--logtostderr=true', '--v=10'], warns: [], infos: [], ignored: ['--logtostderr'] },
    {
      args: ['--audit-log-path=/var/log/audit.log', '--audit-log-maxage=7', '--audit-policy-file=/p.yaml'],
      warns: [
        /--audit-policy-file is not supported.*no audit events/,
        /--audit-log-path is not supported.*no audit events/,
      ],
      infos: [],
      ignored: ['--audit-log-maxage'],
    },
    { args: ['--audit-log-path='], warns: [], infos: [], ignored: [] },
    { args: ['--disable-http2'], warns: [], infos: [], ignored: [] },
    {
      args: ['--disable-http2=false'],
      warns: [],
      infos: [/HTTP\/2 is not offered by this server/],
      ignored: [],
    },
    {
      args: ['--permit-port-sharing'],
      warns: [/--permit-port-sharing is not supported/],
      infos: [],
      ignored: [],
    },
    { args: ['--permit-address-sharing'], warns: [], infos: [], ignored: ['--permit-address-sharing'] },
    {
      args: ['--tls-sni-cert-key=/a.crt,/a.key'],
      warns: [/--tls-sni-cert-key is not supported.*--tls-cert-file/],
      infos: [],
      ignored: [],
    },
    { args: ['--log_file=/x.log'], warns: [/--log-file is not supported/], infos: [], ignored: [] },
  ];
  for (const c of cases) {
    it(c.args.join(' ') || '(none)', () => {
      const got = notices(c.args);
      const warns = got.filter((n) => n.level === 'warn');
      assert.equal(warns.length, c.warns.length, JSON.stringify(got));
      c.warns.forEach((re, i) => assert.match(warns[i]!.message, re));
      const infos = got.filter((n) => n.level === 'info' && n.flags === undefined);
      assert.equal(infos.length, c.infos.length, JSON.stringify(got));
      c.infos.forEach((re, i) => assert.match(infos[i]!.message, re));
      const ignoredLines = got.filter((n) => n.flags !== undefined);
      assert.equal(ignoredLines.length, c.ignored.length > 0 ? 1 : 0, JSON.stringify(got));
      assert.deepEqual(ignoredLines[0]?.flags ?? [], c.ignored);
    });
  }
});
