// SPDX-License-Identifier: GPL-2.0-or-later
// Relais signaling protocol v1, adviser side: message builders and validation
// of what the switchboard sends. Mirrors firmware/lib/PROTOCOL.md; the caps are
// the Kconfig defaults (the switchboard checks again, whatever we send).
// No DOM here: this module also runs under Node for the tests.

export const VERSION = 1;
export const MAX_MESSAGE = 65536; // CONFIG_RELAIS_PROTO_MAX_MESSAGE
export const MAX_SDP = 32768; // CONFIG_RELAIS_PROTO_MAX_SDP
export const MAX_TEXT = 2000; // CONFIG_RELAIS_PROTO_MAX_TEXT
export const MAX_ID = 64; // CONFIG_RELAIS_PROTO_MAX_ID
export const MAX_ANSWERS = 16; // CONFIG_RELAIS_PROTO_MAX_ANSWERS
export const MAX_MLINE = 15;
export const MAX_MEDIA = 1000; // a call's media connections are numbered 0..MAX_MEDIA
export const MIN_SCORE = 1; // feedback: the visitor's rating, five faces
export const MAX_SCORE = 5;
export const DOC_KINDS = Object.freeze(['pdf', 'png', 'jpeg']); // documents shown in a call
export const DEVICES = Object.freeze(['camera', 'microphone']); // the booth's capture devices (message `device`)
export const DEVICE_STATES = Object.freeze(['ok', 'lost', 'failed']);
export const DOC_MAX_PAGES = 1000; // the protocol's bound (Kconfig's cap is lower)

export const ERROR_CODES = Object.freeze([
  'json', 'type', 'unknown', 'field', 'size', 'direction', 'state', 'version', 'gone', 'full', 'rate',
  'invite_unknown', 'invite_expired', 'invite_used', 'call_ended',
]);
// A guest in the call (PROTOCOL.md "A guest in the call").
export const INVITE_ROLES = Object.freeze(['interpreter', 'relative', 'adviser']);
export const GUEST_ROLES = Object.freeze(['interpreter', 'relative', 'adviser', 'colleague']);
export const GUEST_STATES = Object.freeze(['asking', 'joining', 'joined', 'declined', 'removed', 'left']);
export const PEERS = Object.freeze(['booth', 'adviser', 'guest']); // sdp and ice: the other end of the media connection
export const MAX_GUEST_NAME = 40; // characters

const encoder = new TextEncoder();
export const byteLength = (s) => encoder.encode(s).length;

export class ProtocolError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const ID_RE = /^[A-Za-z0-9._:-]+$/;
const LANG_RE = /^[a-z-]+$/;

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

// Lone surrogates cannot be encoded as UTF-8: such a string is not "valid UTF-8".
const wellFormed = (s) =>
  typeof s.isWellFormed === 'function' ? s.isWellFormed() : !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''));

// Each checker throws ProtocolError('field'|'size', ...) naming the field.
function checkId(name, v) {
  if (typeof v !== 'string' || v.length === 0) throw new ProtocolError('field', `${name}: expected a non-empty id`);
  if (byteLength(v) > MAX_ID) throw new ProtocolError('size', `${name}: longer than ${MAX_ID} bytes`);
  if (!ID_RE.test(v)) throw new ProtocolError('field', `${name}: only [A-Za-z0-9._:-] allowed`);
  return v;
}

// max: a field's own cap below MAX_TEXT (a transfer's note: 500 bytes).
function checkText(name, v, min = 0, max = MAX_TEXT) {
  if (typeof v !== 'string') throw new ProtocolError('field', `${name}: expected a string`);
  if (!wellFormed(v)) throw new ProtocolError('field', `${name}: not valid UTF-8`);
  const n = byteLength(v);
  if (n > Math.min(max, MAX_TEXT)) throw new ProtocolError('size', `${name}: longer than ${Math.min(max, MAX_TEXT)} bytes`);
  if (n < min) throw new ProtocolError('field', `${name}: must not be empty`);
  return v;
}

function checkSdp(name, v) {
  if (typeof v !== 'string' || v.length === 0) throw new ProtocolError('field', `${name}: expected a non-empty string`);
  if (byteLength(v) > MAX_SDP) throw new ProtocolError('size', `${name}: longer than ${MAX_SDP} bytes`);
  return v;
}

