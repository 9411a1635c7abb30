// SPDX-License-Identifier: GPL-2.0-or-later
// A test CA made with openssl for one test, and server certificates it
// signs (P-256, subjectAltName IP addresses), e.g. for coturn's turns:.

import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { run } from '../../e2e/lib/procs.mjs';

async function openssl(args) {
  const r = await run('openssl', args, { timeout: 20000 });
  if (r.code !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

// Resolves { dir, cert, key } (PEM files in dir).
export async function makeTestCa(dir, name = 'Relais network lab test CA') {
  fs.mkdirSync(dir, { recursive: true });
  const key = path.join(dir, 'ca.key');
  const cert = path.join(dir, 'ca.crt');
  await openssl(['req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
    '-days', '2', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return { dir, cert, key };
}

// A server certificate for `ips` signed by `ca`. Resolves { cert, key, spki }
// (spki: base64 SHA-256 of the public key, for Chromium's
// --ignore-certificate-errors-spki-list).
export async function issueServerCert(ca, tag, ips) {
  const key = path.join(ca.dir, `${tag}.key`);
  const csr = path.join(ca.dir, `${tag}.csr`);
  const cert = path.join(ca.dir, `${tag}.crt`);
  const ext = path.join(ca.dir, `${tag}.ext`);
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${ips[0]}`]);
  fs.writeFileSync(ext, `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${ips.map((i) => `IP:${i}`).join(',')}\n`);
  await openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext]);
  const x509 = new crypto.X509Certificate(fs.readFileSync(cert));
  const spki = crypto.createHash('sha256').update(x509.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  return { cert, key, spki };
}
