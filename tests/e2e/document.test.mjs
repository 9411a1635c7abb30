// SPDX-License-Identifier: GPL-2.0-or-later
// "Show a document" in a call (PROTOCOL.md "Showing a document").
//
// 1. On a real booth with its touch UI (SDL offscreen) and a real Chromium
//    adviser: a three-page PDF made here (one colour per page) is shown,
//    the booth draws it (pixel check on its screenshot), pages turned from
//    the booth and from the console agree at both ends, a PNG then a JPEG
//    replace it, the adviser stops showing it, the visitor closes one, one
//    the booth cannot draw is reported; bad files picked in the console are
//    refused with words; nothing of it stays in the booth's memory.
// 2. The HTTP rules with a scripted booth and a scripted adviser: the upload
//    refused before its body (413 on Content-Length), wrong type 415, no
//    length 411, empty 400, not a PDF / cut PDF 400, no session 401, staff
//    403, cross-origin 403, no call 409; the booth's one-time download, and
//    404 for a wrong token, a second fetch, another booth, after the call.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import path from 'node:path';
import crypto from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { missingBinaries, outFile, tmpDir, ASSETS } from './lib/env.mjs';
import { scanMemory } from './lib/inspect.mjs';
import { UI_ARGS, UI_ENV, screen } from './lib/boothui.mjs';
import { Stack, BOOTH_ID, until } from './lib/scenario.mjs';
import { startSwitchboard, startBooth, makeCert, httpRequest } from './lib/relais.mjs';
import { scriptedBooth, suiteSteps } from './lib/scripted.mjs';
import { WsClient } from './lib/ws.mjs';
import { makePdf, makePng, readPng, shareOfColour } from './lib/docfiles.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

// the switchboard's cap for these tests (--doc-max-bytes): small, so that
// "too large" needs no 10 MB file
const CAP = 200000;
const RED = [255, 0, 0];
const GREEN = [0, 153, 0];
const BLUE = [0, 0, 255];
const ORANGE = [255, 140, 0];
const PDF3 = makePdf([RED, GREEN, BLUE].map((c) => c.map((v) => v / 255)));
const PNG = makePng(320, 200, ORANGE);
const NOT_PDF = Buffer.from('Dear visitor,\nthis is plain text with a .pdf name.\n');
const CUT_PDF = PDF3.subarray(0, Math.floor(PDF3.length * 0.6));
// headers, size and end marker right (the switchboard takes it), pixels
// unreadable: the booth cannot draw it and must say so
const BROKEN_PNG = (() => {
  const b = Buffer.from(PNG);
  const idat = b.indexOf('IDAT');
  for (let i = idat + 4; i < idat + 40; i++) b[i] ^= 0x5a;
  return b;
})();

// The middle of the document's picture on the booth's 1280x800 screen
// (ui_call_large_content_layout: the content column's left part, between
// its caption and its page buttons).
const DOC_CENTRE = { x: 466, y: 330 };