function checkLang(name, v) {
  if (typeof v !== 'string' || v.length < 2 || v.length > 8 || !LANG_RE.test(v))
    throw new ProtocolError('field', `${name}: expected a language tag like "fr"`);
  return v;
}

function checkInt(name, v, min, max) {
  if (!Number.isInteger(v) || v < min || v > max)
    throw new ProtocolError('field', `${name}: expected an integer in ${min}..${max}`);
  return v;
}

function checkAnswers(name, v) {
  if (!isObject(v)) throw new ProtocolError('field', `${name}: expected an object`);
  const keys = Object.keys(v);
  if (keys.length > MAX_ANSWERS) throw new ProtocolError('size', `${name}: more than ${MAX_ANSWERS} answers`);
  for (const k of keys) {
    checkId(`${name} key`, k);
    checkText(`${name}.${k}`, v[k]);
  }
  return v;
}

function checkIceServers(name, v) {
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))
    throw new ProtocolError('field', `${name}: expected an array of strings`);
  return v;
}

const MAX_INT32 = 2 ** 31 - 1;

// booths, booths_changed: [{booth_id, site, board, state, reason}]
function checkBoothEntries(n, v) {
  if (!Array.isArray(v)) throw new ProtocolError('field', `${n}: expected an array`);
  v.forEach((b, i) => {
    if (!isObject(b)) throw new ProtocolError('field', `${n}[${i}]: expected an object`);
    checkId(`${n}[${i}].booth_id`, b.booth_id);
    optional(checkText)(`${n}[${i}].site`, b.site);
    optional(checkText)(`${n}[${i}].board`, b.board);
    checkText(`${n}[${i}].state`, b.state, 1);
    optional(checkText)(`${n}[${i}].reason`, b.reason);
  });
  return v;
}

const optional = (check) => (name, v, ...rest) => (v === undefined || v === null ? undefined : check(name, v, ...rest));

