// SPDX-License-Identifier: GPL-2.0-or-later
// The adviser's own camera and microphone: opened once online (receive only
// when refused or missing, with a warning and "Retry camera"), muted and
// switched off by the call controls.

import { setMessage } from './page.js';
import { st, ui } from './console-state.js';
import { announce, toast } from './notice.js';
import { keepPrepared, updateControls } from './stage.js';
import { t } from './i18n.js';

export function acquireMedia() {
  st.mediaError = null;
  ui.retryMediaBtn.hidden = true;
  st.media = (async () => {
    if (!navigator.mediaDevices?.getUserMedia) throw new DOMException(t('media.no-https'), 'NotSupportedError');
    return navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 } },
    });
  })().then(
    (stream) => {
      st.localStream = stream;
      for (const track of stream.getTracks()) {
        track.addEventListener('ended', () => {
          showMediaWarning(t(track.kind === 'video' ? 'media.camera-stopped' : 'media.mic-stopped'));
          ui.retryMediaBtn.hidden = false;
        });
      }
      applyTrackToggles();
      ui.localVideo.srcObject = stream;
      ui.body.dataset.media = 'sendrecv';
      showMediaWarning(null);
      // A call in progress was answered without it; the booth, as offerer, would
      // have to renegotiate to take it now.
      if (st.call && !st.call.localStream) toast(t('media.ready-next-call'));
      updateControls();
      keepPrepared();
      return stream;
    },
    (err) => {
      st.mediaError = err;
      st.localStream = null;
      ui.body.dataset.media = 'recvonly';
      const why = err?.name === 'NotAllowedError'
        ? t('media.refused')
        : err?.name === 'NotFoundError'
          ? t('media.none')
          : t('media.failed', { name: err?.name ?? 'error' });
      showMediaWarning(t('media.recvonly', { why }));
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
  announce(t(st.micMuted ? 'media.mic-muted' : 'media.mic-on'));
});
ui.cameraBtn.addEventListener('click', () => {
  st.cameraOff = !st.cameraOff;
  applyTrackToggles();
  updateControls();
  announce(t(st.cameraOff ? 'media.camera-off' : 'media.camera-on'));
});
ui.retryMediaBtn.addEventListener('click', () => {
  for (const t of st.localStream?.getTracks() ?? []) t.stop();
  acquireMedia();
});
