/**
 * Flags accepted only so that prometheus-adapter and klog manifests start unchanged: none of them
 * changes anything here, and those whose silent dropping would hide what the operator asked for
 * (audit, log files, SNI certificates, port sharing) say so once at start.
 */
import type { FlagKind, FlagNotice, FlagSpec, FlagValue } from './types.js';

export const COMPATIBILITY_FLAGS: readonly FlagSpec[] = [
  // Accepted so that existing manifests start unchanged; they have no effect (logs are JSON on stderr).
  { name: 'logtostderr', kind: 'bool', default: true, help: 'No effect (compatibility).', compatOnly: true },
  {
    name: 'alsologtostderr',
    kind: 'bool',
    default: false,
    help: 'No effect (compatibility).',
    compatOnly: true,
  },
  {
    name: 'stderrthreshold',
    kind: 'string',
    default: '',
    help: 'No effect (compatibility).',
    compatOnly: true,
  },
  { name: 'vmodule', kind: 'string', default: '', help: 'No effect (compatibility).', compatOnly: true },
  {
    name: 'skip-headers',
    kind: 'bool',
    default: false,
    help: 'No effect (compatibility).',
    compatOnly: true,
  },
  {
    name: 'add-dir-header',
    kind: 'bool',
    default: false,
    help: 'No effect (compatibility).',
    compatOnly: true,
  },
  { name: 'profiling', kind: 'bool', default: false, help: 'No effect (compatibility).', compatOnly: true },
  {
    name: 'contention-profiling',
    kind: 'bool',
    default: false,
    help: 'No effect (compatibility).',
    compatOnly: true,
  },
  // prometheus-adapter v0.12 (generic apiserver, audit, klog) flags with no counterpart here, so
  // that its manifests start unchanged; test/config/fixtures lists the flags this block covers.
  // klog's old underscore spellings (--log_dir, ...) are accepted too: names are normalised.
  ...compatFlags(),
];