// Incoming (S→A) message schemas: field → checker. Fields not listed are ignored.
const INCOMING = {
  welcome: { version: (n, v) => checkInt(n, v, 0, 2 ** 31), session: checkId, ice_servers: optional(checkIceServers), resume_s: optional((n, v) => checkInt(n, v, 1, 3600)) },
  // The booth list after welcome: a snapshot in parts (PROTOCOL.md "The booth list").
  booths: {
    booths: checkBoothEntries,
    snapshot: (n, v) => checkInt(n, v, 1, MAX_INT32),
    parts: (n, v) => checkInt(n, v, 1, MAX_INT32),
    part: (n, v) => checkInt(n, v, 1, MAX_INT32),
  },
  // Then only what changed: new or changed entries, and the booths gone.
  booths_changed: {
    booths: checkBoothEntries,
    gone: (n, v) => {
      if (!Array.isArray(v)) throw new ProtocolError('field', `${n}: expected an array`);
      v.forEach((id, i) => checkId(`${n}[${i}]`, id));
      return v;
    },
  },
  // The queue as this adviser sees it, in parts (PROTOCOL.md "The queue list").
  queue: {
    snapshot: (n, v) => checkInt(n, v, 1, MAX_INT32),
    part: (n, v) => checkInt(n, v, 1, MAX_INT32),
    parts: (n, v) => checkInt(n, v, 1, MAX_INT32),
    queue: (n, v) => {
      if (!Array.isArray(v)) throw new ProtocolError('field', `${n}: expected an array`);
      v.forEach((q, i) => {
        if (!isObject(q)) throw new ProtocolError('field', `${n}[${i}]: expected an object`);
        checkId(`${n}[${i}].ticket`, q.ticket);
        checkId(`${n}[${i}].booth_id`, q.booth_id);
        optional(checkText)(`${n}[${i}].site`, q.site);
        checkLang(`${n}[${i}].language`, q.language);
        checkId(`${n}[${i}].topic`, q.topic);
        optional(checkAnswers)(`${n}[${i}].answers`, q.answers);
        checkInt(`${n}[${i}].waited_s`, q.waited_s, 0, 2 ** 31);
        if (q.booked !== undefined && typeof q.booked !== 'boolean') throw new ProtocolError('field', `${n}[${i}].booked: expected a boolean`);
        if (q.transfer !== undefined && typeof q.transfer !== 'boolean') throw new ProtocolError('field', `${n}[${i}].transfer: expected a boolean`);
      });
      return v;
    },
  },
  taken: { ticket: checkId },
  call: {
    call: checkId,
    ticket: checkId,
    peer: optional(checkText),
    ice_servers: optional(checkIceServers),
    // The switchboard repeats the visitor's request for the adviser (optional).
    language: optional(checkLang),
    topic: optional(checkId),
    answers: optional(checkAnswers),
  },
  sdp: {
    call: checkId,
    sdp_type: (n, v) => {
      if (v !== 'offer' && v !== 'answer') throw new ProtocolError('field', `${n}: expected "offer" or "answer"`);
      return v;
    },
    sdp: checkSdp,
    media: optional((n, v) => checkInt(n, v, 0, MAX_MEDIA)),
  },
  ice: { call: checkId, candidate: checkText, mline: (n, v) => checkInt(n, v, 0, MAX_MLINE), media: optional((n, v) => checkInt(n, v, 0, MAX_MEDIA)) },
  chat: { call: checkId, text: (n, v) => checkText(n, v, 1), from: optional(checkText) },
  end: { call: checkId, reason: optional(checkText) },
  // The visitor's rating of a call this adviser had, sent by the booth after it.
  feedback: { call: checkId, score: (n, v) => checkInt(n, v, MIN_SCORE, MAX_SCORE) },
  error: { code: checkId, message: optional(checkText), ref: optional(checkText) },
  ping: {},
  pong: {},
  // A document this adviser uploaded is shown in the call (PROTOCOL.md "Showing a document").
  doc_show: {
    call: checkId,
    doc: checkId,
    kind: (n, v) => {
      if (!DOC_KINDS.includes(v)) throw new ProtocolError('field', `${n}: expected one of ${DOC_KINDS.join('|')}`);
      return v;
    },
    size: (n, v) => checkInt(n, v, 1, 2 ** 31 - 1),
    pages: (n, v) => checkInt(n, v, 1, DOC_MAX_PAGES),
    page: (n, v) => checkInt(n, v, 1, DOC_MAX_PAGES),
  },
  doc_page: { call: checkId, doc: checkId, page: (n, v) => checkInt(n, v, 1, DOC_MAX_PAGES) },
  doc_stop: {
    call: checkId,
    doc: checkId,
    by: optional((n, v) => {
      if (v !== 'booth' && v !== 'adviser') throw new ProtocolError('field', `${n}: expected "booth" or "adviser"`);
      return v;
    }),
  },
  doc_error: { call: checkId, doc: checkId, message: (n, v) => checkText(n, v, 1) },
  // The booth's camera or microphone stopped working in the call, or is back (PROTOCOL.md "A device lost in a call").
  device: {
    call: checkId,
    device: (n, v) => {
      if (!DEVICES.includes(v)) throw new ProtocolError('field', `${n}: expected one of ${DEVICES.join('|')}`);
      return v;
    },
    state: (n, v) => {
      if (!DEVICE_STATES.includes(v)) throw new ProtocolError('field', `${n}: expected one of ${DEVICE_STATES.join('|')}`);
      return v;
    },
  },
};