// One raw HTTP/1.1 exchange: `head` (request line and headers, without the
// blank line) then `body` (nullable: not sent at all). Resolves
// {status, text} as soon as the status line and what follows arrived.
function rawHttp(port, head, body = null, { timeout = 8000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer to ${head.split('\r\n')[0]} within ${timeout} ms (got: ${data.slice(0, 200)})`));
    }, timeout);
    const done = () => {
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      if (!m) return false;
      const split = data.indexOf('\r\n\r\n');
      if (split < 0) return false;
      const len = Number(/\r\ncontent-length: *(\d+)/i.exec(data.slice(0, split))?.[1] ?? 0);
      if (data.length < split + 4 + len) return false;
      clearTimeout(timer);
      sock.destroy();
      resolve({ status: Number(m[1]), text: data.slice(split + 4), head: data.slice(0, split) });
      return true;
    };
    sock.on('connect', () => {
      sock.write(`${head}\r\n\r\n`);
      if (body) sock.write(body);
    });
    sock.on('data', (d) => {
      data += d.toString('latin1');
      done();
    });
    sock.on('error', (err) => {
      if (!done()) {
        clearTimeout(timer);
        reject(err);
      }
    });
    sock.on('close', () => {
      if (!done()) {
        clearTimeout(timer);
        reject(new Error(`connection closed without an answer (got: ${data.slice(0, 200)})`));
      }
    });
  });
}

// POST /api/call/document with `body` as `type`, as a console would.
function upload(sb, { cookie, type = 'application/pdf', body = PDF3, origin = sb.base, headers = {} } = {}) {
  const h = { 'Content-Type': type, ...(cookie ? { Cookie: cookie } : {}), ...(origin ? { Origin: origin } : {}), ...headers };
  return httpRequest(`${sb.base}/api/call/document`, { method: 'POST', headers: h, body, ca: sb.ca });
}

// The booth's download of a document, on the booth listener: resolves
// {status, type, bytes}. booth: whose certificate is presented (enrolled
// through the real path; null: none); port: another listener to ask.
async function fetchDoc(sb, token, { booth = BOOTH_ID, origin = null, port = sb.boothPort } = {}) {
  const id = booth ? await sb.boothIdentity(booth) : {};
  return new Promise((resolve, reject) => {
    const head = [
      `GET /api/booth/document/${token} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      'Connection: close',
      ...(origin ? [`Origin: ${origin}`] : []),
    ].join('\r\n');
    const sock =
      port === sb.boothPort
        ? tls.connect({ host: '127.0.0.1', port, ca: sb.boothCa, ...(booth ? { key: id.key, cert: id.cert } : {}) }, () => sock.write(`${head}\r\n\r\n`))
        : net.connect(port, '127.0.0.1', () => sock.write(`${head}\r\n\r\n`));
    const parts = [];
    sock.on('data', (d) => parts.push(d));
    sock.on('error', reject);
    sock.on('close', () => {
      const all = Buffer.concat(parts);
      const split = all.indexOf('\r\n\r\n');
      const headText = all.subarray(0, split).toString('latin1');
      resolve({
        status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(headText)?.[1] ?? 0),
        type: /\r\ncontent-type: *([^\r]+)/i.exec(headText)?.[1] ?? '',
        bytes: all.subarray(split + 4),
      });
    });
  });
}

async function boothShot(ctl, name) {
  const file = outFile(`document-${name}.png`);
  await ctl.screenshot(file);
  return readPng(file);
}

async function docStatus(ctl) {
  const s = await ctl.status();
  return { doc: s.document ?? {}, visitor: s.visitor ?? {} };
}

// Waits until the booth shows page `page` of `pages` drawn, and the console
// says the same; returns the booth's screenshot.
async function bothOnPage(stack, page, pages, name) {
  const ctl = stack.booth.ctl;
  let last;
  await until(
    async () => {
      last = await docStatus(ctl);
      return last.doc.state === 'shown' && last.doc.page === page && last.doc.pages === pages && last.visitor.document_drawn && last.visitor.document_page === page;
    },
    { timeout: 15000, interval: 150, what: `booth showing page ${page}/${pages}` },
  ).catch((err) => {
    err.message += ` (last: ${JSON.stringify(last)})`;
    throw err;
  });
  const panel = stack.page.locator('[data-testid="doc"]');
  await until(async () => (await panel.getAttribute('data-page')) === String(page) && (await panel.getAttribute('data-pages')) === String(pages), {
    timeout: 10000,
    what: `console on page ${page}/${pages}`,
  });
  if (pages > 1) assert.equal(await stack.page.locator('[data-testid="doc-page"]').innerText(), `Page ${page}/${pages}`);
  return boothShot(ctl, name);
}

function assertColour(img, rgb, what) {
  const share = shareOfColour(img, DOC_CENTRE.x, DOC_CENTRE.y, rgb);
  assert.ok(share > 0.9, `${what}: ${Math.round(share * 100)} % of the document's centre is ${rgb} (pixel ${img.pixel(DOC_CENTRE.x, DOC_CENTRE.y)})`);
}

