// SPDX-License-Identifier: GPL-2.0-or-later
// assets/web/protocol.js under Node: the console's builders and validation
// must follow firmware/lib/PROTOCOL.md exactly as the C side does.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ASSETS } from './lib/env.mjs';

const P = await import(pathToFileURL(path.join(ASSETS, 'protocol.js')).href);

const code = (fn) => {
  try {
    fn();
  } catch (err) {
    return err.code;
  }
  return 'ok';
};

test('protocol.js: builders produce PROTOCOL.md messages', () => {
  assert.deepEqual(JSON.parse(P.hello('Alice')), { type: 'hello', version: 1, role: 'adviser', name: 'Alice' });
  assert.deepEqual(JSON.parse(P.accept('t-1234')), { type: 'accept', ticket: 't-1234' });
  assert.deepEqual(JSON.parse(P.sdp('c-1', 'answer', 'v=0\r\n')), { type: 'sdp', call: 'c-1', sdp_type: 'answer', sdp: 'v=0\r\n' });
  assert.deepEqual(JSON.parse(P.ice('c-1', '', 0)), { type: 'ice', call: 'c-1', candidate: '', mline: 0 });
  assert.deepEqual(JSON.parse(P.chat('c-1', 'Bonjour')), { type: 'chat', call: 'c-1', text: 'Bonjour' });
  assert.deepEqual(JSON.parse(P.end('c-1')), { type: 'end', call: 'c-1' });
  assert.deepEqual(JSON.parse(P.end('c-1', 'done')), { type: 'end', call: 'c-1', reason: 'done' });
  assert.deepEqual(JSON.parse(P.ping()), { type: 'ping' });
  assert.deepEqual(JSON.parse(P.share('c-1', true)), { type: 'share', call: 'c-1', state: 'on' });
  assert.deepEqual(JSON.parse(P.share('c-1', false)), { type: 'share', call: 'c-1', state: 'off' });
});

test('protocol.js: builders refuse what the switchboard would refuse', () => {
  assert.equal(code(() => P.chat('c-1', '')), 'field');
  assert.equal(code(() => P.chat('c-1', 'x'.repeat(2001))), 'size');
  assert.equal(code(() => P.chat('c-1', 'é'.repeat(1001))), 'size'); // 2002 bytes
  assert.equal(code(() => P.chat('c-1', 'é'.repeat(1000))), 'ok');
  assert.equal(code(() => P.chat('c-1', 'a\uD800b')), 'field'); // lone surrogate: not UTF-8
  assert.equal(code(() => P.accept('bad ticket')), 'field');
  assert.equal(code(() => P.accept('x'.repeat(65))), 'size');
  assert.equal(code(() => P.sdp('c-1', 'pranswer', 'v=0')), 'field');
  assert.equal(code(() => P.sdp('c-1', 'answer', 'x'.repeat(32769))), 'size');
  assert.equal(code(() => P.ice('c-1', 'candidate:x', 16)), 'field');
  assert.equal(code(() => P.share('bad call', true)), 'field');
});