function compatFlags(): FlagSpec[] {
  // Audit is the setting here whose silent dropping would leave an operator without a record.
  const AUDIT_ENABLING = new Set(['audit-policy-file', 'audit-log-path', 'audit-webhook-config-file']);
  const ignored = (name: string, kind: FlagKind, def: FlagValue, what: string): FlagSpec => ({
    name,
    kind,
    default: def,
    help: `No effect (compatibility): ${what}`,
    compatOnly: true,
  });
  const warned = (
    name: string,
    kind: FlagKind,
    def: FlagValue,
    what: string,
    notice: (v: FlagValue) => FlagNotice | undefined,
  ): FlagSpec => ({
    name,
    kind,
    default: def,
    help: `Not supported (a warning is logged when given): ${what}`,
    noticeWhenGiven: notice,
  });
  const unsupported = (flag: string, consequence: string) => (): FlagNotice => ({
    level: 'warn',
    message: `--${flag} is not supported by metrics-adapter and has no effect: ${consequence}`,
  });
  const audit = (name: string, kind: FlagKind, def: FlagValue): FlagSpec =>
    AUDIT_ENABLING.has(name)
      ? warned(name, kind, def, 'audit logging is not implemented.', (v) =>
          v === ''
            ? undefined
            : unsupported(name, 'audit logging is not implemented, no audit events are written')(),
        )
      : ignored(name, kind, def, 'audit logging is not implemented.');
  const specs: FlagSpec[] = [
    {
      name: 'disable-http2',
      kind: 'bool',
      default: false,
      help: 'The server negotiates HTTP/1.1 only (ALPN), so HTTP/2 is always off; --disable-http2=false cannot turn it on.',
      noticeWhenGiven: (v) =>
        v === false
          ? {
              level: 'info',
              message: '--disable-http2=false: HTTP/2 is not offered by this server; clients use HTTP/1.1',
            }
          : undefined,
    },
    ignored('http2-max-streams-per-connection', 'int', 0, 'HTTP/2 is not offered.'),
    warned(
      'tls-sni-cert-key',
      'stringArray',
      [],
      'every client gets the --tls-cert-file certificate.',
      unsupported('tls-sni-cert-key', 'every client is served the --tls-cert-file certificate'),
    ),
    ignored(
      'permit-address-sharing',
      'bool',
      false,
      'the listener always binds with SO_REUSEADDR (Node does so on Linux).',
    ),
    warned(
      'permit-port-sharing',
      'bool',
      false,
      'no SO_REUSEPORT; a second process cannot bind the same port.',
      (v) =>
        v === true
          ? unsupported(
              'permit-port-sharing',
              'the port is not bound with SO_REUSEPORT, a second process cannot share it',
            )()
          : undefined,
    ),
    ignored(
      'max-mutating-requests-inflight',
      'int',
      200,
      'the metrics APIs are read-only (writes are a 405); --max-requests-inflight bounds every request.',
    ),
    ignored('debug-socket-path', 'string', '', 'no profiling endpoints.'),
    ignored(
      'enable-priority-and-fairness',
      'bool',
      true,
      'requests are not queued by priority level (--max-requests-inflight and --max-prometheus-queries bound the load instead).',
    ),
    ignored('log-flush-frequency', 'duration', 5_000, 'log lines are written at once.'),
    warned('log-dir', 'string', '', 'logs go to stderr only.', (v) =>
      v === '' ? undefined : unsupported('log-dir', 'logs go to stderr only, no log files are written')(),
    ),
    warned('log-file', 'string', '', 'logs go to stderr only.', (v) =>
      v === '' ? undefined : unsupported('log-file', 'logs go to stderr only, no log file is written')(),
    ),
    ignored('log-file-max-size', 'int', 1800, 'logs go to stderr only.'),
    ignored('log-backtrace-at', 'string', ':0', 'logs are JSON lines.'),
    ignored('one-output', 'bool', false, 'logs are JSON lines on stderr.'),
    ignored('skip-log-headers', 'bool', false, 'logs are JSON lines.'),
    audit('audit-policy-file', 'string', ''),
    audit('audit-log-path', 'string', ''),
    audit('audit-log-maxage', 'int', 0),
    audit('audit-log-maxbackup', 'int', 0),
    audit('audit-log-maxsize', 'int', 0),
    audit('audit-log-format', 'string', 'json'),
    audit('audit-log-compress', 'bool', false),
    audit('audit-log-mode', 'string', 'blocking'),
    audit('audit-log-batch-buffer-size', 'int', 10_000),
    audit('audit-log-batch-max-size', 'int', 1),
    audit('audit-log-batch-max-wait', 'duration', 0),
    audit('audit-log-batch-throttle-enable', 'bool', false),
    audit('audit-log-batch-throttle-qps', 'float', 0),
    audit('audit-log-batch-throttle-burst', 'int', 0),
    audit('audit-log-truncate-enabled', 'bool', false),
    audit('audit-log-truncate-max-batch-size', 'int', 10_485_760),
    audit('audit-log-truncate-max-event-size', 'int', 102_400),
    audit('audit-log-version', 'string', 'audit.k8s.io/v1'),
    audit('audit-webhook-config-file', 'string', ''),
    audit('audit-webhook-initial-backoff', 'duration', 10_000),
    audit('audit-webhook-mode', 'string', 'batch'),
    audit('audit-webhook-batch-buffer-size', 'int', 10_000),
    audit('audit-webhook-batch-max-size', 'int', 400),
    audit('audit-webhook-batch-max-wait', 'duration', 30_000),
    audit('audit-webhook-batch-throttle-enable', 'bool', true),
    audit('audit-webhook-batch-throttle-qps', 'float', 10),
    audit('audit-webhook-batch-throttle-burst', 'int', 15),
    audit('audit-webhook-truncate-enabled', 'bool', false),
    audit('audit-webhook-truncate-max-batch-size', 'int', 10_485_760),
    audit('audit-webhook-truncate-max-event-size', 'int', 102_400),
    audit('audit-webhook-version', 'string', 'audit.k8s.io/v1'),
  ];
  // Listed apart in --help (by name only, unless --help-all): none of them changes anything here.
  return specs.map((s) => ({ ...s, group: 'compatibility' }));
}