// Picks a file in the console's "Show a document".
async function pick(page, name, buffer, mimeType) {
  await page.locator('[data-testid="doc-file"]').setInputFiles({ name, mimeType, buffer });
}

async function consoleStatus(page, re, what) {
  const status = page.locator('[data-testid="doc-status"]');
  await until(async () => re.test(await status.innerText()), { timeout: 10000, what }).catch(async (err) => {
    err.message += ` (status: "${await status.innerText()}")`;
    throw err;
  });
}

test('document: a PDF, a PNG and a JPEG shown on a real booth, pages agreed both ways, stop, close, bad files', { skip, timeout: 180000 }, async (t) => {
  const stack = new Stack('document');
  t.after(() => stack.stop());
  await stack.run(async () => {
    await stack.start({ boothArgs: UI_ARGS, boothEnv: UI_ENV, sbArgs: ['--doc-max-bytes', String(CAP)] });
    const { page } = stack;
    const ctl = stack.booth.ctl;

    // the visitor walks to the call
    await screen(ctl, 'attract');
    await ctl.tap('language', 'fr');
    await ctl.tap('answer', 'job-search');
    await ctl.tap('answer', 'job-seeker');
    await ctl.tap('accept');
    await screen(ctl, 'self_check');
    await ctl.tap('ready');
    const item = page.locator(`[data-testid="queue-item"][data-booth-id="${BOOTH_ID}"]`);
    await item.waitFor({ timeout: 15000 });
    // nothing to show outside a call
    assert.equal(await page.locator('[data-testid="doc"]').isVisible(), false);
    // the console's own size check needs the caps (GET): withheld here, so
    // that a big file really goes to the switchboard, which refuses it
    await page.route('**/api/call/document', (route) =>
      route.request().method() === 'GET' ? route.fulfill({ status: 503, body: '{}' }) : route.continue(),
    );
    await item.locator('[data-testid="accept-btn"]').click();
    await page.waitForSelector('body[data-state="in-call"]', { timeout: 10000 });
    await screen(ctl, 'in_call', { timeout: 15000 });
    await page.locator('[data-testid="doc-show"]').waitFor({ state: 'visible', timeout: 5000 });

    // a three-page PDF: shown on the booth, page 1 (red) drawn
    await pick(page, 'three-pages.pdf', PDF3, 'application/pdf');
    let img = await bothOnPage(stack, 1, 3, 'pdf-page1');
    assertColour(img, RED, 'page 1');
    const { doc } = await docStatus(ctl);
    assert.equal(doc.kind, 'pdf');
    assert.equal(doc.shown, true);
    await consoleStatus(page, /Showing three-pages\.pdf/, 'the console saying what is shown');

    // the visitor turns the page on the booth: both ends on page 2 (green)
    await ctl.tap('document', 'next');
    img = await bothOnPage(stack, 2, 3, 'pdf-page2');
    assertColour(img, GREEN, 'page 2 (turned on the booth)');

    // the adviser turns it in the console: both on page 3 (blue), and back
    await page.locator('[data-testid="doc-next"]').click();
    img = await bothOnPage(stack, 3, 3, 'pdf-page3');
    assertColour(img, BLUE, 'page 3 (turned in the console)');
    assert.equal(await page.locator('[data-testid="doc-next"]').isDisabled(), true, 'no next page after the last');
    await page.locator('[data-testid="doc-prev"]').click();
    img = await bothOnPage(stack, 2, 3, 'pdf-back-to-page2');
    assertColour(img, GREEN, 'page 2 again');
    await ctl.tap('document', 'prev');
    await bothOnPage(stack, 1, 3, 'pdf-back-to-page1');

    // a PNG replaces it: one page, no page buttons, drawn orange
    await pick(page, 'photo.png', PNG, 'image/png');
    await until(async () => (await docStatus(ctl)).doc.kind === 'png', { timeout: 10000, what: 'the booth on the PNG' });
    img = await bothOnPage(stack, 1, 1, 'png');
    assertColour(img, ORANGE, 'the PNG');
    assert.equal(await page.locator('[data-testid="doc-next"]').isVisible(), false);

    // a JPEG (Chromium's own encoder, from a canvas) replaces the PNG
    const jpeg = Buffer.from(
      await page.evaluate(() => {
        const c = document.createElement('canvas');
        c.width = 400;
        c.height = 300;
        const g = c.getContext('2d');
        g.fillStyle = 'rgb(120, 40, 160)';
        g.fillRect(0, 0, 400, 300);
        return c.toDataURL('image/jpeg', 0.95).split(',')[1];
      }),
      'base64',
    );
    await pick(page, 'photo.jpg', jpeg, 'image/jpeg');
    await until(async () => (await docStatus(ctl)).doc.kind === 'jpeg', { timeout: 10000, what: 'the booth on the JPEG' });
    img = await bothOnPage(stack, 1, 1, 'jpeg');
    assertColour(img, [120, 40, 160], 'the JPEG');

    // the adviser stops showing it: gone from the booth's screen and memory
    await page.locator('[data-testid="doc-stop"]').click();
    await until(
      async () => {
        const s = await docStatus(ctl);
        return s.doc.shown === false && !s.doc.id && s.visitor.document_page === 0 && !s.visitor.document_drawn;
      },
      { timeout: 10000, what: 'the booth without the document' },
    );
    img = await boothShot(ctl, 'stopped');
    assert.ok(shareOfColour(img, DOC_CENTRE.x, DOC_CENTRE.y, ORANGE) < 0.1, 'the PNG is no longer drawn');

    // shown again, closed by the visitor: the console says so
    await pick(page, 'three-pages.pdf', PDF3, 'application/pdf');
    await bothOnPage(stack, 1, 3, 'pdf-again');
    await ctl.tap('document', 'close');
    await consoleStatus(page, /visitor closed the document/i, 'the console told the visitor closed it');
    assert.equal(await page.locator('[data-testid="doc"]').getAttribute('data-state'), 'none');
    assert.equal((await docStatus(ctl)).doc.shown, false);

    // bad files picked in the console: refused with words, nothing shown
    await pick(page, 'letter.pdf', NOT_PDF, 'application/pdf');
    await consoleStatus(page, /This file is not a PDF/, '"not a PDF" in the console');
    await pick(page, 'cut.pdf', CUT_PDF, 'application/pdf');
    await consoleStatus(page, /incomplete/, '"incomplete" in the console');
    // 3 MB from Chromium: 413 on the headers, while the body is still coming
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/call/document') && r.request().method() === 'POST', { timeout: 15000 });
    await pick(page, 'big.png', Buffer.concat([PNG, Buffer.alloc(3 * 1000 * 1000)]), 'image/png');
    assert.equal((await refused).status(), 413);
    await consoleStatus(page, /Too large: max 200 KB/, '"too large" in the console');
    await pick(page, 'notes.txt', Buffer.from('hello'), 'text/plain');
    await consoleStatus(page, /Only PDF, PNG and JPEG/, '"only PDF, PNG and JPEG" in the console');
    assert.equal((await docStatus(ctl)).doc.shown, false, 'no bad file reached the booth');

    // a file the booth cannot draw: the adviser is told, the call goes on
    await pick(page, 'broken.png', BROKEN_PNG, 'image/png');
    await consoleStatus(page, /The booth could not show the document/, 'the booth\'s failure in the console');
    const afterFailure = await ctl.status();
    assert.equal(afterFailure.state, 'in_call');
    assert.equal(afterFailure.document.shown, false);
    await screen(ctl, 'in_call');

    // the call ends: the document goes with it, from the screen and memory
    const canary = `doc${crypto.randomBytes(6).toString('hex')}canary`;
    const marked = makePdf([RED, GREEN, BLUE].map((c) => c.map((v) => v / 255)), { comment: canary });
    await pick(page, 'three-pages.pdf', marked, 'application/pdf');
    await bothOnPage(stack, 1, 3, 'pdf-before-end');
    // the scan finds it while it is shown (so that its silence below means something)
    assert.ok(scanMemory(stack.booth.proc.child.pid, [canary]).length > 0, 'the canary is in memory while shown');
    await page.locator('[data-testid="end-btn"]').click();
    await until(async () => (await ctl.status()).state !== 'in_call', { timeout: 10000, what: 'the booth out of the call' });
    const after = await docStatus(ctl);
    assert.equal(after.doc.shown, false);
    assert.equal(after.doc.id, undefined);
    assert.equal(after.visitor.document_drawn, false);
    assert.equal(await page.locator('[data-testid="doc"]').isVisible(), false);
    await screen(ctl, 'satisfaction');
    await ctl.tap('score', 4);
    await ctl.tap('done');
    await screen(ctl, 'attract', { timeout: 15000 });
    const hits = scanMemory(stack.booth.proc.child.pid, [canary]);
    assert.deepEqual(hits, [], `the document's bytes still in the booth's memory: ${JSON.stringify(hits)}`);
  });
});

