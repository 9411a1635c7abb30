// SPDX-License-Identifier: GPL-2.0-or-later
// Bad input of every kind thrown at the switchboard while a real call
// (relais-booth ↔ Chromium adviser console) is in progress. Every bad message
// must get the error code PROTOCOL.md names (or the close code, for frames),
// and the call must not notice anything.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { missingBinaries } from './lib/env.mjs';
import { Stack, requestAndAccept, waitMedia, until, boothMedia, sleep } from './lib/scenario.mjs';

const missing = missingBinaries('relais-switchboard', 'relais-booth', 'relais-boothctl');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

// Caps from firmware/lib/Kconfig (defaults) and firmware/switchboard/Kconfig.
const MAX_MESSAGE = 65536;
const MAX_SDP = 32768;
const MAX_TEXT = 2000;
const MAX_ID = 64;
const MAX_ERRORS = 20;

describe('bad input during a call', { skip, timeout: 120000 }, () => {
  const stack = new Stack('badinput');
  const clients = [];
  let callId;
  let before0; // page counters when the call was established

  // role 'booth': an enrolled booth `boothId` (its certificate; a hello
  // naming another booth is refused, see the next suite)
  async function open(role = 'adviser', boothId = 'intruder-1') {
    const c = role === 'adviser' ? await stack.sb.adviserWs() : await stack.sb.boothWs(boothId, { site: 'Nowhere' });
    clients.push(c);
    return c;
  }

  async function greeted(role = 'adviser', extra = {}) {
    const c = await open(role);
    const hello = role === 'adviser'
      ? { type: 'hello', version: 1, role, name: 'Mallory' }
      : { type: 'hello', version: 1, role, booth_id: 'intruder-1', site: 'Nowhere', board: 'sim' };
    const w = await c.request({ ...hello, ...extra }, 'welcome');
    assert.equal(w.version, 1);
    return c;
  }

  // Sends one bad message and expects error{code}; returns the error.
  async function expectError(c, payload, code, what) {
    const from = c.messages.length;
    if (typeof payload === 'string') c.sendText(payload);
    else c.send(payload);
    const e = await c.next((m) => m.type === 'error', { from, what: `error{code:"${code}"} for ${what}` });
    assert.equal(e.code, code, `${what}: ${JSON.stringify(e)}`);
    assert.equal(typeof e.message, 'string', `${what}: error has a message`);
    return e;
  }

  before(async () => {
    await stack.run(async () => {
      await stack.start();
      ({ callId } = await requestAndAccept(stack));
      await waitMedia(stack, { minFrames: 30 });
      before0 = await stack.page.evaluate(() => ({ ...window.relais.counters.received }));
    });
  });

  after(async () => {
    for (const c of clients) c.destroy();
    await stack.stop();
  });

  const step = (name, fn) => it(name, () => stack.run(fn));

  step('messages before hello: error "state"', async () => {
    const c = await open();
    const e1 = await expectError(c, { type: 'accept', ticket: 't-1' }, 'state', 'accept before hello');
    assert.equal(e1.ref, 'accept');
    await expectError(c, { type: 'ping' }, 'state', 'ping before hello');
    await expectError(c, { type: 'sdp', call: callId, sdp_type: 'answer', sdp: 'v=0\r\n' }, 'state', 'sdp before hello');
    await expectError(c, { type: 'end', call: callId }, 'state', 'end before hello');
    // Still usable: a proper hello is welcomed.
    await c.request({ type: 'hello', version: 1, role: 'adviser', name: 'Late' }, 'welcome');
  });

  step('hello with the wrong version: error "version", then close', async () => {
    const c = await open();
    await expectError(c, { type: 'hello', version: 2, role: 'adviser', name: 'Future' }, 'version', 'hello version 2');
    const closed = await c.waitClosed();
    assert.ok(closed.code >= 1000, `closed with ${closed.code}`);
  });

  step('hello with a role that does not match the endpoint: error "field"', async () => {
    const c = await open('adviser');
    await expectError(c, { type: 'hello', version: 1, role: 'booth', booth_id: 'x-1' }, 'field', 'booth hello on /ws/adviser');
  });

  step('syntax: not JSON, not an object, no type, unknown type', async () => {
    const c = await greeted();
    await expectError(c, 'this is not JSON {', 'json', 'garbage');
    await expectError(c, '{"type":"ping"', 'json', 'truncated JSON');
    await expectError(c, '[1,2,3]', 'json', 'JSON array');
    await expectError(c, '42', 'json', 'JSON number');
    await expectError(c, '"hello"', 'json', 'JSON string');
    await expectError(c, '{}', 'type', 'object without type');
    await expectError(c, { type: 7 }, 'type', 'numeric type');
    await expectError(c, { type: 'frobnicate' }, 'unknown', 'unknown type');
    await expectError(c, '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]', 'json', 'deep nesting');
    await expectError(c, '{"type":"ping","x":"a\u0000b"}', 'json', 'embedded NUL byte');
    // After all that, the connection still works.
    await c.request({ type: 'ping' }, 'pong');
  });

  step('fields: oversized, missing, wrong type, wrong direction', async () => {
    const c = await greeted();
    const e = await expectError(c, { type: 'chat', call: callId, text: 'x'.repeat(MAX_TEXT + 1) }, 'size', `chat text of ${MAX_TEXT + 1} bytes`);
    assert.match(e.message, /text/);
    // The cap is in bytes, not characters: 1001 × "é" is 2002 bytes.
    await expectError(c, { type: 'chat', call: callId, text: 'é'.repeat(MAX_TEXT / 2 + 1) }, 'size', 'chat text of 2002 UTF-8 bytes');
    const s = await expectError(c, { type: 'sdp', call: callId, sdp_type: 'answer', sdp: `v=0\r\n${'a=x\r\n'.repeat(MAX_SDP / 5)}` }, 'size', 'sdp over 32768 bytes');
    assert.match(s.message, /sdp/);
    await expectError(c, { type: 'accept', ticket: 'T'.repeat(MAX_ID + 1) }, 'size', 'ticket id of 65 bytes');
    await expectError(c, { type: 'accept', ticket: 'bad ticket!' }, 'field', 'ticket with forbidden characters');
    await expectError(c, { type: 'accept' }, 'field', 'accept without ticket');
    await expectError(c, { type: 'ice', call: callId, candidate: '', mline: 16 }, 'field', 'mline out of range');
    await expectError(c, { type: 'ice', call: callId, candidate: 5, mline: 0 }, 'field', 'candidate not a string');
    await expectError(c, { type: 'request', language: 'fr', topic: 'job-search' }, 'direction', 'adviser sending request');
    await expectError(c, { type: 'welcome', version: 1, session: 'x' }, 'direction', 'adviser sending welcome');
    await c.request({ type: 'ping' }, 'pong');
  });

  step('hijack attempts: sdp/ice/chat/end naming the live call from a third connection: error "state", nothing relayed', async () => {
    const page0 = await stack.page.evaluate(() => ({ ...window.relais.counters.received }));
    const boothChat0 = (await stack.booth.ctl.status()).chat?.length ?? 0;

    const adv = await greeted('adviser');
    await expectError(adv, { type: 'sdp', call: callId, sdp_type: 'offer', sdp: 'v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n' }, 'state', 'adviser sdp into the call');
    await expectError(adv, { type: 'ice', call: callId, candidate: 'candidate:1 1 udp 1 203.0.113.9 9 typ host', mline: 0 }, 'state', 'adviser ice into the call');
    await expectError(adv, { type: 'chat', call: callId, text: 'I am your adviser now' }, 'state', 'adviser chat into the call');
    await expectError(adv, { type: 'end', call: callId, reason: 'hijack' }, 'state', 'adviser end of the call');

    const booth = await greeted('booth');
    await expectError(booth, { type: 'sdp', call: callId, sdp_type: 'answer', sdp: 'v=0\r\n' }, 'state', 'booth sdp into the call');
    await expectError(booth, { type: 'ice', call: callId, candidate: '', mline: 0 }, 'state', 'booth ice into the call');
    await expectError(booth, { type: 'chat', call: callId, text: 'psst' }, 'state', 'booth chat into the call');
    await expectError(booth, { type: 'end', call: callId }, 'state', 'booth end of the call');

    await sleep(300);
    const page1 = await stack.page.evaluate(() => ({ ...window.relais.counters.received }));
    for (const type of ['sdp', 'ice', 'chat', 'end']) assert.equal(page1[type] ?? 0, page0[type] ?? 0, `no ${type} reached the page`);
    const st = await stack.booth.ctl.status();
    assert.equal(st.state, 'in_call');
    assert.equal(st.chat?.length ?? 0, boothChat0, 'no chat reached the booth');
  });

  step('accept of a ticket that does not exist: error "gone"', async () => {
    const c = await greeted();
    const e = await expectError(c, { type: 'accept', ticket: 't-nonexistent' }, 'gone', 'accept of an unknown ticket');
    assert.equal(e.ref, 'accept');
    await expectError(c, { type: 'hello', version: 1, role: 'adviser', name: 'Again' }, 'state', 'second hello');
  });

  step(`a frame of exactly ${MAX_MESSAGE} bytes is parsed (error "json"), one byte more closes with 1009`, async () => {
    const c = await greeted();
    await expectError(c, 'x'.repeat(MAX_MESSAGE), 'json', `${MAX_MESSAGE}-byte frame`);
    c.sendText(JSON.stringify({ type: 'chat', call: callId, text: 'y'.repeat(MAX_MESSAGE) }));
    const { code } = await c.waitClosed();
    assert.equal(code, 1009);
  });

  step('an oversized frame before hello closes with 1009', async () => {
    const c = await open();
    c.sendText('z'.repeat(MAX_MESSAGE + 1));
    assert.equal((await c.waitClosed()).code, 1009);
  });

  step('a binary frame closes with 1003', async () => {
    const c = await greeted();
    c.sendBinary(Buffer.from(JSON.stringify({ type: 'ping' })));
    assert.equal((await c.waitClosed()).code, 1003);
  });

  step(`${MAX_ERRORS} protocol errors on one connection close it with 1008`, async () => {
    const c = await greeted();
    for (let i = 0; i < MAX_ERRORS - 1; i++) await expectError(c, `garbage ${i}`, 'json', `garbage #${i + 1}`);
    await c.request({ type: 'ping' }, 'pong'); // 19 errors: still open
    c.sendText('one too many');
    const { code } = await c.waitClosed();
    assert.equal(code, 1008);
  });

  step('a booth connection is held to the same rules', async () => {
    const c = await open('booth', 'intruder-2');
    await expectError(c, { type: 'request', language: 'fr', topic: 'x' }, 'state', 'request before hello');
    await expectError(c, { type: 'hello', version: 1, role: 'booth' }, 'field', 'booth hello without booth_id');
    await c.request({ type: 'hello', version: 1, role: 'booth', booth_id: 'intruder-2' }, 'welcome');
    await expectError(c, { type: 'request', language: 'FR!', topic: 'x' }, 'field', 'bad language tag');
    await expectError(c, { type: 'request', language: 'fr', topic: 'x', answers: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`q${i}`, 'a'])) }, 'size', '17 answers');
    await expectError(c, { type: 'accept', ticket: 't-1' }, 'direction', 'booth sending accept');
    await expectError(c, { type: 'status', state: 'broken' }, 'field', 'unknown booth status');
    await expectError(c, { type: 'cancel', ticket: 't-not-mine' }, 'gone', 'cancel of a ticket that is not this booth\'s');
  });

  step('the call in progress is unaffected', async () => {
    const s0 = boothMedia(await stack.booth.ctl.status());
    const p0 = await stack.pageStats();
    await sleep(1500);
    const st = await stack.booth.ctl.status();
    const s1 = boothMedia(st);
    const p1 = await stack.pageStats();
    assert.equal(st.state, 'in_call');
    assert.ok(s1.videoReceived > s0.videoReceived, `booth keeps receiving video (${s0.videoReceived} → ${s1.videoReceived})`);
    assert.ok(s1.audioReceived > s0.audioReceived, 'booth keeps receiving audio');
    assert.ok(p1.inboundVideo.framesDecoded > p0.inboundVideo.framesDecoded, 'page keeps decoding video');
    assert.equal(p1.connectionState, 'connected');
    assert.equal(await stack.pageState(), 'in-call');
    assert.equal(await stack.page.evaluate(() => window.relais.callId), callId);
    assert.equal(await stack.page.evaluate(() => window.relais.link), 'online');
    const after1 = await stack.page.evaluate(() => ({ ...window.relais.counters.received }));
    assert.equal(after1.end ?? 0, before0.end ?? 0, 'the page received no end');
    assert.equal(await stack.page.evaluate(() => window.relais.counters.invalid), 0);
    const h = await stack.sb.healthz();
    assert.equal(h.status, 200);
    assert.match(h.body, /ok/);
    assert.ok(stack.sb.proc.running, 'switchboard still running');
    assert.ok(stack.booth.proc.running, 'booth still running');
  });
});
