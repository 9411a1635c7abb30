// SPDX-License-Identifier: GPL-2.0-or-later
// Screen sharing, adviser side: the "Share screen" / "Stop sharing" button of
// the call controls. getDisplayMedia (video only) gives a display track, which
// the Call puts on the booth's screen m-line (Call.startShare: replaceTrack,
// then `share{state:"on"}`); stopping takes it off and says "off". Stopping
// happens on the button, when the browser ends the track (its own "Stop
// sharing" bar, a closed window), and at the end of the call. The booth shows
// the screen large and the adviser's face small while it is on.

import { t } from './i18n.js';

export class ScreenShare {
  // opts: { button, status, getCall() -> Call|null, toast(text, kind), announce(text), onChange() }
  constructor(opts) {
    this.opts = opts;
    this.stream = null;
    this.starting = false;
    // While the sender is being emptied (replaceTrack(null) pending) the
    // page says "stopping", never "off": "off" means nothing is sent.
    this.stopping = null;
    opts.button.addEventListener('click', () => (this.stream ? this.stop() : this.start()));
  }

  get active() {
    return this.stream !== null;
  }

  // Button and status for the current call (null: none).
  update() {
    const { button, status } = this.opts;
    const call = this.opts.getCall();
    const can = !!call && call.canShare && !!navigator.mediaDevices?.getDisplayMedia;
    button.disabled = this.starting || this.stopping !== null || (!this.stream && !can);
    button.textContent = t(this.stream ? 'share.stop' : 'share.start');
    button.setAttribute('aria-pressed', String(!!this.stream));
    button.title = call && !call.canShare ? t('share.cannot') : '';
    status.hidden = !this.stream;
    document.body.dataset.share = this.stream ? 'on' : this.stopping ? 'stopping' : 'off';
  }

  async start() {
    const call = this.opts.getCall();
    if (this.stream || this.starting || this.stopping || !call?.canShare) return;
    if (!navigator.mediaDevices?.getDisplayMedia) {
      this.opts.toast(t('share.no-browser'), 'error');
      return;
    }
    this.starting = true;
    this.update();
    let stream = null;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 10, max: 15 } }, audio: false });
    } catch (err) {
      const why =
        err?.name === 'NotAllowedError'
          ? t('share.refused')
          : err?.name === 'NotFoundError'
            ? t('share.none')
            : t('share.failed.name', { name: err?.name ?? 'error' });
      this.opts.toast(t('share.failed.camera', { why }), 'error');
      return;
    } finally {
      this.starting = false;
      this.update();
    }
    const track = stream.getVideoTracks()[0];
    // the call ended, or another one started, while the browser asked
    if (!track || this.opts.getCall() !== call || !call.canShare) {
      for (const t of stream.getTracks()) t.stop();
      return;
    }
    track.contentHint = 'detail'; // text stays sharp: resolution before frame rate
    track.addEventListener('ended', () => this.stop());
    try {
      await call.startShare(track);
    } catch (err) {
      for (const t of stream.getTracks()) t.stop();
      this.opts.toast(t('share.failed', { why: err.message }), 'error');
      return;
    }
    this.stream = stream;
    this.update();
    this.opts.toast(t('share.on'));
    this.opts.announce(t('share.on.announce'));
    this.opts.onChange?.();
  }

  // notify: tell the booth (not when the call is over anyway). The page
  // shows "off" only once the screen's sender is empty, so that what it says
  // is true: until then it shows "stopping". Returns when that is so.
  stop({ notify = true } = {}) {
    const stream = this.stream;
    if (!stream) return this.stopping ?? Promise.resolve();
    this.stream = null;
    for (const t of stream.getTracks()) t.stop();
    const call = this.opts.getCall();
    if (notify && call) {
      this.stopping = call
        .stopShare()
        .catch((err) => console.warn('relais share: stop failed', err))
        .finally(() => {
          this.stopping = null;
          this.update();
          this.opts.onChange?.();
        });
    }
    this.update();
    if (notify) this.opts.announce(t('share.stopped'));
    this.opts.onChange?.();
    return this.stopping ?? Promise.resolve();
  }
}