test('document: protocol.js builds and checks the doc messages', async () => {
  const P = await import(pathToFileURL(path.join(ASSETS, 'protocol.js')).href);
  assert.deepEqual(JSON.parse(P.docPage('c1', 'doc-1', 2)), { type: 'doc_page', call: 'c1', doc: 'doc-1', page: 2 });
  assert.deepEqual(JSON.parse(P.docStop('c1', 'doc-1')), { type: 'doc_stop', call: 'c1', doc: 'doc-1' });
  assert.throws(() => P.docPage('c1', 'doc-1', 0), { code: 'field' });
  assert.throws(() => P.docPage('c 1', 'doc-1', 1), { code: 'field' });
  const show = { type: 'doc_show', call: 'c1', doc: 'doc-1', kind: 'pdf', size: 10, pages: 3, page: 1 };
  assert.equal(P.parse(JSON.stringify(show)).pages, 3);
  assert.throws(() => P.parse(JSON.stringify({ ...show, kind: 'gif' })), { code: 'field' });
  assert.throws(() => P.parse(JSON.stringify({ ...show, pages: 0 })), { code: 'field' });
  assert.equal(P.parse(JSON.stringify({ type: 'doc_stop', call: 'c1', doc: 'doc-1', by: 'booth' })).by, 'booth');
  assert.throws(() => P.parse(JSON.stringify({ type: 'doc_stop', call: 'c1', doc: 'doc-1', by: 'x' })), { code: 'field' });
  assert.throws(() => P.parse(JSON.stringify({ type: 'doc_error', call: 'c1', doc: 'doc-1', message: '' })), { code: 'field' });
});

