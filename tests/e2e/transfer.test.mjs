// SPDX-License-Identifier: GPL-2.0-or-later
// Warm transfer on the switchboard (PROTOCOL.md "Warm transfer"), over real
// WebSockets: a scripted booth in a call with signed-in adviser A, who
// offers it to colleague B: accepted (B joins as a guest of role colleague
// through the visitor's yes, over its own adviser link, then A hands over),
// declined, not answered in time, B signing out, a loop back to A, a chain
// past five, a transfer while a guest is asked, and to a topic's queue at
// the front. The visitor's call never ends by anyone else's mistake.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { missingBinaries, tmpDir } from './lib/env.mjs';
import { startSwitchboard, ADVISER, httpRequest } from './lib/relais.mjs';
import { until } from './lib/util.mjs';
import { scriptedAdviser, scriptedBooth, suiteSteps } from './lib/scripted.mjs';

const missing = missingBinaries('relais-switchboard');
const skip = missing.length ? `not built: ${missing.join(', ')} (run make)` : false;

const ANSWER_S = 5; // --transfer-answer-seconds: the offer's time, short for the test
const QUEUE_S = 5; // --transfer-queue-seconds

const MARIE = { login: 'e2e-marie', password: 'e2e-marie-password', name: 'Marie', topics: 'training,job-search' };
const HUGO = { login: 'e2e-hugo', password: 'e2e-hugo-password', name: 'Hugo', topics: 'housing' };
const ADMIN = { login: 'e2e-admin', password: 'e2e-admin-password', role: 'admin', name: 'E2E Admin' };
const CHAIN = [1, 2, 3, 4, 5].map((i) => ({ login: `e2e-chain-${i}`, password: `e2e-chain-${i}-password`, name: `Chain ${i}` }));

