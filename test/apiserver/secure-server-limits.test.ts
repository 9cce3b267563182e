/**
 * The HTTPS listener's connection limits (CONNECTION_LIMITS) over real TLS: an oversize request
 * head is a 431; a client that dribbles its headers, or a body, is dropped once the head or
 * request timeout passes; an idle keep-alive connection outlives those timeouts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import { CONNECTION_LIMITS, SecureServer } from '../../src/apiserver/secure-server.js';
import { checkServingPair } from '../../src/apiserver/x509.js';
import { silentLogger } from '../../src/logging.js';
import { createCA, issueCertificate, type CertificateAuthority } from '../helpers/certs.js';
import { LOOPBACK } from '../helpers/ports.js';

const HEADERS_TIMEOUT = 600;
const REQUEST_TIMEOUT = 900;

interface Conn {
  socket: tls.TLSSocket;
  received(): string;
  closed: Promise<number>;
}

function connect(port: number, ca: string): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = tls.connect({ host: LOOPBACK, port, ca, servername: 'localhost' });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => (text += c));
    const closed = new Promise<number>((r) => socket.once('close', () => r(Date.now() - started)));
    socket.once('secureConnect', () => resolve({ socket, received: () => text, closed }));
    socket.once('error', reject);
  });
}

/** Resolves once `predicate` holds, polling; fails after `ms`. */
async function within(ms: number, predicate: () => boolean, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('SecureServer connection limits', () => {
  let ca: CertificateAuthority;
  let server: SecureServer;
  let port = 0;

  before(async () => {
    ca = await createCA('limits-test-ca');
    const leaf = await issueCertificate(ca, {
      commonName: 'localhost',
      dnsNames: ['localhost'],
      ipAddresses: [LOOPBACK],
      usage: 'server',
    });
    server = new SecureServer(
      (req, res) => {
        // Reads the body, so that a slow body is the request timeout's business.
        req.resume();
        req.on('end', () => res.end(`ok ${req.url?.length ?? 0}`));
      },
      {
        serving: { port: 0, bindAddress: LOOPBACK, minVersion: 'TLSv1.2', ciphers: undefined },
        pair: checkServingPair(leaf.certPem, leaf.keyPem),
        clientCAPems: [],
        logger: silentLogger(),
        limits: { headersTimeoutMs: HEADERS_TIMEOUT, requestTimeoutMs: REQUEST_TIMEOUT, checkIntervalMs: 50 },
      },
    );
    port = (await server.listen()).port;
  });
  after(() => server.close(1_000));

  it('defaults: a 32 KiB head, head within 10 s, request within 15 s, keep-alive 120 s', () => {
    assert.deepEqual(CONNECTION_LIMITS, {
      maxHeaderSize: 32 * 1024,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 15_000,
      checkIntervalMs: 1_000,
      keepAliveTimeoutMs: 120_000,
    });
  });

  it('a head over the limit is a 431; one just under it is served', async () => {
    const big = await connect(port, ca.certPem);
    big.socket.write(
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(CONNECTION_LIMITS.maxHeaderSize)}\r\n\r\n`,
    );
    await within(5_000, () => big.received().includes('\r\n'), 'an answer');
    assert.match(big.received(), /^HTTP\/1\.1 431 /);
    big.socket.destroy();
    const fits = await connect(port, ca.certPem);
    fits.socket.write(
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(CONNECTION_LIMITS.maxHeaderSize - 200)}\r\n\r\n`,
    );
    await within(5_000, () => fits.received().includes('ok 1'), 'an answer');
    assert.match(fits.received(), /^HTTP\/1\.1 200 /);
    fits.socket.destroy();
  });

  it('a client that dribbles its headers is dropped once the head timeout passes', async () => {
    const c = await connect(port, ca.certPem);
    c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    let n = 0;
    const drip = setInterval(() => {
      if (!c.socket.destroyed && n++ < 200) c.socket.write(`X-Drip-${n}: y\r\n`);
    }, 50);
    const ms = await Promise.race([c.closed, new Promise<number>((r) => setTimeout(() => r(-1), 10_000))]);
    clearInterval(drip);
    c.socket.destroy();
    assert.ok(ms > 0, 'the connection was still open after 10 s');
    assert.ok(ms >= HEADERS_TIMEOUT, `dropped after ${ms} ms, before the head timeout`);
    assert.match(c.received(), /^(HTTP\/1\.1 408 |)/);
  });

  it('a client that dribbles a body is dropped once the request timeout passes', async () => {
    const c = await connect(port, ca.certPem);
    c.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n');
    let n = 0;
    const drip = setInterval(() => {
      if (!c.socket.destroyed && n++ < 200) c.socket.write('z');
    }, 50);
    const ms = await Promise.race([c.closed, new Promise<number>((r) => setTimeout(() => r(-1), 10_000))]);
    clearInterval(drip);
    c.socket.destroy();
    assert.ok(ms > 0, 'the connection was still open after 10 s');
    assert.ok(ms >= REQUEST_TIMEOUT, `dropped after ${ms} ms, before the request timeout`);
  });

  it('an idle keep-alive connection outlives the head and request timeouts', async () => {
    const c = await connect(port, ca.certPem);
    c.socket.write('GET /one HTTP/1.1\r\nHost: x\r\n\r\n');
    await within(5_000, () => c.received().includes('ok 4'), 'the first answer');
    await new Promise((r) => setTimeout(r, REQUEST_TIMEOUT + 300));
    assert.equal(c.socket.destroyed, false);
    c.socket.write('GET /two HTTP/1.1\r\nHost: x\r\n\r\n');
    await within(5_000, () => (c.received().match(/ok 4/g) ?? []).length === 2, 'the second answer');
    c.socket.destroy();
  });
});