describe('document: the switchboard\'s HTTP rules', { skip, timeout: 120000 }, () => {
  const dir = tmpDir('document-http');
  let sb;
  const sockets = [];
  const suite = suiteSteps(dir, () => ({ sb }));
  const step = suite.step;
  let cookie;
  let adviser;
  let booth;
  let callId;
  const STAFF = { login: 'doc-staff', password: 'doc-staff-password', role: 'staff', name: 'Staff', site: 'Site D' };
  const OTHER = { login: 'doc-other', password: 'doc-other-password', role: 'adviser', name: 'Other' };

  before(async () => {
    sb = await startSwitchboard({ dir, extraArgs: ['--doc-max-bytes', String(CAP)] });
    await sb.addUser(STAFF);
    await sb.addUser(OTHER);
    const r = await sb.login();
    cookie = r.cookie;
    adviser = await WsClient.connect(sb.wsUrl('adviser'), { cookie });
    sockets.push(adviser);
    await adviser.request({ type: 'hello', version: 1, role: 'adviser', name: 'x' }, 'welcome');
    booth = await scriptedBooth(sb, BOOTH_ID, 'Site D', sockets);
  });
  after(() => suite.end(sockets));

  step('refused before a call: no session 401, staff 403, cross-origin 403, no call 409', async () => {
    assert.equal((await upload(sb, {})).status, 401);
    const staff = (await sb.login(STAFF.login, STAFF.password)).cookie;
    assert.equal((await upload(sb, { cookie: staff })).status, 403);
    assert.equal((await upload(sb, { cookie, origin: 'http://evil.example' })).status, 403);
    const r = await upload(sb, { cookie });
    assert.equal(r.status, 409);
    assert.match(r.json.error, /not in a call/);
    // the caps, for the console's own checks
    const caps = await httpRequest(`${sb.base}/api/call/document`, { headers: { Cookie: cookie } });
    assert.equal(caps.status, 200);
    assert.equal(caps.json.max_bytes, CAP);
    assert.deepEqual(caps.json.types, ['application/pdf', 'image/png', 'image/jpeg']);
  });

  step('in a call: bad uploads refused with a clear error, the big one before its body', async () => {
    const q = await booth.request({ type: 'request', language: 'fr', topic: 'other' }, 'queued');
    const call = await adviser.request({ type: 'accept', ticket: q.ticket }, 'call');
    callId = call.call;
    await booth.next((m) => m.type === 'call');
    // another adviser, not in this call, may not show anything in it
    const other = (await sb.login(OTHER.login, OTHER.password)).cookie;
    assert.equal((await upload(sb, { cookie: other })).status, 409);

    // Content-Length over the cap: 413 on the headers alone (no body sent)
    const head = (len, type = 'application/pdf', extra = []) =>
      [
        'POST /api/call/document HTTP/1.1',
        `Host: 127.0.0.1:${sb.port}`,
        `Origin: ${sb.base}`,
        `Cookie: ${cookie}`,
        `Content-Type: ${type}`,
        ...(len === null ? ['Transfer-Encoding: chunked'] : [`Content-Length: ${len}`]),
        ...extra,
      ].join('\r\n');
    const big = await rawHttp(sb.port, head(CAP + 1));
    assert.equal(big.status, 413, big.text);
    assert.match(JSON.parse(big.text).error, /Too large: max 200 KB/);
    const huge = await rawHttp(sb.port, head(50 * 1024 * 1024 * 1024));
    assert.equal(huge.status, 413);
    // no length (chunked): 411, the body is not read
    assert.equal((await rawHttp(sb.port, head(null))).status, 411);
    // an empty body
    const empty = await rawHttp(sb.port, head(0));
    assert.equal(empty.status, 400);
    assert.match(JSON.parse(empty.text).error, /empty/);

    // the wrong type, and types that lie
    assert.equal((await upload(sb, { cookie, type: 'text/plain', body: 'hello' })).status, 415);
    assert.equal((await upload(sb, { cookie, type: 'multipart/form-data; boundary=x', body: PDF3 })).status, 415);
    const text = await upload(sb, { cookie, body: NOT_PDF });
    assert.equal(text.status, 400);
    assert.equal(text.json.error, 'This file is not a PDF.');
    const cut = await upload(sb, { cookie, body: CUT_PDF });
    assert.equal(cut.status, 400);
    assert.match(cut.json.error, /incomplete/);
    const pngAsPdf = await upload(sb, { cookie, body: PNG });
    assert.equal(pngAsPdf.status, 400);
    const pdfAsPng = await upload(sb, { cookie, type: 'image/png', body: PDF3 });
    assert.equal(pdfAsPng.status, 400);
    assert.match(pdfAsPng.json.error, /not a PNG/);
    // uploads held open (headers sent, no body) tie up buffers: past four
    // times the cap in flight, more is refused (503) rather than allocated
    const zeros = Buffer.alloc(CAP);
    const uploading = async () => Number((await sb.metrics()).body.match(/^relais_document_uploads_bytes (\d+)$/m)?.[1]);
    await until(async () => (await uploading()) === 0, { timeout: 10000, what: 'no upload buffer left from the uploads above' });
    const holders = [];
    for (let i = 0; i < 4; i++) {
      const sock = net.connect(sb.port, '127.0.0.1', () => sock.write(`${head(CAP, 'image/png')}\r\n\r\n`));
      sock.on('error', () => {});
      holders.push(sock);
    }
    await until(async () => (await uploading()) === 4 * CAP, { timeout: 10000, what: 'four upload buffers held' });
    const busy = await rawHttp(sb.port, head(CAP, 'image/png'), zeros);
    assert.equal(busy.status, 503, 'a fifth upload refused as busy');
    assert.match(busy.head, /\r\nRetry-After: 5/i);
    for (const sock of holders) sock.destroy();
    // their buffers go with their connections
    await until(async () => (await rawHttp(sb.port, head(CAP, 'image/png'), zeros)).status === 400, {
      timeout: 10000,
      what: 'uploads accepted again once the others are gone',
    });

    // the switchboard still serves after all that
    assert.equal((await sb.healthz()).status, 200);
    assert.equal(booth.messages.filter((m) => m.type === 'doc_show').length, 0, 'no refused file was announced');
  });

  step('a good upload: doc_show to both ends, the token to the booth only, one download', async () => {
    const r = await upload(sb, { cookie });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.kind, 'pdf');
    assert.equal(r.json.pages, 3);
    assert.equal(r.json.size, PDF3.length);
    const show = await booth.next((m) => m.type === 'doc_show');
    const ashow = await adviser.next((m) => m.type === 'doc_show');
    assert.equal(show.call, callId);
    assert.equal(show.doc, r.json.doc);
    assert.equal(ashow.doc, r.json.doc);
    assert.ok(show.token && show.token.length >= 40, 'a long token');
    assert.equal(ashow.token, undefined, 'the adviser never sees the token');

    assert.match((await sb.metrics()).body, new RegExp(`^relais_documents_bytes ${PDF3.length}$`, 'm'), 'held in memory, counted');
    assert.equal((await fetchDoc(sb, 'x'.repeat(43))).status, 404, 'wrong token');
    assert.equal((await fetchDoc(sb, show.token, { booth: 'another-booth' })).status, 404, 'another enrolled booth');
    assert.equal((await fetchDoc(sb, show.token, { booth: null })).status, 403, 'no booth certificate');
    assert.equal((await fetchDoc(sb, show.token, { port: sb.port })).status, 404, 'not on the advisers\' port');
    assert.equal((await fetchDoc(sb, show.token, { origin: sb.base })).status, 403, 'a browser');
    const got = await fetchDoc(sb, show.token);
    assert.equal(got.status, 200);
    assert.equal(got.type, 'application/pdf');
    assert.ok(got.bytes.equals(PDF3), 'the bytes uploaded');
    assert.equal((await fetchDoc(sb, show.token)).status, 404, 'one download only');

    // pages, from the booth: both ends told
    const from = adviser.messages.length;
    booth.send({ type: 'doc_page', call: callId, doc: show.doc, page: 3 });
    const p = await adviser.next((m) => m.type === 'doc_page', { from });
    assert.equal(p.page, 3);
    const e = await booth.request({ type: 'doc_page', call: callId, doc: show.doc, page: 4 }, 'error');
    assert.equal(e.code, 'field');

    // clients that leave before their answer (the check runs off the main
    // loop meanwhile): the switchboard carries on
    for (let i = 0; i < 5; i++) {
      const head = [
        'POST /api/call/document HTTP/1.1',
        `Host: 127.0.0.1:${sb.port}`,
        `Origin: ${sb.base}`,
        `Cookie: ${cookie}`,
        'Content-Type: application/pdf',
        `Content-Length: ${PDF3.length}`,
      ].join('\r\n');
      const sock = net.connect(sb.port, '127.0.0.1', () => {
        sock.write(`${head}\r\n\r\n`);
        sock.end(PDF3, () => sock.destroy());
      });
      sock.on('error', () => {});
    }
    await until(async () => (await sb.healthz()).status === 200, { timeout: 5000, what: 'the switchboard still answering' });
    assert.ok(sb.proc.running, 'the switchboard is running');
  });

  step('after the call: the token and the document are gone (404), no call (409)', async () => {
    const r = await upload(sb, { cookie, type: 'image/png', body: PNG });
    assert.equal(r.status, 200, r.body);
    const from = booth.messages.length;
    const show = await booth.next((m) => m.type === 'doc_show' && m.doc === r.json.doc, { from: 0 });
    assert.ok(from >= 0);
    adviser.send({ type: 'end', call: callId });
    await booth.next((m) => m.type === 'end');
    assert.equal((await fetchDoc(sb, show.token)).status, 404);
    assert.equal((await upload(sb, { cookie })).status, 409);
    assert.match((await sb.metrics()).body, /^relais_documents_bytes 0$/m, 'nothing held after the call');
  });
});

