import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import { checkServingPair } from '../../src/apiserver/x509.js';
import { SecureServer } from '../../src/apiserver/secure-server.js';
import { silentLogger } from '../../src/logging.js';
import { createCA, issueCertificate, type CertificateAuthority } from '../helpers/certs.js';
import { LOOPBACK } from '../helpers/ports.js';

/** Opens a TLS connection offering `protocols` by ALPN; resolves with what the server chose. */
function negotiate(port: number, ca: string, protocols: string[]): Promise<string | false> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: LOOPBACK,
      port,
      ca,
      servername: 'localhost',
      ALPNProtocols: protocols,
    });
    const timer = setTimeout(() => socket.destroy(new Error('TLS handshake timed out')), 5_000);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const chosen = socket.alpnProtocol ?? false;
      socket.end();
      resolve(chosen);
    });
    socket.once('error', (err: Error) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

describe('SecureServer ALPN', () => {
  let ca: CertificateAuthority;
  let server: SecureServer;
  let port = 0;

  before(async () => {
    ca = await createCA('alpn-test-ca');
    const leaf = await issueCertificate(ca, {
      commonName: 'localhost',
      dnsNames: ['localhost'],
      ipAddresses: [LOOPBACK],
      usage: 'server',
    });
    server = new SecureServer((_req, res) => res.end('ok'), {
      serving: { port: 0, bindAddress: LOOPBACK, minVersion: 'TLSv1.2', ciphers: undefined },
      pair: checkServingPair(leaf.certPem, leaf.keyPem),
      clientCAPems: [],
      logger: silentLogger(),
    });
    port = (await server.listen()).port;
  });
  after(() => server.close(1_000));

  it('answers a client offering h2 and http/1.1 with http/1.1', async () => {
    assert.equal(await negotiate(port, ca.certPem, ['h2', 'http/1.1']), 'http/1.1');
  });

  it('still does after the serving pair is swapped', async () => {
    const leaf = await issueCertificate(ca, {
      commonName: 'localhost',
      dnsNames: ['localhost'],
      usage: 'server',
    });
    server.updateServingPair(checkServingPair(leaf.certPem, leaf.keyPem));
    assert.equal(await negotiate(port, ca.certPem, ['h2', 'http/1.1']), 'http/1.1');
  });

  it('refuses a client that offers only h2', async () => {
    await assert.rejects(negotiate(port, ca.certPem, ['h2']), /no application protocol|ALPN/i);
  });
});
