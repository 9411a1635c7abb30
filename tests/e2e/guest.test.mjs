// SPDX-License-Identifier: GPL-2.0-or-later
// A guest in the call, on the switchboard (PROTOCOL.md "A guest in the
// call"): a scripted booth and a signed-in adviser console in a call, the
// adviser invites, a guest connects to /ws/guest with the link's token, the
// visitor lets it in, sdp and chat reach it; forged, reused and cross-origin
// attempts are refused with their codes; removing the guest leaves the call
// going. The booth's consent screen and the guest page come later.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { missingBinaries, tmpDir } from './lib/env.mjs';
import { startSwitchboard } from './lib/relais.mjs';
import { scriptedAdviser, scriptedBooth, suiteSteps } from './lib/scripted.mjs';
import { WsClient } from './lib/ws.mjs';

const missing = missingBinaries('relais-switchboard');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

describe('a guest in the call (switchboard)', { skip, timeout: 60000 }, () => {
  const dir = tmpDir('guest');
  let sb;
  const sockets = [];
  const suite = suiteSteps(dir, () => ({ sb }));
  const step = suite.step;
  let booth, adviser, guest, call, token, invite;

  const connectGuest = async (opts = {}) => {
    const c = await WsClient.connect(sb.wsUrl('guest'), opts);
    sockets.push(c);
    return c;
  };
  const hello = (t, name = 'Claire') => ({ type: 'hello', version: 1, role: 'guest', token: t, name });

  before(async () => {
    sb = await startSwitchboard({ dir, extraArgs: ['--public-url', 'https://relais.example.org'] });
    booth = await scriptedBooth(sb, 'guest-1', 'E2E Library', sockets);
    ({ ws: adviser } = await scriptedAdviser(sb, { sockets }));
  });

  after(async () => {
    await suite.end(sockets);
  });

  step('a call, and the adviser invites an interpreter', async () => {
    const queued = await booth.request({ type: 'request', language: 'en', topic: 'training' }, 'queued');
    const callMsg = await adviser.request({ type: 'accept', ticket: queued.ticket }, 'call');
    call = callMsg.call;
    await booth.next((m) => m.type === 'call');
    const invited = await adviser.request({ type: 'invite', call, role: 'interpreter' }, 'invited');
    assert.equal(invited.call, call);
    assert.match(invited.url, /^https:\/\/relais\.example\.org\/guest#[A-Za-z0-9_-]{22}$/);
    assert.ok(!Number.isNaN(Date.parse(invited.expires_at)));
    token = invited.url.split('#')[1];
    invite = invited.invite;
    // a second one while this one is out: full
    const err = await adviser.request({ type: 'invite', call, role: 'relative' }, 'error');
    assert.equal(err.code, 'full');
  });

  step('a guest from another origin is refused before any hello', async () => {
    await assert.rejects(connectGuest({ origin: 'https://evil.example' }), (e) => e.status === 403);
  });

  step('a forged link: invite_unknown, closed 4020', async () => {
    const g = await connectGuest();
    const err = await g.request(hello('A'.repeat(22)), 'error');
    assert.equal(err.code, 'invite_unknown');
    assert.equal((await g.waitClosed()).code, 4020);
  });

  step('the guest comes in with the link and the visitor is asked', async () => {
    guest = await connectGuest();
    await guest.request(hello(token), 'welcome');
    const asking = await guest.next((m) => m.type === 'guest_state');
    assert.equal(asking.state, 'asking');
    const ask = await booth.next((m) => m.type === 'guest_ask');
    assert.deepEqual({ name: ask.name, role: ask.role, guest: ask.guest }, { name: 'Claire', role: 'interpreter', guest: invite });
    assert.equal((await adviser.next((m) => m.type === 'guest_state' && m.state === 'asking')).name, 'Claire');
  });

  step('the same link again: invite_used, closed 4022; the first guest stays', async () => {
    const g = await connectGuest();
    const err = await g.request(hello(token, 'Eve'), 'error');
    assert.equal(err.code, 'invite_used');
    assert.equal((await g.waitClosed()).code, 4022);
    assert.equal(guest.ended, false);
  });

  step('before the yes the guest reaches nobody', async () => {
    const err = await guest.request({ type: 'chat', call, text: 'hello?' }, 'error');
    assert.equal(err.code, 'state');
  });

  step('the visitor lets the guest in: sdp and chat reach it', async () => {
    const from = guest.messages.length;
    booth.send({ type: 'guest_answer', call, guest: invite, accept: true });
    const joining = await guest.next((m) => m.type === 'guest_state' && m.state === 'joining', { from });
    assert.equal(joining.role, 'interpreter');
    await adviser.next((m) => m.type === 'guest_state' && m.state === 'joining');
    booth.send({ type: 'sdp', call, sdp_type: 'offer', sdp: 'v=0 booth', peer: 'guest' });
    const offer = await guest.next((m) => m.type === 'sdp');
    assert.deepEqual({ sdp: offer.sdp, peer: offer.peer }, { sdp: 'v=0 booth', peer: 'booth' });
    guest.send({ type: 'sdp', call, sdp_type: 'answer', sdp: 'v=0 guest', peer: 'booth' });
    const answer = await booth.next((m) => m.type === 'sdp' && m.peer === 'guest');
    assert.equal(answer.sdp, 'v=0 guest');
    await adviser.next((m) => m.type === 'guest_state' && m.state === 'joined');
    guest.send({ type: 'chat', call, text: 'Bonjour' });
    const bc = await booth.next((m) => m.type === 'chat');
    const ac = await adviser.next((m) => m.type === 'chat');
    assert.equal(bc.from, 'Claire (interpreter)');
    assert.equal(ac.from, 'Claire (interpreter)');
  });

  step('the adviser removes the guest: closed 4025, the call goes on', async () => {
    adviser.send({ type: 'guest_remove', call, guest: invite });
    assert.equal((await guest.waitClosed()).code, 4025);
    await booth.next((m) => m.type === 'guest_state' && m.state === 'removed');
    const from = booth.messages.length;
    adviser.send({ type: 'chat', call, text: 'still here' });
    const c = await booth.next((m) => m.type === 'chat', { from });
    assert.equal(c.text, 'still here');
    assert.equal(booth.messages.some((m) => m.type === 'end'), false);
  });

  step('after the call, its link reads call_ended (4023)', async () => {
    const invited = await adviser.request({ type: 'invite', call, role: 'relative' }, 'invited');
    adviser.send({ type: 'end', call });
    await booth.next((m) => m.type === 'end');
    const g = await connectGuest();
    const err = await g.request(hello(invited.url.split('#')[1]), 'error');
    assert.equal(err.code, 'call_ended');
    assert.equal((await g.waitClosed()).code, 4023);
  });
});