test('protocol.js: parse validates what the switchboard sends', () => {
  assert.equal(code(() => P.parse('nope')), 'json');
  assert.equal(code(() => P.parse('[]')), 'json');
  assert.equal(code(() => P.parse('null')), 'json');
  assert.equal(code(() => P.parse('{}')), 'type');
  assert.equal(code(() => P.parse('{"type":1}')), 'type');
  assert.equal(code(() => P.parse('{"type":"nope"}')), 'unknown');
  assert.equal(code(() => P.parse('{"type":"welcome","version":1,"session":"s-1","ice_servers":["stun://h:1"]}')), 'ok');
  assert.equal(code(() => P.parse('{"type":"welcome","version":1}')), 'field');
  assert.equal(code(() => P.parse('{"type":"taken","ticket":"t 1"}')), 'field');
  assert.equal(code(() => P.parse('{"type":"ice","call":"c","candidate":"","mline":0}')), 'ok');
  assert.equal(code(() => P.parse('{"type":"ice","call":"c","candidate":"","mline":-1}')), 'field');
  assert.equal(code(() => P.parse(JSON.stringify({ type: 'chat', call: 'c', text: 'x'.repeat(2001) }))), 'size');
  assert.equal(code(() => P.parse(JSON.stringify({ type: 'sdp', call: 'c', sdp_type: 'offer', sdp: '' }))), 'field');
  // The booth's camera or microphone lost or back (PROTOCOL.md "A device lost in a call").
  assert.equal(code(() => P.parse('{"type":"device","call":"c","device":"camera","state":"lost"}')), 'ok');
  assert.equal(code(() => P.parse('{"type":"device","call":"c","device":"microphone","state":"failed"}')), 'ok');
  assert.equal(code(() => P.parse('{"type":"device","call":"c","device":"speaker","state":"lost"}')), 'field');
  assert.equal(code(() => P.parse('{"type":"device","call":"c","device":"camera","state":"gone"}')), 'field');
  assert.equal(code(() => P.parse('{"type":"device","call":"c","device":"camera"}')), 'field');
  assert.equal(code(() => P.parse('{"type":"device","device":"camera","state":"ok"}')), 'field');
  const q = {
    type: 'queue',
    snapshot: 9,
    part: 1,
    parts: 1,
    queue: [{ ticket: 't-1', booth_id: 'b-1', site: 'S', language: 'fr', topic: 'job-search', answers: { situation: 'x' }, waited_s: 3 }],
  };
  assert.equal(code(() => P.parse(JSON.stringify(q))), 'ok');
  q.queue[0].language = 'FR';
  assert.equal(code(() => P.parse(JSON.stringify(q))), 'field');
  q.queue[0].language = 'fr';
  q.queue[0].answers = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
  assert.equal(code(() => P.parse(JSON.stringify(q))), 'size');
  q.queue[0].answers = { situation: 'x' };
  assert.equal(code(() => P.parse(JSON.stringify({ ...q, part: 2 }))), 'field');
  assert.equal(code(() => P.parse(JSON.stringify({ type: 'queue', queue: [] }))), 'field');
  // the booth list: a snapshot in parts, then changes (PROTOCOL.md "The booth list")
  const part = { snapshot: 3, part: 1, parts: 2 };
  assert.equal(code(() => P.parse(JSON.stringify({ type: 'booths', booths: [{ booth_id: 'b-1', state: 'idle' }], ...part }))), 'ok');
  assert.equal(code(() => P.parse(JSON.stringify({ type: 'booths', booths: [{ state: 'idle' }], ...part }))), 'field');
  assert.equal(code(() => P.parse(JSON.stringify({ type: 'booths', booths: [] }))), 'field');
  assert.equal(code(() => P.parse(JSON.stringify({ type: 'booths', booths: [], snapshot: 3, part: 3, parts: 2 }))), 'field');
  assert.equal(code(() => P.parse(JSON.stringify({ type: 'booths', booths: [], snapshot: 0, part: 1, parts: 1 }))), 'field');
  assert.equal(code(() => P.parse(JSON.stringify({ type: 'booths_changed', booths: [{ booth_id: 'b-1', state: 'in_call' }], gone: ['b-2'] }))), 'ok');
  assert.equal(code(() => P.parse(JSON.stringify({ type: 'booths_changed', booths: [], gone: ['../b'] }))), 'field');
  assert.equal(code(() => P.parse(JSON.stringify({ type: 'booths_changed', booths: [{ booth_id: 'b-1', state: '' }], gone: [] }))), 'field');
  assert.equal(code(() => P.parse(JSON.stringify({ type: 'booths_changed', booths: [] }))), 'field');
  // The visitor's rating, passed on by the switchboard after the call.
  assert.deepEqual(P.parse('{"type":"feedback","call":"c-1","score":4}'), { type: 'feedback', call: 'c-1', score: 4 });
  assert.equal(code(() => P.parse('{"type":"feedback","call":"c-1","score":1}')), 'ok');
  assert.equal(code(() => P.parse('{"type":"feedback","call":"c-1","score":5}')), 'ok');
  assert.equal(code(() => P.parse('{"type":"feedback","call":"c-1","score":0}')), 'field');
  assert.equal(code(() => P.parse('{"type":"feedback","call":"c-1","score":6}')), 'field');
  assert.equal(code(() => P.parse('{"type":"feedback","call":"c-1","score":"4"}')), 'field');
  assert.equal(code(() => P.parse('{"type":"feedback","call":"c-1","score":4.5}')), 'field');
  assert.equal(code(() => P.parse('{"type":"feedback","call":"c-1"}')), 'field');
  assert.equal(code(() => P.parse('{"type":"feedback","score":4}')), 'field');
  assert.equal(code(() => P.parse(JSON.stringify({ type: 'feedback', call: 'c'.repeat(65), score: 4 }))), 'size');
  assert.equal(code(() => P.parse('{"type":"feedback","call":"c 1","score":4}')), 'field');
  // Unknown members are ignored (forward compatibility).
  assert.equal(P.parse('{"type":"pong","future":true}').type, 'pong');
  assert.equal(code(() => P.parse('x'.repeat(65537))), 'size');
});

