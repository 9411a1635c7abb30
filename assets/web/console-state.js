// SPDX-License-Identifier: GPL-2.0-or-later
// The adviser console's state, in one explicit object (`st`), its page
// elements (`ui`), its counters and timings (window.relais shows them), and
// the two page-wide states: the page's (body[data-state]) and the link's
// (body[data-link]). Whoever depends on them subscribes with onPageChange.

import { $ } from './page.js';
import { t } from './i18n.js';

export const ui = {
  body: document.body,
  signin: $('signin'),
  signinForm: $('signin-form'),
  signinLogin: $('signin-login'),
  signinPassword: $('signin-password'),
  signinSubmit: $('signin-submit'),
  signinError: $('signin-error'),
  console: $('console'),
  linkState: $('link-state'),
  adviserName: $('adviser-name'),
  signoutBtn: $('signout-btn'),
  queueList: $('queue-list'),
  queueEmpty: $('queue-empty'),
  queueCount: $('queue-count'),
  chimeToggle: $('chime-toggle'),
  boothList: $('booth-list'),
  boothsEmpty: $('booths-empty'),
  boothCount: $('booth-count'),
  stageTitle: $('stage-title'),
  callState: $('call-state'),
  callDevices: $('call-devices'),
  callTimer: $('call-timer'),
  callQuality: $('call-quality'),
  lastFeedback: $('last-feedback'),
  mediaWarning: $('media-warning'),
  remoteVideo: $('remote-video'),
  remoteAudio: $('remote-audio'),
  placeholder: $('stage-placeholder'),
  localVideo: $('local-video'),
  selfCaption: $('self-caption'),
  muteBtn: $('mute-btn'),
  cameraBtn: $('camera-btn'),
  retryMediaBtn: $('retry-media-btn'),
  endBtn: $('end-btn'),
  shareBtn: $('share-btn'),
  shareState: $('share-state'),
  chat: $('chat'),
  chatLog: $('chat-log'),
  chatForm: $('chat-form'),
  chatInput: $('chat-input'),
  announcer: $('announcer'),
  toast: $('toast'),
  statsLink: $('stats-link'),
  adminLink: $('admin-link'),
  outcomeForm: $('outcome-form'),
  outcomeTopic: $('outcome-topic'),
  outcomeCode: $('outcome-code'),
  outcomeFollowup: $('outcome-followup'),
  outcomeNote: $('outcome-note'),
  outcomeCount: $('outcome-count'),
  outcomeError: $('outcome-error'),
  outcomeSubmit: $('outcome-submit'),
  outcomeSkip: $('outcome-skip'),
  outcomeDone: $('outcome-done'),
};

export const RECONNECT_MIN_MS = 250;

export const st = {
  name: '',
  user: null, // { login, name, role } from the sign-in
  ws: null,
  link: 'offline', // offline | connecting | online | reconnecting | stopped
  wantOnline: false,
  backoff: RECONNECT_MIN_MS,
  reconnectTimer: 0,
  pingTimer: 0,
  lastRx: 0,
  connectionId: null, // the switchboard's id of this connection (welcome's `session` member)
  iceServers: [],
  resumeS: 15, // how long the switchboard holds a call whose end's link is lost (welcome's resume_s)
  callHoldTimer: 0, // the link is lost in a call: ends it here if not back in time
  pendingEnd: null, // { call, reason }: ended here while the link was away, said on the next link
  booths: new Map(), // booth_id -> { entry, el } (booths.js)
  boothIds: [], // the booth ids in the list's order
  boothSnapshot: null, // the snapshot whose parts are arriving: { id, parts, next, entries, changes }
  boothsReady: false, // a whole snapshot came on this link
  queue: new Map(), // ticket -> { item, receivedAt, el, taken }
  accepting: null, // ticket we sent accept for
  prepared: null, // Call made on Accept, waiting for the switchboard's `call`
  call: null,
  callStartedAt: 0,
  devices: {}, // the call's booth devices that are not ok: { camera: 'lost' | 'failed', ... } (message `device`)
  recentCalls: new Map(), // call id -> { topic, topicId, where }: this console's last calls, for their rating
  outcomeCall: null, // the ended call whose outcome form is shown
  media: null, // Promise<MediaStream|null>, started once online
  localStream: null,
  mediaError: null,
  certificate: null, // DTLS certificate made ahead of time, reused by every call
  micMuted: false,
  cameraOff: false,
};

// What the switchboard sent (window.relais.counters).
export const counters = { received: Object.create(null), invalid: 0, localCandidates: [], remoteCandidates: [], lastError: null, chimes: 0 };

// When this console accepted, got the call, saw the first frame
// (performance.now(); window.relais.timing).
export const timing = { accept: 0, call: 0, firstFrame: 0 };

const listeners = [];
// `fn` runs after every change of the page's or the link's state.
export function onPageChange(fn) {
  listeners.push(fn);
}
const changed = () => listeners.forEach((fn) => fn());

export function setState(s) {
  ui.body.dataset.state = s; // signed-out | idle | accepting | in-call
  changed();
}

export function setLink(link, detail) {
  st.link = link;
  ui.body.dataset.link = link;
  ui.linkState.dataset.link = link;
  const text = t(`link.${link}`);
  ui.linkState.textContent = detail ? `${text} ${detail}` : text;
  changed();
}