describe('warm transfer (switchboard)', { skip, timeout: 120000 }, () => {
  const dir = tmpDir('transfer');
  let sb;
  const sockets = [];
  const suite = suiteSteps(dir, () => ({ sb }));
  const step = suite.step;
  let booth, a, b, hugo, call, lastOwner;

  const signIn = async (user) => (await scriptedAdviser(sb, { login: user.login, password: user.password, name: user.name, sockets })).ws;
  const state = (ws, s, from = 0) => ws.next((m) => m.type === 'transfer_state' && m.state === s, { from, what: `transfer_state ${s}` });
  const error = async (ws, msg, code) => {
    const err = await ws.request(msg, 'error');
    assert.equal(err.code, code, err.message);
    return err;
  };
  // B accepts, the visitor says yes, B answers the booth's offer: joined.
  // boothAt: the booth's messages before the accept (the ask follows it).
  const join = async (from, to, boothAt) => {
    const fromAt = from.messages.length;
    const ask = await booth.next((m) => m.type === 'guest_ask' && m.role === 'colleague', { from: boothAt });
    booth.send({ type: 'guest_answer', call, guest: ask.guest, accept: true });
    await state(from, 'joining', fromAt);
    await to.next((m) => m.type === 'guest_state' && m.state === 'joining');
    booth.send({ type: 'sdp', call, sdp_type: 'offer', sdp: 'v=0 booth', peer: 'guest' });
    const offer = await to.next((m) => m.type === 'sdp' && m.peer === 'booth', { from: to.messages.length - 1 });
    assert.equal(offer.sdp, 'v=0 booth');
    to.send({ type: 'sdp', call, sdp_type: 'answer', sdp: 'v=0 colleague', peer: 'booth' });
    await booth.next((m) => m.type === 'sdp' && m.peer === 'guest' && m.sdp === 'v=0 colleague');
    await state(from, 'joined', fromAt);
    return ask;
  };
  const handOver = async (from, to, login) => {
    const fromAt = from.messages.length;
    const toAt = to.messages.length;
    const boothAt = booth.messages.length;
    from.send({ type: 'transfer', call, to: { adviser: login }, note: 'over to you' });
    await state(from, 'offered', fromAt);
    await to.next((m) => m.type === 'transfer_offer', { from: toAt });
    to.send({ type: 'transfer_accept', call });
    await state(from, 'accepted', fromAt);
    const ask = await booth.next((m) => m.type === 'guest_ask' && m.role === 'colleague', { from: boothAt });
    booth.send({ type: 'guest_answer', call, guest: ask.guest, accept: true });
    await state(from, 'joining', fromAt);
    booth.send({ type: 'sdp', call, sdp_type: 'offer', sdp: 'v=0 booth', peer: 'guest' });
    await to.next((m) => m.type === 'sdp' && m.peer === 'booth', { from: toAt });
    to.send({ type: 'sdp', call, sdp_type: 'answer', sdp: 'v=0 colleague', peer: 'booth' });
    await state(from, 'joined', fromAt);
    from.send({ type: 'transfer_done', call });
    const end = await from.next((m) => m.type === 'end', { from: fromAt });
    assert.equal(end.reason, 'transferred');
    await to.next((m) => m.type === 'call_owner', { from: toAt });
    return booth.next((m) => m.type === 'call_owner', { from: boothAt });
  };

  before(async () => {
    sb = await startSwitchboard({ dir, extraArgs: ['--transfer-answer-seconds', String(ANSWER_S), '--transfer-queue-seconds', String(QUEUE_S)] });
    for (const u of [MARIE, HUGO, ADMIN, ...CHAIN]) await sb.addUser(u);
    booth = await scriptedBooth(sb, 'transfer-1', 'E2E Library', sockets);
    a = await signIn({ ...ADVISER, name: 'Claire' });
    b = await signIn(MARIE);
    hugo = await signIn(HUGO);
  });

  after(async () => {
    await suite.end(sockets);
  });

  step('a call; A lists who could take it: Marie (not Hugo: housing only), and the topics', async () => {
    const queued = await booth.request({ type: 'request', language: 'en', topic: 'training', answers: { situation: 'job-seeker' } }, 'queued');
    call = (await a.request({ type: 'accept', ticket: queued.ticket }, 'call')).call;
    await booth.next((m) => m.type === 'call');
    const opts = await a.request({ type: 'transfer_list', call }, 'transfer_options');
    const logins = opts.advisers.map((x) => x.adviser);
    assert.ok(logins.includes(MARIE.login), JSON.stringify(opts));
    assert.ok(!logins.includes(HUGO.login), JSON.stringify(opts));
    assert.ok(opts.topics.some((t) => t.topic === 'housing' && t.advisers >= 1), JSON.stringify(opts));
  });

  step('refused: to oneself (loop), to nobody signed in, to someone who cannot take it (unavailable)', async () => {
    await error(a, { type: 'transfer', call, to: { adviser: ADVISER.login } }, 'loop');
    await error(a, { type: 'transfer', call, to: { adviser: 'nobody-here' } }, 'unavailable');
    await error(a, { type: 'transfer', call, to: { adviser: HUGO.login } }, 'unavailable');
    await error(a, { type: 'transfer', call, to: { topic: 'astronomy' } }, 'unavailable');
    await error(a, { type: 'transfer', call, to: { adviser: MARIE.login, topic: 'x' } }, 'field');
    await error(b, { type: 'transfer', call, to: { adviser: ADVISER.login } }, 'state');
  });

  step('B declines: A is told, the call goes on with A', async () => {
    const at = a.messages.length;
    a.send({ type: 'transfer', call, to: { adviser: MARIE.login }, note: 'CV done, wants training' });
    const offer = await b.next((m) => m.type === 'transfer_offer');
    assert.deepEqual({ from: offer.from, topic: offer.topic, note: offer.note, language: offer.language, answers: offer.answers },
      { from: 'E2E Adviser', topic: 'training', note: 'CV done, wants training', language: 'en', answers: { situation: 'job-seeker' } });
    assert.equal(offer.expires_s, ANSWER_S);
    assert.equal((await state(a, 'offered', at)).adviser, 'Marie');
    b.send({ type: 'transfer_decline', call });
    await state(a, 'declined', at);
    const from = booth.messages.length;
    a.send({ type: 'chat', call, text: 'still with you' });
    assert.equal((await booth.next((m) => m.type === 'chat', { from })).text, 'still with you');
  });

  step(`no answer within ${ANSWER_S} s: declined to A, expired to B`, async () => {
    const at = a.messages.length;
    const bt = b.messages.length;
    a.send({ type: 'transfer', call, to: { adviser: MARIE.login } });
    await state(a, 'offered', at);
    const t0 = Date.now();
    await a.next((m) => m.type === 'transfer_state' && m.state === 'declined', { from: at, timeout: (ANSWER_S + 3) * 1000 });
    assert.ok(Date.now() - t0 >= (ANSWER_S - 1) * 1000, 'not before its time');
    await state(b, 'expired', bt);
    await error(b, { type: 'transfer_accept', call }, 'gone');
  });

  step('B signs out while offered: gone to A', async () => {
    const at = a.messages.length;
    a.send({ type: 'transfer', call, to: { adviser: MARIE.login } });
    await b.next((m) => m.type === 'transfer_offer', { from: b.messages.length - 1 });
    b.destroy();
    await state(a, 'gone', at);
    b = await signIn(MARIE);
  });

  step('a guest asked meanwhile: full; the visitor says no to the colleague: declined, B stays signed in', async () => {
    const invited = await a.request({ type: 'invite', call, role: 'relative' }, 'invited');
    await error(a, { type: 'transfer', call, to: { adviser: MARIE.login } }, 'full');
    a.send({ type: 'invite_cancel', call, invite: invited.invite });
    await a.request({ type: 'ping' }, 'pong');
    const at = a.messages.length;
    a.send({ type: 'transfer', call, to: { adviser: MARIE.login } });
    await b.next((m) => m.type === 'transfer_offer', { from: b.messages.length - 1 });
    const askFrom = booth.messages.length;
    b.send({ type: 'transfer_accept', call });
    await state(a, 'accepted', at);
    const ask = await booth.next((m) => m.type === 'guest_ask', { from: askFrom });
    assert.deepEqual({ role: ask.role, name: ask.name }, { role: 'colleague', name: 'Marie' });
    // asked: a second transfer or an invitation is refused
    await error(a, { type: 'invite', call, role: 'relative' }, 'full');
    booth.send({ type: 'guest_answer', call, guest: ask.guest, accept: false });
    await state(a, 'declined', at);
    await b.next((m) => m.type === 'guest_state' && m.state === 'declined');
    assert.equal(b.ended, false);
  });

  step('accepted, let in, joined, chat to all three; A hands over: end{transferred} to A only, call_owner to the booth and B', async () => {
    const at = a.messages.length;
    a.send({ type: 'transfer', call, to: { adviser: MARIE.login }, note: 'over to you' });
    await b.next((m) => m.type === 'transfer_offer', { from: b.messages.length - 1 });
    // before B has joined, no hand-over
    const boothAt = booth.messages.length;
    b.send({ type: 'transfer_accept', call });
    await state(a, 'accepted', at);
    await error(a, { type: 'transfer_done', call }, 'state');
    await join(a, b, boothAt);
    const bt = booth.messages.length;
    b.send({ type: 'chat', call, text: 'Bonjour, je suis Marie' });
    assert.equal((await booth.next((m) => m.type === 'chat', { from: bt })).from, 'Marie (colleague)');
    assert.equal((await a.next((m) => m.type === 'chat' && m.text === 'Bonjour, je suis Marie')).from, 'Marie (colleague)');
    const ownerAt = booth.messages.length;
    a.send({ type: 'transfer_done', call });
    const end = await a.next((m) => m.type === 'end', { from: at });
    assert.equal(end.reason, 'transferred');
    assert.equal((await booth.next((m) => m.type === 'call_owner', { from: ownerAt })).adviser, 'Marie');
    await b.next((m) => m.type === 'call_owner');
    assert.ok(!booth.messages.slice(ownerAt).some((m) => m.type === 'end'), 'the visitor is still in the call');
    // the call is B's: chat and media go between the booth and B
    const from = booth.messages.length;
    b.send({ type: 'chat', call, text: 'je prends la suite' });
    assert.equal((await booth.next((m) => m.type === 'chat', { from })).from, 'Marie');
    await error(a, { type: 'chat', call, text: 'hello?' }, 'state');
    assert.equal(a.ended, false, "A's link stays open");
  });

  step('back to A: a loop', async () => {
    await error(b, { type: 'transfer', call, to: { adviser: ADVISER.login } }, 'loop');
  });

  step('along a chain: five transfers, never a sixth', async () => {
    const chain = [];
    for (const u of CHAIN) chain.push(await signIn(u));
    // A to Marie was the first; four more
    let from = b;
    for (let i = 0; i < 4; i++) {
      const owner = await handOver(from, chain[i], CHAIN[i].login);
      assert.equal(owner.adviser, CHAIN[i].name);
      from = chain[i];
    }
    await error(from, { type: 'transfer', call, to: { adviser: CHAIN[4].login } }, 'chain');
    // the visitor's call goes on with its fifth adviser
    const at = booth.messages.length;
    from.send({ type: 'chat', call, text: 'still here' });
    await booth.next((m) => m.type === 'chat' && m.text === 'still here', { from: at });
    lastOwner = from;
  });

  step('to a queue: at the front, marked transfer; nobody within its time: the adviser keeps the call', async () => {
    // a new call, a walk-in waiting behind
    lastOwner.send({ type: 'end', call });
    await booth.next((m) => m.type === 'end' && m.call === call);
    const queued = await booth.request({ type: 'request', language: 'en', topic: 'training' }, 'queued');
    call = (await a.request({ type: 'accept', ticket: queued.ticket }, 'call')).call;
    await booth.next((m) => m.type === 'call' && m.call === call);
    const walkIn = await scriptedBooth(sb, 'transfer-2', 'E2E Library', sockets);
    await walkIn.request({ type: 'request', language: 'en', topic: 'housing' }, 'queued');
    const at = a.messages.length;
    const ht = hugo.messages.length;
    a.send({ type: 'transfer', call, to: { topic: 'housing' }, note: 'rent arrears' });
    await state(a, 'queued', at);
    const q = await hugo.next((m) => m.type === 'queue' && m.queue.length === 2 && m.queue[0].transfer === true, { from: ht, what: 'the queue with the transfer first' });
    assert.equal(q.queue[0].topic, 'housing');
    assert.ok(!q.queue[1].transfer);
    const t0 = Date.now();
    await a.next((m) => m.type === 'transfer_state' && m.state === 'unanswered', { from: at, timeout: (QUEUE_S + 3) * 1000 });
    assert.ok(Date.now() - t0 >= (QUEUE_S - 1) * 1000);
    await hugo.next((m) => m.type === 'queue' && m.queue.length === 1 && !m.queue[0].transfer, { from: ht });
    const from = booth.messages.length;
    a.send({ type: 'chat', call, text: 'still yours' });
    await booth.next((m) => m.type === 'chat' && m.text === 'still yours', { from });
  });

  step('to a queue again: Hugo accepts the ticket, sees the answers and the note, joins, A hands over', async () => {
    const at = a.messages.length;
    const ht = hugo.messages.length;
    a.send({ type: 'transfer', call, to: { topic: 'housing' }, note: 'rent arrears' });
    const q = await hugo.next((m) => m.type === 'queue' && m.queue[0]?.transfer === true, { from: ht });
    const boothAt = booth.messages.length;
    hugo.send({ type: 'accept', ticket: q.queue[0].ticket });
    const offer = await hugo.next((m) => m.type === 'transfer_offer', { from: ht });
    assert.deepEqual({ note: offer.note, queued: offer.queued, topic: offer.topic }, { note: 'rent arrears', queued: true, topic: 'housing' });
    assert.equal((await state(a, 'accepted', at)).adviser, 'Hugo');
    await join(a, hugo, boothAt);
    a.send({ type: 'transfer_done', call });
    assert.equal((await a.next((m) => m.type === 'end', { from: at })).reason, 'transferred');
    assert.equal((await booth.next((m) => m.type === 'call_owner' && m.call === call)).adviser, 'Hugo');
    hugo.send({ type: 'end', call });
    await booth.next((m) => m.type === 'end' && m.call === call);
  });

  step('the statistics: two sessions, both transferred, each counted once', async () => {
    const admin = (await sb.login(ADMIN.login, ADMIN.password)).cookie;
    const day = new Date().toISOString().slice(0, 10);
    const days = [day, new Date(Date.now() - 86400000).toISOString().slice(0, 10), new Date(Date.now() + 86400000).toISOString().slice(0, 10)].sort();
    let rows = [];
    // the records are written through the store's write queue: read until both are there
    await until(async () => {
      const r = await httpRequest(`${sb.base}/api/stats?from=${days[0]}&to=${days[2]}`, { headers: { Cookie: admin } });
      rows = JSON.parse(r.body).rows ?? [];
      return rows.reduce((s, x) => s + x.sessions, 0) >= 2;
    }, { timeout: 5000, what: 'the two call records' });
    const sum = (k) => rows.reduce((s, x) => s + x[k], 0);
    assert.equal(sum('sessions'), 2, JSON.stringify(rows));
    assert.equal(sum('transferred'), 2, JSON.stringify(rows));
    assert.equal(sum('requests'), 2, JSON.stringify(rows));
  });
});