test('protocol.js: ICE server URIs become RTCIceServer objects', () => {
  assert.deepEqual(P.iceServer('stun://stun.example.org:3478'), { urls: 'stun:stun.example.org:3478' });
  assert.deepEqual(P.iceServer('turn://u:p%40ss@turn.example.org:3478'), {
    urls: 'turn:turn.example.org:3478',
    username: 'u',
    credential: 'p@ss',
  });
  assert.deepEqual(P.iceServer('turn://u:p@10.0.0.1:3478?transport=tcp'), {
    urls: 'turn:10.0.0.1:3478?transport=tcp',
    username: 'u',
    credential: 'p',
  });
  assert.deepEqual(P.iceServer('turns://u:p@t.example.org:5349'), { urls: 'turns:t.example.org:5349', username: 'u', credential: 'p' });
  assert.deepEqual(P.iceServer('stun:already.ok:19302'), { urls: 'stun:already.ok:19302' });
  assert.equal(P.iceServer('turn://nocreds.example.org:3478'), null);
  assert.equal(P.iceServer('http://x'), null);
  assert.deepEqual(P.iceServers(['stun://a:1', 'garbage', 'turn://u:p@b:2']).length, 2);
  assert.deepEqual(P.iceServers(undefined), []);
});

test('protocol.js: a guest in the call (PROTOCOL.md "A guest in the call")', () => {
  assert.deepEqual(JSON.parse(P.invite('c-1', 'interpreter')), { type: 'invite', call: 'c-1', role: 'interpreter' });
  assert.deepEqual(JSON.parse(P.inviteCancel('c-1', 'g-1')), { type: 'invite_cancel', call: 'c-1', invite: 'g-1' });
  assert.deepEqual(JSON.parse(P.guestRemove('c-1', 'g-1')), { type: 'guest_remove', call: 'c-1', guest: 'g-1' });
  assert.deepEqual(JSON.parse(P.toGuest(P.ice('c-1', '', 0))), { type: 'ice', call: 'c-1', candidate: '', mline: 0, peer: 'guest' });
  assert.equal(code(() => P.invite('c-1', 'colleague')), 'field'); // by a transfer, never a link
  assert.equal(code(() => P.invite('c-1', 'spy')), 'field');
  assert.equal(code(() => P.guestRemove('c-1', 'bad id')), 'field');
  const url = 'https://relais.example.org/guest#AbC-_9xYz012345678901w';
  assert.equal(code(() => P.parse(JSON.stringify({ type: 'invited', call: 'c', invite: 'g', url, expires_at: '2026-11-24T09:15:00+01:00' }))), 'ok');
  assert.equal(code(() => P.parse(JSON.stringify({ type: 'invited', call: 'c', invite: 'g', url }))), 'field');
  assert.equal(code(() => P.parse('{"type":"guest_state","call":"c","guest":"g","state":"joined","name":"Claire","role":"interpreter"}')), 'ok');
  assert.equal(code(() => P.parse('{"type":"guest_state","call":"c","guest":"g","state":"hiding"}')), 'field');
  assert.equal(code(() => P.parse(JSON.stringify({ type: 'guest_state', call: 'c', guest: 'g', state: 'asking', name: 'é'.repeat(41) }))), 'size');
  assert.equal(code(() => P.parse('{"type":"sdp","call":"c","sdp_type":"offer","sdp":"v=0","peer":"guest"}')), 'ok');
  assert.equal(code(() => P.parse('{"type":"sdp","call":"c","sdp_type":"offer","sdp":"v=0","peer":"everyone"}')), 'field');
  for (const c of ['invite_unknown', 'invite_expired', 'invite_used', 'call_ended']) assert.ok(P.ERROR_CODES.includes(c));
});