const oneOf = (list) => (n, v) => {
  if (!list.includes(v)) throw new ProtocolError('field', `${n}: expected one of ${list.join('|')}`);
  return v;
};
function checkGuestName(n, v) {
  checkText(n, v, 1);
  if ([...v].length > MAX_GUEST_NAME) throw new ProtocolError('size', `${n}: longer than ${MAX_GUEST_NAME} characters`);
  if (/[\u0000-\u001f\u007f-\u009f]/.test(v)) throw new ProtocolError('field', `${n}: control characters`);
  return v;
}
// The answer to invite: the link to pass on (a path alone when the switchboard has no --public-url).
INCOMING.invited = { call: checkId, invite: checkId, url: (n, v) => checkText(n, v, 1), expires_at: (n, v) => checkText(n, v, 1) };
INCOMING.guest_state = {
  call: checkId,
  guest: checkId,
  name: optional(checkGuestName),
  role: optional(oneOf(GUEST_ROLES)),
  state: oneOf(GUEST_STATES),
};
// Warm transfer (PROTOCOL.md "Warm transfer").
export const TRANSFER_STATES = Object.freeze(['offered', 'accepted', 'joining', 'joined', 'declined', 'gone', 'queued', 'unanswered', 'expired', 'withdrawn']);
export const MAX_NOTE = 500;
INCOMING.transfer_offer = {
  call: checkId,
  from: (n, v) => checkText(n, v, 1),
  language: checkLang,
  topic: checkId,
  answers: optional(checkAnswers),
  note: optional((n, v) => checkText(n, v, 0, MAX_NOTE)),
  expires_s: (n, v) => checkInt(n, v, 1, 3600),
  queued: optional((n, v) => {
    if (typeof v !== 'boolean') throw new ProtocolError('field', `${n}: expected a boolean`);
    return v;
  }),
};
INCOMING.transfer_state = { call: checkId, state: oneOf(TRANSFER_STATES), adviser: optional((n, v) => checkText(n, v, 1)), topic: optional(checkId) };
INCOMING.call_owner = { call: checkId, adviser: (n, v) => checkText(n, v, 1) };
INCOMING.transfer_options = {
  call: checkId,
  advisers: (n, v) => {
    if (!Array.isArray(v)) throw new ProtocolError('field', `${n}: expected an array`);
    v.forEach((a, i) => {
      checkText(`${n}[${i}].adviser`, a?.adviser, 1);
      checkText(`${n}[${i}].name`, a?.name, 1);
    });
    return v;
  },
  topics: (n, v) => {
    if (!Array.isArray(v)) throw new ProtocolError('field', `${n}: expected an array`);
    v.forEach((q, i) => {
      checkId(`${n}[${i}].topic`, q?.topic);
      checkInt(`${n}[${i}].waiting`, q?.waiting, 0, 2 ** 31);
      checkInt(`${n}[${i}].advisers`, q?.advisers, 0, 2 ** 31);
    });
    return v;
  },
};
INCOMING.sdp.peer = optional(oneOf(PEERS));
INCOMING.ice.peer = optional(oneOf(PEERS));

export const INCOMING_TYPES = Object.freeze(Object.keys(INCOMING));

// Parses and validates one text frame from the switchboard.
// Returns the message object; throws ProtocolError with a PROTOCOL.md code.
export function parse(raw) {
  if (typeof raw !== 'string') throw new ProtocolError('json', 'binary frame');
  if (byteLength(raw) > MAX_MESSAGE) throw new ProtocolError('size', `message longer than ${MAX_MESSAGE} bytes`);
  let msg;
  try {
    msg = JSON.parse(raw);
  } catch {
    throw new ProtocolError('json', 'not JSON');
  }
  if (!isObject(msg)) throw new ProtocolError('json', 'not a JSON object');
  if (typeof msg.type !== 'string') throw new ProtocolError('type', 'type missing or not a string');
  const schema = INCOMING[msg.type];
  if (!schema) throw new ProtocolError('unknown', `unknown type "${msg.type.slice(0, 40)}"`);
  for (const [field, check] of Object.entries(schema)) check(field, msg[field]);
  if ((msg.type === 'booths' || msg.type === 'queue') && msg.part > msg.parts) throw new ProtocolError('field', 'part: past parts');
  return msg;
}

function build(msg) {
  const s = JSON.stringify(msg);
  if (byteLength(s) > MAX_MESSAGE) throw new ProtocolError('size', `message longer than ${MAX_MESSAGE} bytes`);
  return s;
}

// Builders return the JSON text to send; they validate like the switchboard
// would, so that a bad value is caught here with a clear message.
// call: the call this console is in when its link comes back (PROTOCOL.md
// "Resuming a call"); the switchboard checks it is this sign-in's.
export const hello = (name, call = null) => {
  const m = { type: 'hello', version: VERSION, role: 'adviser', name: checkText('name', name) };
  if (call) m.call = checkId('call', call);
  return build(m);
};
export const accept = (ticket) => build({ type: 'accept', ticket: checkId('ticket', ticket) });
// media: the call's media connection (0, the first, is not written).
const withMedia = (m, media) => {
  if (media) m.media = checkInt('media', media, 0, MAX_MEDIA);
  return m;
};
export const sdp = (call, sdpType, text, media = 0) => {
  if (sdpType !== 'offer' && sdpType !== 'answer') throw new ProtocolError('field', 'sdp_type: expected "offer" or "answer"');
  return build(withMedia({ type: 'sdp', call: checkId('call', call), sdp_type: sdpType, sdp: checkSdp('sdp', text) }, media));
};
export const ice = (call, candidate, mline, media = 0) =>
  build(withMedia({ type: 'ice', call: checkId('call', call), candidate: checkText('candidate', candidate), mline: checkInt('mline', mline, 0, MAX_MLINE) }, media));