describe('document: over TLS', { skip, timeout: 120000 }, () => {
  const dir = tmpDir('document-tls');
  let sb;
  const sockets = [];
  const suite = suiteSteps(dir, () => ({ sb }));

  after(() => suite.end(sockets));

  suite.step('a booth on wss:// with --ca-file fetches the document over HTTPS and shows it', async () => {
    const cert = await makeCert(path.join(dir, 'cert'));
    assert.equal(cert.code, 0, cert.stderr);
    sb = await startSwitchboard({ dir, tls: { cert: cert.cert, key: cert.key } });
    assert.equal(sb.scheme, 'https');
    const booth = await startBooth({ dir, switchboard: sb, boothId: BOOTH_ID, site: 'Site TLS' });
    await until(async () => (await booth.ctl.status()).link === 'up', { timeout: 15000, what: 'the booth up over wss://' });
    const { cookie } = await sb.login();
    const adviser = await WsClient.connect(sb.wsUrl('adviser'), { cookie, ca: sb.ca });
    sockets.push(adviser);
    await adviser.request({ type: 'hello', version: 1, role: 'adviser', name: 'x' }, 'welcome');
    await booth.ctl.request({ topic: 'other', language: 'fr', answers: {} });
    const queue = await adviser.next((m) => m.type === 'queue' && m.queue.length > 0, { timeout: 15000 });
    const call = await adviser.request({ type: 'accept', ticket: queue.queue[0].ticket }, 'call');

    const r = await upload(sb, { cookie });
    assert.equal(r.status, 200, r.body);
    let doc;
    await until(async () => (doc = (await booth.ctl.status()).document).state === 'shown', { timeout: 15000, what: 'the booth showing the document' });
    assert.equal(doc.kind, 'pdf');
    assert.equal(doc.pages, 3);
    assert.equal(doc.page, 1);
    assert.equal(doc.id, r.json.doc);
    // the adviser turns the page: the booth follows
    adviser.send({ type: 'doc_page', call: call.call, doc: r.json.doc, page: 3 });
    await until(async () => (await booth.ctl.status()).document.page === 3, { timeout: 10000, what: 'the booth on page 3' });
    // and stops showing it
    adviser.send({ type: 'doc_stop', call: call.call, doc: r.json.doc });
    await until(async () => (await booth.ctl.status()).document.shown === false, { timeout: 10000, what: 'the booth without it' });
    adviser.send({ type: 'end', call: call.call });
    await until(async () => (await booth.ctl.status()).state !== 'connecting' && (await booth.ctl.status()).state !== 'in_call', {
      timeout: 10000,
      what: 'the booth out of the call',
    });
  });
});
