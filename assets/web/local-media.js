// SPDX-License-Identifier: GPL-2.0-or-later
// The adviser's own camera and microphone: opened once online (receive only
// when refused or missing, with a warning and "Retry camera"), muted and
// switched off by the call controls.

import { setMessage } from './page.js';
import { st, ui } from './console-state.js';
import { announce, toast } from './notice.js';
import { keepPrepared, updateControls } from './stage.js';

export function acquireMedia() {
  st.mediaError = null;
  ui.retryMediaBtn.hidden = true;
  st.media = (async () => {
    if (!navigator.mediaDevices?.getUserMedia) throw new DOMException('This page has no access to cameras (it must be served over HTTPS).', 'NotSupportedError');
    return navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 } },
    });
  })().then(
    (stream) => {
      st.localStream = stream;
      for (const t of stream.getTracks()) {
        t.addEventListener('ended', () => {
          showMediaWarning(`Your ${t.kind === 'video' ? 'camera' : 'microphone'} stopped (unplugged or taken by another program).`);
          ui.retryMediaBtn.hidden = false;
        });
      }
      applyTrackToggles();
      ui.localVideo.srcObject = stream;
      ui.body.dataset.media = 'sendrecv';
      showMediaWarning(null);
      // A call in progress was answered without it; the booth, as offerer, would
      // have to renegotiate to take it now.
      if (st.call && !st.call.localStream) toast('Camera and microphone ready: they will be used from the next call.');
      updateControls();
      keepPrepared();
      return stream;
    },
    (err) => {
      st.mediaError = err;
      st.localStream = null;
      ui.body.dataset.media = 'recvonly';
      const why = err?.name === 'NotAllowedError'
        ? 'access to the camera and microphone was refused'
        : err?.name === 'NotFoundError'
          ? 'no camera or microphone was found'
          : `the camera or microphone could not be opened (${err?.name ?? 'error'})`;
      showMediaWarning(`Receive only: ${why}. You will see and hear visitors, but they will not see or hear you (use the text chat). Fix it, then choose “Retry camera”.`);
      ui.retryMediaBtn.hidden = false;
      updateControls();
      return null;
    },
  );
  return st.media;
}

// Stops the camera and microphone (signing out).
export function releaseMedia() {
  for (const t of st.localStream?.getTracks() ?? []) t.stop();
  st.localStream = null;
  st.media = null;
  ui.localVideo.srcObject = null;
}

const showMediaWarning = (text) => setMessage(ui.mediaWarning, text);

function applyTrackToggles() {
  for (const t of st.localStream?.getAudioTracks() ?? []) t.enabled = !st.micMuted;
  for (const t of st.localStream?.getVideoTracks() ?? []) t.enabled = !st.cameraOff;
}

ui.muteBtn.addEventListener('click', () => {
  st.micMuted = !st.micMuted;
  applyTrackToggles();
  updateControls();
  announce(st.micMuted ? 'Microphone muted.' : 'Microphone on.');
});
ui.cameraBtn.addEventListener('click', () => {
  st.cameraOff = !st.cameraOff;
  applyTrackToggles();
  updateControls();
  announce(st.cameraOff ? 'Camera off.' : 'Camera on.');
});
ui.retryMediaBtn.addEventListener('click', () => {
  for (const t of st.localStream?.getTracks() ?? []) t.stop();
  acquireMedia();
});