// Asks the booth for a new media connection: connection `media` is dead.
export const reconnect = (call, media) => build({ type: 'reconnect', call: checkId('call', call), media: checkInt('media', media, 0, MAX_MEDIA) });
export const chat = (call, text) => build({ type: 'chat', call: checkId('call', call), text: checkText('text', text, 1) });
// The adviser's screen is (no longer) on the booth's screen m-line.
export const share = (call, on) => build({ type: 'share', call: checkId('call', call), state: on ? 'on' : 'off' });
export const end = (call, reason) => {
  const m = { type: 'end', call: checkId('call', call) };
  if (reason !== undefined) m.reason = checkText('reason', reason);
  return build(m);
};
export const docPage = (call, doc, page) =>
  build({ type: 'doc_page', call: checkId('call', call), doc: checkId('doc', doc), page: checkInt('page', page, 1, DOC_MAX_PAGES) });
// A third person in the call: the link is the answer (`invited`).
export const invite = (call, role) => build({ type: 'invite', call: checkId('call', call), role: oneOf(INVITE_ROLES)('role', role) });
export const inviteCancel = (call, invite) => build({ type: 'invite_cancel', call: checkId('call', call), invite: checkId('invite', invite) });
export const guestRemove = (call, guest) => build({ type: 'guest_remove', call: checkId('call', call), guest: checkId('guest', guest) });
// sdp and ice on the console's connection with the guest carry peer "guest".
export const toGuest = (text) => build({ ...JSON.parse(text), peer: 'guest' });
// The guest page (guest.js): its hello names its invitation's token, and its
// sdp and ice name the other end (`peer`).
export const guestHello = (token, name) =>
  build({ type: 'hello', version: VERSION, role: 'guest', token: checkId('token', token), name: checkGuestName('name', name) });
export const toPeer = (text, peer) => build({ ...JSON.parse(text), peer: oneOf(PEERS)('peer', peer) });
export const checkName = (name) => checkGuestName('name', name);
export const docStop = (call, doc) => build({ type: 'doc_stop', call: checkId('call', call), doc: checkId('doc', doc) });
// Warm transfer: `to` is {adviser: login} or {topic: id}; the note is optional.
export const transfer = (call, to, note) => {
  const target = to?.adviser !== undefined ? { adviser: checkText('to.adviser', to.adviser, 1, 64) } : { topic: checkId('to.topic', to?.topic) };
  const m = { type: 'transfer', call: checkId('call', call), to: target };
  if (note !== undefined) m.note = checkText('note', note, 0, MAX_NOTE);
  return build(m);
};
export const transferList = (call) => build({ type: 'transfer_list', call: checkId('call', call) });
export const transferAccept = (call) => build({ type: 'transfer_accept', call: checkId('call', call) });
export const transferDecline = (call) => build({ type: 'transfer_decline', call: checkId('call', call) });
export const transferDone = (call) => build({ type: 'transfer_done', call: checkId('call', call) });
export const ping = () => build({ type: 'ping' });
export const pong = () => build({ type: 'pong' });

// "stun://host:port" → {urls:"stun:host:port"};
// "turn://user:pass@host:port[?transport=tcp]" → {urls:"turn:host:port[?transport=tcp]", username, credential}.
// Also accepts the RFC 7064/7065 forms (stun:, turn:, turns:) unchanged. Bad entries are skipped.
export function iceServer(uri) {
  if (typeof uri !== 'string') return null;
  const m = /^(stuns?|turns?):(\/\/)?(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)(\?[^#]*)?$/.exec(uri.trim());
  if (!m) return null;
  const [, scheme, , user, pass, hostport, query = ''] = m;
  const server = { urls: `${scheme}:${hostport}${query}` };
  if (scheme.startsWith('turn')) {
    if (user === undefined) return null; // a TURN server without credentials cannot be used
    server.username = decodeURIComponent(user);
    server.credential = decodeURIComponent(pass ?? '');
  }
  return server;
}

export const iceServers = (list) => (Array.isArray(list) ? list.map(iceServer).filter(Boolean) : []);
