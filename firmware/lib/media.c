/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-media"
/* webrtcbin's headers are marked unstable although the API has been kept
 * since 1.14; acknowledging it keeps -Werror builds quiet. */
#define GST_USE_UNSTABLE_API

#include "media.h"
#include "media-level.h"
#include "media-quality.h"
#include "relais-config.h"

#include <string.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <nice/agent.h>
#include <gst/audio/audio.h>
#include <gst/audio/streamvolume.h>
#include <gst/sdp/sdp.h>
#include <gst/video/video.h>
#include <gst/webrtc/webrtc.h>

G_DEFINE_QUARK(relais - media - error - quark, relais_media_error)

/*
 * Pipeline, built once in relais_media_new() and played by start():
 *
 *   video source ─[camera off]─ tee ! queue(leaky, 1 frame) ! video encoder ──────┐
 *                                └─[gate]─ queue(leaky, 1) ! videoconvert          │
 *                                          ! appsink (local-video)                 │
 *   audio source ! queue(leaky, 50 ms) ! processing(webrtcdsp)                     │
 *                ─[mic level]─ volume(relais-mute) ! audio encoder ────────────────┤ webrtcbin ─┐
 *                                                                                              │
 *   ┌──────────────────────────────────────────────────────────────────────────────────────────┘
 *   ├─ video decoder ! videoconvert ! I420 ─[frame func]─ appsink (remote-video)
 *   ├─ video decoder ─[rate]─ identity ! videoconvert ! videoscale ! I420 ≤ cap
 *   │                                       ─[frame func]─ appsink (screen-video)
 *   └─ audio decoder ! audioconvert ! volume(relais-volume) ─ playback (webrtcechoprobe ! ... ! sink)
 *
 * The screen branch exists on the offerer only, fed by the third m-line's
 * receive-only transceiver (see RELAIS_MEDIA_SCREEN_MLINE in media.h).
 *
 * [...] are pad probes: camera off swaps each frame for a shared black one
 * before the tee; the gate drops self-view frames before their queue while
 * no LOCAL frame function is set (no thread wakes for them); the mic level
 * is measured before the mute so that it moves while muted.
 *
 * Everything exists and plays from start(); the remote streams are only
 * linked to their decoders when webrtcbin exposes them. Nothing is created
 * or started on the way to the first frame, the UI may poll the appsink at
 * any time, and webrtcdsp finds its echo probe before it goes to PAUSED.
 *
 * Lifetime: every callback GStreamer can make (signals, probes, promises,
 * sources) holds a reference on the engine and checks `closed` first, so
 * that nothing touches freed memory and nothing reaches the owner after
 * relais_media_free(). Owner callbacks go through one FIFO drained by an
 * idle source on the owner's context, which keeps their order (the offer
 * before its candidates, CONNECTED before an error).
 */

typedef enum {
	EVENT_SDP,
	EVENT_ICE,
	EVENT_STATE,
	EVENT_ERROR,
} EventKind;

typedef struct {
	EventKind kind;
	char *type;
	char *text;
	guint mline;
	RelaisMediaState state;
	GError *error;
} Event;

struct _RelaisMedia {
	gatomicrefcount ref;
	GMutex lock;
	gboolean closed;

	GMainContext *context;
	RelaisMediaCallbacks cb;
	gpointer user_data;
	RelaisMediaRole role;
	RelaisMediaState state;
	char *board;
	guint video_kbps; /* advertised to the far end as its start bitrate */

	GstElement *pipeline;
	GstElement *webrtc;
	GstElement *video_sink;			   /* appsink */
	GstElement *video_decoder, *audio_decoder; /* bins waiting for the remote streams */
	/* Screen sharing (offerer only, else NULL): the receive-only
	 * transceiver of m-line RELAIS_MEDIA_SCREEN_MLINE, its decoder and sink. */
	GstWebRTCRTPTransceiver *screen_trans;
	GstElement *screen_decoder, *screen_sink;
	gboolean screen_linked;
	gint64 screen_last_us; /* last decoded screen frame let through (streaming thread) */
	GstElement *playback;
	GstPad *video_in, *audio_in; /* webrtcbin request pads */
	GstPad *video_pay_sink;	     /* where keyframe requests are sent from */
	GSource *bus_source;

	GQueue events;
	GSource *event_source;

	gboolean started;
	gboolean caps_video, caps_audio;
	gboolean offer_requested;
	gboolean sdp_emitted; /* our offer/answer went to the owner */
	gboolean remote_set;
	GstWebRTCSessionDescription *pending_offer; /* answerer, until caps are known */
	gboolean video_linked, audio_linked;
	guint n_mlines;

	RelaisMediaStats stats;
	RelaisStampStats *stamp; /* benchmarks only (RELAIS_MEDIA_STAMP=1), see stamp.h */

	/* Frame functions, under their own lock, held while one runs: clearing
	 * one waits for a call in progress, and no engine lock is held while
	 * the owner's code runs on a streaming thread. */
	GMutex frame_lock;
	RelaisMediaFrameFunc frame_func[RELAIS_MEDIA_VIDEO_SCREEN + 1];
	gpointer frame_data[RELAIS_MEDIA_VIDEO_SCREEN + 1];
	gint frame_wanted[RELAIS_MEDIA_VIDEO_SCREEN + 1]; /* atomic copies of frame_func[i] != NULL */

	/* Controls. */
	gint camera_off;    /* atomic */
	GstElement *mute;   /* volume before the audio encoder */
	GstElement *volume; /* volume before the playback */
	RelaisLevel *mic_level;
	/* Camera off: one black frame for the negotiated caps, shared by every
	 * replaced frame (source streaming thread only; freed with the engine). */
	GstBuffer *black;
	GstCaps *black_caps;

	/* Quality (under lock). */
	GSource *quality_source;
	gint64 connected_us, last_video_received_us, last_audio_received_us;
	RelaisQuality quality;
};

static RelaisMedia *media_ref(RelaisMedia *m)
{
	g_atomic_ref_count_inc(&m->ref);
	return m;
}

static void media_unref(gpointer data)
{
	RelaisMedia *m = data;
	if (!g_atomic_ref_count_dec(&m->ref))
		return;
	/* Last reference: free() has already torn the pipeline down. */
	g_assert(m->pipeline == NULL);
	g_clear_pointer(&m->stamp, relais_stamp_stats_unref);
	g_clear_pointer(&m->mic_level, relais_level_unref);
	gst_clear_buffer(&m->black);
	gst_clear_caps(&m->black_caps);
	g_mutex_clear(&m->frame_lock);
	g_mutex_clear(&m->lock);
	g_main_context_unref(m->context);
	g_free(m->board);
	g_free(m);
}

static void media_unref_closure(gpointer data, GClosure *closure)
{
	media_unref(data);
}

static void event_free(Event *ev)
{
	g_free(ev->type);
	g_free(ev->text);
	g_clear_error(&ev->error);
	g_free(ev);
}

/* --- owner-context delivery ------------------------------------------- */

static gboolean dispatch_events(gpointer data)
{
	RelaisMedia *m = data;
	GQueue q = G_QUEUE_INIT;

	g_mutex_lock(&m->lock);
	q = m->events;
	g_queue_init(&m->events);
	g_clear_pointer(&m->event_source, g_source_unref);
	g_mutex_unlock(&m->lock);

	Event *ev;
	while ((ev = g_queue_pop_head(&q)) != NULL) {
		/* The owner may free the engine from inside any callback. */
		g_mutex_lock(&m->lock);
		gboolean closed = m->closed;
		g_mutex_unlock(&m->lock);
		if (!closed) {
			switch (ev->kind) {
			case EVENT_SDP:
				if (m->cb.on_sdp)
					m->cb.on_sdp(m, ev->type, ev->text, m->user_data);
				break;
			case EVENT_ICE:
				if (m->cb.on_ice)
					m->cb.on_ice(m, ev->mline, ev->text, m->user_data);
				break;
			case EVENT_STATE:
				if (m->cb.on_state)
					m->cb.on_state(m, ev->state, m->user_data);
				break;
			case EVENT_ERROR:
				if (m->cb.on_error)
					m->cb.on_error(m, ev->error, m->user_data);
				break;
			}
		}
		event_free(ev);
	}
	return G_SOURCE_REMOVE;
}

/* Called with m->lock held. Takes ownership of ev. */
static void push_event_locked(RelaisMedia *m, Event *ev)
{
	if (m->closed) {
		event_free(ev);
		return;
	}
	g_queue_push_tail(&m->events, ev);
	if (m->event_source == NULL) {
		m->event_source = g_idle_source_new();
		g_source_set_priority(m->event_source, G_PRIORITY_DEFAULT);
		g_source_set_name(m->event_source, "relais-media events");
		g_source_set_callback(m->event_source, dispatch_events, media_ref(m), media_unref);
		g_source_attach(m->event_source, m->context);
	}
}

static void push_event(RelaisMedia *m, Event *ev)
{
	g_mutex_lock(&m->lock);
	push_event_locked(m, ev);
	g_mutex_unlock(&m->lock);
}

static void set_state(RelaisMedia *m, RelaisMediaState state)
{
	g_mutex_lock(&m->lock);
	/* FAILED is final: the call is lost, the owner starts again. */
	if (!m->closed && m->state != state && m->state != RELAIS_MEDIA_STATE_FAILED) {
		m->state = state;
		if (state == RELAIS_MEDIA_STATE_CONNECTED)
			m->connected_us = g_get_monotonic_time();
		Event *ev = g_new0(Event, 1);
		ev->kind = EVENT_STATE;
		ev->state = state;
		push_event_locked(m, ev);
	}
	g_mutex_unlock(&m->lock);
}

static gboolean is_closed(RelaisMedia *m)
{
	g_mutex_lock(&m->lock);
	gboolean closed = m->closed;
	g_mutex_unlock(&m->lock);
	return closed;
}

/* Returns: (transfer full) (nullable) webrtcbin, NULL once closed. */
static GstElement *ref_webrtc(RelaisMedia *m)
{
	g_mutex_lock(&m->lock);
	GstElement *w = (!m->closed && m->webrtc) ? gst_object_ref(m->webrtc) : NULL;
	g_mutex_unlock(&m->lock);
	return w;
}

static void dump_graph(RelaisMedia *m, const char *why)
{
	g_mutex_lock(&m->lock);
	GstElement *p = m->pipeline ? gst_object_ref(m->pipeline) : NULL;
	g_mutex_unlock(&m->lock);
	if (p == NULL)
		return;
	/* Written only when GST_DEBUG_DUMP_DOT_DIR is set. */
	g_autofree char *name = g_strdup_printf("relais-media-%s", why);
	GST_DEBUG_BIN_TO_DOT_FILE_WITH_TS(GST_BIN(p), GST_DEBUG_GRAPH_SHOW_ALL, name);
	gst_object_unref(p);
}

/* The first failure loses the call; later ones are consequences. Takes
 * ownership of error. */
static void fail(RelaisMedia *m, GError *error)
{
	dump_graph(m, "error");
	g_mutex_lock(&m->lock);
	if (m->closed || m->state == RELAIS_MEDIA_STATE_FAILED) {
		g_mutex_unlock(&m->lock);
		g_debug("after failure: %s", error->message);
		g_error_free(error);
		return;
	}
	m->state = RELAIS_MEDIA_STATE_FAILED;
	Event *ev = g_new0(Event, 1);
	ev->kind = EVENT_STATE;
	ev->state = RELAIS_MEDIA_STATE_FAILED;
	push_event_locked(m, ev);
	ev = g_new0(Event, 1);
	ev->kind = EVENT_ERROR;
	ev->error = error;
	push_event_locked(m, ev);
	g_mutex_unlock(&m->lock);
}

static void fail_literal(RelaisMedia *m, RelaisMediaError code, const char *what, const GError *cause)
{
	if (cause != NULL)
		fail(m, g_error_new(RELAIS_MEDIA_ERROR, code, "%s: %s", what, cause->message));
	else
		fail(m, g_error_new_literal(RELAIS_MEDIA_ERROR, code, what));
}

/* --- warm-up ------------------------------------------------------------ */

void relais_media_warm_up(void)
{
	static gsize done = 0;
	if (!g_once_init_enter(&done))
		return;
	if (gst_is_initialized() || gst_init_check(NULL, NULL, NULL)) {
		/* dtlsdec generates the process-wide certificate on first use and
		 * caches it; every webrtcbin made later reuses it. */
		gint64 t0 = g_get_monotonic_time();
		GstElement *dec = gst_element_factory_make("dtlsdec", NULL);
		if (dec != NULL) {
			gst_object_ref_sink(dec);
			g_autofree char *pem = NULL;
			g_object_get(dec, "pem", &pem, NULL);
			gst_object_unref(dec);
			g_debug("DTLS certificate ready in %" G_GINT64_FORMAT " ms",
				(g_get_monotonic_time() - t0) / 1000);
		}
	}
	g_once_init_leave(&done, 1);
}

/* --- statistics probes --------------------------------------------------- */

typedef enum {
	COUNT_VIDEO_SENT,
	COUNT_AUDIO_SENT,
	COUNT_VIDEO_RECEIVED,
	COUNT_AUDIO_RECEIVED,
	COUNT_SCREEN_RECEIVED,
} Counter;

typedef struct {
	RelaisMedia *media;
	Counter counter;
} ProbeData;

static void probe_data_free(gpointer data)
{
	ProbeData *pd = data;
	media_unref(pd->media);
	g_free(pd);
}

static GstPadProbeReturn count_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	ProbeData *pd = data;
	RelaisMedia *m = pd->media;
	RelaisMediaStats *s = &m->stats;

	if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
		GstEvent *ev = GST_PAD_PROBE_INFO_EVENT(info);
		gboolean screen = pd->counter == COUNT_SCREEN_RECEIVED;
		if (GST_EVENT_TYPE(ev) == GST_EVENT_CAPS && (pd->counter == COUNT_VIDEO_RECEIVED || screen)) {
			GstCaps *caps;
			gst_event_parse_caps(ev, &caps);
			GstVideoInfo vi;
			if (gst_video_info_from_caps(&vi, caps)) {
				g_mutex_lock(&m->lock);
				*(screen ? &s->screen_width : &s->video_width) = GST_VIDEO_INFO_WIDTH(&vi);
				*(screen ? &s->screen_height : &s->video_height) = GST_VIDEO_INFO_HEIGHT(&vi);
				g_mutex_unlock(&m->lock);
			}
		}
		return GST_PAD_PROBE_OK;
	}

	guint n = 1;
	if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
		n = gst_buffer_list_length(GST_PAD_PROBE_INFO_BUFFER_LIST(info));
	gint64 now = g_get_monotonic_time();
	g_mutex_lock(&m->lock);
	switch (pd->counter) {
	case COUNT_VIDEO_SENT:
		if (s->video_frames_sent == 0)
			s->first_video_sent_us = now;
		s->video_frames_sent += n;
		break;
	case COUNT_AUDIO_SENT:
		s->audio_buffers_sent += n;
		break;
	case COUNT_VIDEO_RECEIVED:
		if (s->video_frames_received == 0)
			s->first_video_received_us = now;
		s->video_frames_received += n;
		m->last_video_received_us = now;
		break;
	case COUNT_AUDIO_RECEIVED:
		if (s->audio_buffers_received == 0)
			s->first_audio_received_us = now;
		s->audio_buffers_received += n;
		m->last_audio_received_us = now;
		break;
	case COUNT_SCREEN_RECEIVED:
		if (s->screen_frames_received == 0)
			s->first_screen_received_us = now;
		s->screen_frames_received += n;
		/* media from the far end for the quality bars too (an adviser
		 * without camera or microphone who shares a screen) */
		m->last_video_received_us = now;
		break;
	}
	g_mutex_unlock(&m->lock);
	return GST_PAD_PROBE_OK;
}

static void add_count_probe(RelaisMedia *m, GstPad *pad, Counter counter)
{
	ProbeData *pd = g_new0(ProbeData, 1);
	pd->media = media_ref(m);
	pd->counter = counter;
	GstPadProbeType mask = GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST;
	if (counter == COUNT_VIDEO_RECEIVED || counter == COUNT_SCREEN_RECEIVED)
		mask |= GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM;
	gst_pad_add_probe(pad, mask, count_probe, pd, probe_data_free);
}

/* --- frames for the UI ------------------------------------------------------ */

static void deliver_frame(RelaisMedia *m, RelaisMediaVideo which, GstSample *sample)
{
	g_mutex_lock(&m->frame_lock);
	if (m->frame_func[which] != NULL)
		m->frame_func[which](sample, m->frame_data[which]);
	g_mutex_unlock(&m->frame_lock);
}

static GstFlowReturn on_local_sample(GstAppSink *sink, gpointer data)
{
	RelaisMedia *m = data;
	/* Pulled at once: the appsink keeps no frame of the visitor. */
	GstSample *sample = gst_app_sink_try_pull_sample(sink, 0);
	if (sample != NULL) {
		deliver_frame(m, RELAIS_MEDIA_VIDEO_LOCAL, sample);
		gst_sample_unref(sample);
	}
	return GST_FLOW_OK;
}

/* The screen's frames reach the UI through screen_frame_probe(); the
 * appsink keeps none of them. */
static GstFlowReturn on_screen_sample(GstAppSink *sink, gpointer data)
{
	GstSample *sample = gst_app_sink_try_pull_sample(sink, 0);
	if (sample != NULL)
		gst_sample_unref(sample);
	return GST_FLOW_OK;
}

/* Before the self-view queue: nothing to do while nobody looks. */
static GstPadProbeReturn local_gate_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	RelaisMedia *m = data;
	return g_atomic_int_get(&m->frame_wanted[RELAIS_MEDIA_VIDEO_LOCAL]) ? GST_PAD_PROBE_OK : GST_PAD_PROBE_DROP;
}

/* On the remote appsink's input, so that relais_media_pull_remote_video()
 * still finds the frame in the appsink. */
static void deliver_probe_frame(RelaisMedia *m, RelaisMediaVideo which, GstPad *pad, GstPadProbeInfo *info)
{
	if (!g_atomic_int_get(&m->frame_wanted[which]))
		return;
	GstCaps *caps = gst_pad_get_current_caps(pad);
	GstSample *sample = gst_sample_new(GST_PAD_PROBE_INFO_BUFFER(info), caps, NULL, NULL);
	deliver_frame(m, which, sample);
	gst_sample_unref(sample);
	if (caps != NULL)
		gst_caps_unref(caps);
}

static GstPadProbeReturn remote_frame_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	deliver_probe_frame(data, RELAIS_MEDIA_VIDEO_REMOTE, pad, info);
	return GST_PAD_PROBE_OK;
}

/* The size the screen is kept at: its own up to the Kconfig box, else
 * scaled down keeping its aspect, even in both directions (I420 chroma and
 * the UI's textures), set on the branch's capsfilter before the decoder's
 * caps reach it. videoscale left to fixate a range may pick an odd size. */
static void screen_fit(RelaisMedia *m, GstCaps *caps)
{
	GstVideoInfo vi;
	if (caps == NULL || !gst_video_info_from_caps(&vi, caps) || vi.width <= 0 || vi.height <= 0)
		return;
	double w = vi.width * (vi.par_d > 0 ? (double)vi.par_n / vi.par_d : 1.0), h = vi.height;
	double s = MIN(1.0, MIN(CONFIG_RELAIS_MEDIA_SCREEN_MAX_WIDTH / w, CONFIG_RELAIS_MEDIA_SCREEN_MAX_HEIGHT / h));
	int tw = MAX(16, ((int)(w * s)) & ~1), th = MAX(16, ((int)(h * s)) & ~1);
	g_autoptr(GstElement) filter = gst_bin_get_by_name(GST_BIN(m->screen_decoder), "relais-screen-size");
	if (filter == NULL)
		return;
	g_autoptr(GstCaps) want =
		gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT, tw, "height",
				    G_TYPE_INT, th, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
	g_object_set(filter, "caps", want, NULL);
	g_debug("%s: shared screen %dx%d kept at %dx%d", m->board, vi.width, vi.height, tw, th);
}

/* Decoded screen frames closer than 1/CONFIG_RELAIS_MEDIA_SCREEN_FPS to
 * the last one kept go no further than the decoder: no conversion, no
 * scaling, no UI upload. (videorate is not used: 1.22 aborts on buffers
 * without a duration, which a decoder may well produce.) */
static GstPadProbeReturn screen_rate_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	RelaisMedia *m = data;
	if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
		GstEvent *ev = GST_PAD_PROBE_INFO_EVENT(info);
		if (GST_EVENT_TYPE(ev) == GST_EVENT_CAPS) {
			GstCaps *caps;
			gst_event_parse_caps(ev, &caps);
			screen_fit(m, caps);
		}
		return GST_PAD_PROBE_OK;
	}
	gint64 now = g_get_monotonic_time();
	/* a little slack so that a source at exactly the cap is not halved */
	if (m->screen_last_us != 0 &&
	    now - m->screen_last_us < G_USEC_PER_SEC * 9 / (10 * CONFIG_RELAIS_MEDIA_SCREEN_FPS))
		return GST_PAD_PROBE_DROP;
	m->screen_last_us = now;
	return GST_PAD_PROBE_OK;
}

/* The screen's appsink is never pulled: frames go to the UI from here. */
static GstPadProbeReturn screen_frame_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	deliver_probe_frame(data, RELAIS_MEDIA_VIDEO_SCREEN, pad, info);
	return GST_PAD_PROBE_OK;
}

/* --- camera off ---------------------------------------------------------- */

/* Returns: (transfer full) (nullable) a black frame for caps: Y 16, chroma
 * 128 for planar and semi-planar YUV (every board's source is I420), zero
 * bytes otherwise (black in RGB; in any case not the camera's picture). */
static GstBuffer *make_black_frame(GstCaps *caps)
{
	GstVideoInfo vi;
	if (caps == NULL || !gst_video_info_from_caps(&vi, caps))
		return NULL;
	GstBuffer *buf = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&vi), NULL);
	GstMapInfo map;
	if (buf == NULL || !gst_buffer_map(buf, &map, GST_MAP_WRITE)) {
		gst_clear_buffer(&buf);
		return NULL;
	}
	guint planes = GST_VIDEO_INFO_N_PLANES(&vi);
	gboolean yuv = GST_VIDEO_INFO_IS_YUV(&vi) && planes > 1;
	for (guint p = 0; p < planes; p++) {
		gsize start = GST_VIDEO_INFO_PLANE_OFFSET(&vi, p);
		gsize end = p + 1 < planes ? GST_VIDEO_INFO_PLANE_OFFSET(&vi, p + 1) : GST_VIDEO_INFO_SIZE(&vi);
		memset(map.data + start, !yuv ? 0 : p == 0 ? 16 : 128, end - start);
	}
	gst_buffer_unmap(buf, &map);
	return buf;
}

/* At the tee's input: the encoder and the self-view get the same black
 * frame. Each replacement shares the black frame's memory (no copy, no fill
 * per frame) and keeps the captured frame's timestamps. */
static GstPadProbeReturn camera_off_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	RelaisMedia *m = data;
	if (!g_atomic_int_get(&m->camera_off))
		return GST_PAD_PROBE_OK;
	if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
		return GST_PAD_PROBE_DROP; /* no board's source sends lists; never the picture */
	GstCaps *caps = gst_pad_get_current_caps(pad);
	if (caps == NULL)
		return GST_PAD_PROBE_DROP; /* never the picture */
	if (m->black == NULL || m->black_caps == NULL || !gst_caps_is_equal(caps, m->black_caps)) {
		gst_clear_buffer(&m->black);
		gst_caps_replace(&m->black_caps, caps);
		m->black = make_black_frame(caps);
	}
	gst_caps_unref(caps);
	if (m->black == NULL)
		return GST_PAD_PROBE_DROP;
	GstBuffer *frame = GST_PAD_PROBE_INFO_BUFFER(info);
	GstBuffer *black = gst_buffer_new();
	gst_buffer_copy_into(black, m->black, GST_BUFFER_COPY_MEMORY, 0, -1);
	gst_buffer_copy_into(black, frame, GST_BUFFER_COPY_FLAGS | GST_BUFFER_COPY_TIMESTAMPS, 0, -1);
	gst_buffer_unref(frame);
	GST_PAD_PROBE_INFO_DATA(info) = black;
	return GST_PAD_PROBE_OK;
}

/* --- connection quality ------------------------------------------------ */

static gboolean stat_number(const GstStructure *s, const char *field, double *out)
{
	const GValue *v = gst_structure_get_value(s, field);
	if (v == NULL)
		return FALSE;
	GValue d = G_VALUE_INIT;
	g_value_init(&d, G_TYPE_DOUBLE);
	gboolean ok = g_value_transform(v, &d);
	if (ok)
		*out = g_value_get_double(&d);
	g_value_unset(&d);
	return ok;
}

static gboolean scan_stat(GQuark field, const GValue *value, gpointer data)
{
	RelaisQualityReport *scan = data;
	if (!GST_VALUE_HOLDS_STRUCTURE(value))
		return TRUE;
	const GstStructure *s = gst_value_get_structure(value);
	GstWebRTCStatsType type = 0;
	if (!gst_structure_get(s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, NULL))
		return TRUE;
	double v;
	switch (type) {
	case GST_WEBRTC_STATS_INBOUND_RTP:
		if (stat_number(s, "packets-received", &v) && v > 0)
			scan->packets_received += (guint64)v;
		if (stat_number(s, "packets-lost", &v) && v > 0) /* < 0 with duplicates */
			scan->packets_lost += (guint64)v;
		break;
	case GST_WEBRTC_STATS_REMOTE_INBOUND_RTP:
		if (stat_number(s, "fraction-lost", &v) && v >= 0)
			scan->fraction_lost = MAX(scan->fraction_lost, v);
		/* 0 until an RTCP report carries a round trip (LSR/DLSR). */
		if (stat_number(s, "round-trip-time", &v) && v > 0)
			scan->rtt_s = MAX(scan->rtt_s, v);
		break;
	default:
		break;
	}
	return TRUE;
}

/* On webrtcbin's thread. */
static void on_stats(GstPromise *promise, gpointer data)
{
	RelaisMedia *m = data;
	if (gst_promise_wait(promise) != GST_PROMISE_RESULT_REPLIED)
		return;
	const GstStructure *reply = gst_promise_get_reply(promise);
	if (reply == NULL)
		return;
	RelaisQualityReport scan = {.fraction_lost = -1.0, .rtt_s = -1.0};
	gst_structure_foreach(reply, scan_stat, &scan);

	g_mutex_lock(&m->lock);
	double loss = relais_quality_add_report(&m->quality, &scan, g_get_monotonic_time());
	g_mutex_unlock(&m->lock);
	g_debug("quality: loss %.3f rtt %.3f s", loss, scan.rtt_s);
}

static gboolean poll_quality(gpointer data)
{
	RelaisMedia *m = data;
	g_mutex_lock(&m->lock);
	gboolean closed = m->closed;
	gboolean connected = m->state == RELAIS_MEDIA_STATE_CONNECTED;
	g_mutex_unlock(&m->lock);
	if (closed)
		return G_SOURCE_REMOVE;
	GstElement *webrtc = connected ? ref_webrtc(m) : NULL;
	if (webrtc != NULL) {
		/* Answered on webrtcbin's thread: the main loop never waits. */
		GstPromise *p = gst_promise_new_with_change_func(on_stats, media_ref(m), media_unref);
		g_signal_emit_by_name(webrtc, "get-stats", NULL, p);
		gst_promise_unref(p);
		gst_object_unref(webrtc);
	}
	return G_SOURCE_CONTINUE;
}

/* --- building ------------------------------------------------------------ */

GstElement *relais_media_parse_fragment(const char *name, const char *desc, GError **error)
{
	g_autoptr(GError) local = NULL;
	GstParseContext *ctx = gst_parse_context_new();
	GstElement *bin = gst_parse_bin_from_description_full(desc, TRUE, ctx, GST_PARSE_FLAG_FATAL_ERRORS, &local);
	g_auto(GStrv) missing = gst_parse_context_get_missing_elements(ctx);
	gst_parse_context_free(ctx);
	if (bin == NULL) {
		const char *pkg = (missing && missing[0]) ? relais_media_conf_package_for(missing[0]) : NULL;
		if (pkg != NULL)
			g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_MISSING_ELEMENT,
				    "%s: missing GStreamer element %s (Debian package %s)", name, missing[0], pkg);
		else if (missing && missing[0])
			g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_MISSING_ELEMENT,
				    "%s: missing GStreamer element %s (no known Debian package: check the name)", name,
				    missing[0]);
		else
			g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "%s: %s", name,
				    local ? local->message : "cannot build");
		return NULL;
	}
	gst_object_set_name(GST_OBJECT(bin), name);
	return bin;
}

/* Returns: (transfer full) (nullable) the first element in bin made by a
 * factory whose name is factory_name, or whose klass contains klass_word. */
static GstElement *find_element(GstBin *bin, const char *factory_name, const char *klass_word)
{
	GstElement *found = NULL;
	GstIterator *it = gst_bin_iterate_recurse(bin);
	GValue item = G_VALUE_INIT;
	while (found == NULL && gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
		GstElement *el = g_value_get_object(&item);
		GstElementFactory *f = gst_element_get_factory(el);
		if (f != NULL) {
			const char *klass = gst_element_factory_get_metadata(f, GST_ELEMENT_METADATA_KLASS);
			if ((factory_name && g_str_equal(GST_OBJECT_NAME(f), factory_name)) ||
			    (klass_word && klass && strstr(klass, klass_word)))
				found = gst_object_ref(el);
		}
		g_value_reset(&item);
	}
	g_value_unset(&item);
	gst_iterator_free(it);
	return found;
}

/* Sinks of the remote tails get data only once a peer sends; they must not
 * hold the pipeline in PAUSED waiting for a preroll buffer, nor keep the
 * last frame or sound of a session around (privacy). */
static void tame_sinks(GstBin *bin)
{
	GstIterator *it = gst_bin_iterate_sinks(bin);
	GValue item = G_VALUE_INIT;
	while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
		GstElement *sink = g_value_get_object(&item);
		if (GST_IS_BASE_SINK(sink))
			g_object_set(sink, "async", FALSE, "enable-last-sample", FALSE, NULL);
		g_value_reset(&item);
	}
	g_value_unset(&item);
	gst_iterator_free(it);
}

/* Gives a jitter buffer its latency back once its first packet is out. */
static GstPadProbeReturn restore_latency(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	GstElement *jitterbuffer = gst_pad_get_parent_element(pad);
	if (jitterbuffer != NULL) {
		g_object_set(jitterbuffer, "latency", GPOINTER_TO_UINT(data), NULL);
		gst_object_unref(jitterbuffer);
	}
	return GST_PAD_PROBE_REMOVE;
}

/* On the first packet into a jitter buffer (rtpbin has configured it by
 * then): no latency until that packet has left. */
static GstPadProbeReturn drop_first_latency(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	GstElement *jitterbuffer = gst_pad_get_parent_element(pad);
	if (jitterbuffer == NULL)
		return GST_PAD_PROBE_REMOVE;
	guint latency = 0;
	g_object_get(jitterbuffer, "latency", &latency, NULL);
	if (latency > 0) {
		GstPad *src = gst_element_get_static_pad(jitterbuffer, "src");
		gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, restore_latency,
				  GUINT_TO_POINTER(latency), NULL);
		gst_object_unref(src);
		g_object_set(jitterbuffer, "latency", 0, NULL);
	}
	gst_object_unref(jitterbuffer);
	return GST_PAD_PROBE_REMOVE;
}

static void on_deep_element_added(GstBin *bin, GstBin *sub_bin, GstElement *element, gpointer data)
{
	RelaisMedia *m = data;
	GstElementFactory *f = gst_element_get_factory(element);
	if (f == NULL || m->webrtc == NULL)
		return;
	const char *name = GST_OBJECT_NAME(f);
	if (g_str_equal(name, "clocksync") && gst_object_has_as_ancestor(GST_OBJECT(element), GST_OBJECT(m->webrtc))) {
		/* webrtcbin paces outgoing RTP on the clock; with a live
		 * source that holds every frame one frame interval (~30 ms). */
		g_object_set(element, "sync", FALSE, NULL);
		g_debug("%s: sync=false", GST_ELEMENT_NAME(element));
	} else if (g_str_equal(name, "rtpjitterbuffer")) {
		/* A new jitter buffer holds its first packet for the whole
		 * latency in case an earlier one is still on its way. Start as
		 * soon as packets arrive in sequence instead: a reordered first
		 * packet costs one keyframe request, waiting costs the latency on
		 * every call. In 1.22 fast start only looks at the head of the
		 * queue, where the stream's first events wait until the buffer's
		 * own thread has run, and a keyframe's packets all arrive before
		 * that: the first video frame still waited the whole latency
		 * (20-28 ms with latency=20, Chromium sending). So the first
		 * packet also goes through with no latency (its deadline is its
		 * arrival), and the configured latency applies from then on. */
		g_object_set(element, "faststart-min-packets", 1, NULL);
		GstPad *sink = gst_element_get_static_pad(element, "sink");
		gst_pad_add_probe(sink, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, drop_first_latency,
				  NULL, NULL);
		gst_object_unref(sink);
	} else if (g_str_equal(name, "rtpsession")) {
		/* A new SSRC is held "on probation" until a second packet in
		 * sequence arrives. SRTP already authenticates every packet, and
		 * the first video packet is often a lone keyframe followed by
		 * nothing for a frame interval or more. */
		g_object_set(element, "probation", 0, NULL);
	}
}

static void on_ice_candidate(GstElement *webrtc, guint mline, const char *candidate, gpointer data)
{
	RelaisMedia *m = data;
	Event *ev = g_new0(Event, 1);
	ev->kind = EVENT_ICE;
	ev->mline = mline;
	ev->text = g_strdup(candidate);
	push_event(m, ev);
}

static void on_gathering_state(GstElement *webrtc, GParamSpec *pspec, gpointer data)
{
	RelaisMedia *m = data;
	GstWebRTCICEGatheringState s;
	g_object_get(webrtc, "ice-gathering-state", &s, NULL);
	if (s != GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE)
		return;
	g_mutex_lock(&m->lock);
	for (guint i = 0; i < m->n_mlines; i++) {
		Event *ev = g_new0(Event, 1);
		ev->kind = EVENT_ICE;
		ev->mline = i;
		ev->text = g_strdup("");
		push_event_locked(m, ev);
	}
	g_mutex_unlock(&m->lock);
}

static void request_keyframe(RelaisMedia *m)
{
	g_mutex_lock(&m->lock);
	GstPad *pad = (!m->closed && m->video_pay_sink) ? gst_object_ref(m->video_pay_sink) : NULL;
	g_mutex_unlock(&m->lock);
	if (pad == NULL)
		return;
	/* Frames encoded before DTLS completed went nowhere; without a fresh
	 * keyframe the far end shows nothing until its PLI round trip. */
	gst_pad_push_event(pad, gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
	gst_object_unref(pad);
}

static void on_ice_connection_state(GstElement *webrtc, GParamSpec *pspec, gpointer data)
{
	GstWebRTCICEConnectionState s;
	g_object_get(webrtc, "ice-connection-state", &s, NULL);
	g_debug("ICE connection state %d at %" G_GINT64_FORMAT " ms", s, g_get_monotonic_time() / 1000);
}

static void on_connection_state(GstElement *webrtc, GParamSpec *pspec, gpointer data)
{
	RelaisMedia *m = data;
	GstWebRTCPeerConnectionState s;
	g_object_get(webrtc, "connection-state", &s, NULL);
	g_debug("%s: connection state %d at %" G_GINT64_FORMAT " ms", m->board, s, g_get_monotonic_time() / 1000);
	switch (s) {
	case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTING:
		set_state(m, RELAIS_MEDIA_STATE_CONNECTING);
		break;
	case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED:
		request_keyframe(m);
		set_state(m, RELAIS_MEDIA_STATE_CONNECTED);
		break;
	case GST_WEBRTC_PEER_CONNECTION_STATE_DISCONNECTED:
		/* ICE may still recover (or the owner restarts ICE). */
		set_state(m, RELAIS_MEDIA_STATE_CONNECTING);
		break;
	case GST_WEBRTC_PEER_CONNECTION_STATE_FAILED:
		fail_literal(m, RELAIS_MEDIA_ERROR_CONNECTION, "ICE/DTLS connection failed", NULL);
		break;
	default:
		break;
	}
}

/* Remote stream: into its decoder, built and playing since start so that
 * nothing is created or started on the way to the first frame. */
static void on_pad_added(GstElement *webrtc, GstPad *pad, gpointer data)
{
	RelaisMedia *m = data;
	if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC || is_closed(m))
		return;

	GstCaps *caps = gst_pad_get_current_caps(pad);
	if (caps == NULL)
		caps = gst_pad_query_caps(pad, NULL);
	const GstStructure *st = gst_caps_is_empty(caps) ? NULL : gst_caps_get_structure(caps, 0);
	g_autofree char *media = g_strdup(st ? gst_structure_get_string(st, "media") : NULL);
	gst_caps_unref(caps);
	g_debug("%s: remote %s stream at %" G_GINT64_FORMAT " ms", m->board, media ? media : "?",
		g_get_monotonic_time() / 1000);

	/* The camera and the shared screen are both video: the transceiver
	 * (its m-line) says which is which, whatever arrives first. */
	GstWebRTCRTPTransceiver *trans = NULL;
	if (g_object_class_find_property(G_OBJECT_GET_CLASS(pad), "transceiver") != NULL)
		g_object_get(pad, "transceiver", &trans, NULL);
	guint mline = G_MAXUINT;
	if (trans != NULL) {
		g_object_get(trans, "mlineindex", &mline, NULL);
		gst_object_unref(trans);
	}
	gboolean screen = m->screen_trans != NULL && (trans == m->screen_trans || mline == RELAIS_MEDIA_SCREEN_MLINE);
	g_debug("%s: remote %s stream on m-line %d%s", m->board, media ? media : "?", (int)mline,
		screen ? " (shared screen)" : "");

	GstElement *decoder = NULL;
	g_mutex_lock(&m->lock);
	if (screen && g_strcmp0(media, "video") == 0 && !m->screen_linked) {
		m->screen_linked = TRUE;
		decoder = gst_object_ref(m->screen_decoder);
	} else if (screen) {
		/* nothing but one video stream on the screen's m-line */
	} else if (g_strcmp0(media, "video") == 0 && !m->video_linked) {
		m->video_linked = TRUE;
		decoder = gst_object_ref(m->video_decoder);
	} else if (g_strcmp0(media, "audio") == 0 && !m->audio_linked) {
		m->audio_linked = TRUE;
		decoder = gst_object_ref(m->audio_decoder);
	}
	g_mutex_unlock(&m->lock);

	if (decoder == NULL) {
		/* Renegotiation is not supported: drain what we did not ask for
		 * so that it cannot stall the shared transport. */
		g_debug("dropping unexpected remote %s stream", media ? media : "?");
		decoder = gst_element_factory_make("fakesink", NULL);
		g_object_set(decoder, "async", FALSE, "sync", FALSE, NULL);
		gst_bin_add(GST_BIN(m->pipeline), gst_object_ref(decoder));
		gst_element_sync_state_with_parent(decoder);
	}
	GstPad *sink = gst_element_get_static_pad(decoder, "sink");
	GstPadLinkReturn r = gst_pad_link(pad, sink);
	gst_object_unref(sink);
	if (r != GST_PAD_LINK_OK)
		fail(m, g_error_new(RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
				    "cannot link remote %s stream to %s: %s", media ? media : "?",
				    GST_ELEMENT_NAME(decoder), gst_pad_link_get_name(r)));
	gst_object_unref(decoder);
}

static void on_negotiation_needed(GstElement *webrtc, gpointer data)
{
	/* The offer is driven by caps arrival instead (see negotiate()):
	 * webrtcbin can ask before the encoders have fixed their caps and
	 * then fails with "Peer caps not specific enough". */
	g_debug("negotiation needed");
}

static void connect_signal(RelaisMedia *m, gpointer instance, const char *signal, GCallback cb)
{
	g_signal_connect_data(instance, signal, cb, media_ref(m), media_unref_closure, 0);
}

static gboolean on_bus_message(GstBus *bus, GstMessage *msg, gpointer data)
{
	RelaisMedia *m = data;
	if (is_closed(m))
		return G_SOURCE_REMOVE;

	switch (GST_MESSAGE_TYPE(msg)) {
	case GST_MESSAGE_ERROR: {
		g_autoptr(GError) err = NULL;
		g_autofree char *debug = NULL;
		gst_message_parse_error(msg, &err, &debug);
		g_autofree char *path = gst_object_get_path_string(GST_MESSAGE_SRC(msg));
		g_debug("error from %s: %s (%s)", path, err->message, debug ? debug : "");
		fail(m, g_error_new(RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "%s: %s",
				    GST_MESSAGE_SRC_NAME(msg), err->message));
		break;
	}
	case GST_MESSAGE_WARNING: {
		g_autoptr(GError) err = NULL;
		g_autofree char *debug = NULL;
		gst_message_parse_warning(msg, &err, &debug);
		g_info("warning from %s: %s", GST_MESSAGE_SRC_NAME(msg), err->message);
		break;
	}
	case GST_MESSAGE_LATENCY:
		/* Remote streams join a playing pipeline: redistribute. */
		gst_bin_recalculate_latency(GST_BIN(m->pipeline));
		break;
	default:
		break;
	}
	return G_SOURCE_CONTINUE;
}

static gboolean link_to_webrtc(RelaisMedia *m, GstElement *encoder, const char *msid, gboolean video, GError **error)
{
	GstPad *in = gst_element_request_pad_simple(m->webrtc, "sink_%u");
	if (in == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "webrtcbin gave no sink pad");
		return FALSE;
	}
	/* Separate stream ids: with a shared one the browser lip-syncs video to
	 * its (large, headless) audio buffer, ~93 ms instead of ~25 ms. */
	g_object_set(in, "msid", msid, NULL);
	if (video) {
		/* NACK/RTX on video only: Chromium rejects an offer with RTX on audio. */
		GstWebRTCRTPTransceiver *trans = NULL;
		g_object_get(in, "transceiver", &trans, NULL);
		if (trans != NULL) {
			g_object_set(trans, "do-nack", TRUE, NULL);
			gst_object_unref(trans);
		}
		m->video_in = in;
	} else {
		m->audio_in = in;
	}
	GstPad *src = gst_element_get_static_pad(encoder, "src");
	GstPadLinkReturn r = gst_pad_link(src, in);
	gst_object_unref(src);
	if (r != GST_PAD_LINK_OK) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "cannot link %s encoder to webrtcbin: %s", video ? "video" : "audio",
			    gst_pad_link_get_name(r));
		return FALSE;
	}
	return TRUE;
}

static void on_sink_caps(GstPad *pad, GParamSpec *pspec, gpointer data);

static void tune_ice_agent(GstElement *webrtc)
{
	GObject *ice = NULL;
	g_object_get(webrtc, "ice-agent", &ice, NULL);
	if (ice == NULL)
		return;
	/* Fewer candidate pairs, checked sooner: connectivity checks are
	 * paced one per stun-pacing-timer, so every useless pair delays the
	 * first frame. ICE-TCP host candidates double the pairs and a network
	 * that blocks UDP is served by TURN over TCP/TLS instead; UPnP port
	 * mapping on a library's router is neither wanted nor reliable. */
	if (g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "ice-tcp") != NULL)
		g_object_set(ice, "ice-tcp", FALSE, NULL);
	GObject *agent = NULL;
	if (g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent") != NULL)
		g_object_get(ice, "agent", &agent, NULL);
	if (agent != NULL) {
		if (g_object_class_find_property(G_OBJECT_GET_CLASS(agent), "upnp") != NULL)
			g_object_set(agent, "upnp", FALSE, NULL);
		/* libnice sends one check per tick (20 ms by default), triggered
		 * checks and the nomination included: 5 ms, the floor RFC 8445
		 * allows, takes ICE from ~60 ms to ~20 ms on a LAN. */
		if (g_object_class_find_property(G_OBJECT_GET_CLASS(agent), "stun-pacing-timer") != NULL)
			g_object_set(agent, "stun-pacing-timer", 5, NULL);
		g_object_unref(agent);
	}
	g_object_unref(ice);
}

/* RTP payload type of the screen's m-line: free on every board (video 96
 * and its RTX, Opus 111), distinct from the camera's so that a stream
 * webrtcbin cannot map by SSRC still lands on the right m-line. */
#define SCREEN_PT 100

/* The screen's receive-only transceiver (m-line RELAIS_MEDIA_SCREEN_MLINE:
 * made after the two send pads), its decoder, scaler and appsink. The
 * codec is the board's: the one it decodes for the camera. */
static gboolean build_screen_branch(RelaisMedia *m, const RelaisMediaConf *conf, const char *vdec_desc, GError **error)
{
	const char *codec = relais_media_conf_video_codec(conf);
	g_autoptr(GstCaps) caps = gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "video",
						      "encoding-name", G_TYPE_STRING, codec, "payload", G_TYPE_INT,
						      SCREEN_PT, "clock-rate", G_TYPE_INT, 90000, NULL);
	if (g_ascii_strcasecmp(codec, "H264") == 0)
		gst_caps_set_simple(caps, "packetization-mode", G_TYPE_STRING, "1", "profile-level-id", G_TYPE_STRING,
				    "42e01f", "level-asymmetry-allowed", G_TYPE_STRING, "1", NULL);
	g_signal_emit_by_name(m->webrtc, "add-transceiver", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_RECVONLY, caps,
			      &m->screen_trans);
	if (m->screen_trans == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "webrtcbin refused the screen's receive-only transceiver");
		return FALSE;
	}
	g_object_set(m->screen_trans, "do-nack", TRUE, NULL);

	g_autofree char *desc = g_strdup_printf(
		"%s ! identity name=relais-screen-rate silent=true ! videoconvert ! videoscale ! capsfilter "
		"name=relais-screen-size "
		"caps=video/x-raw,format=I420,width=(int)[16,%d],height=(int)[16,%d],pixel-aspect-ratio=(fraction)1/1",
		vdec_desc ? vdec_desc : "decodebin", CONFIG_RELAIS_MEDIA_SCREEN_MAX_WIDTH,
		CONFIG_RELAIS_MEDIA_SCREEN_MAX_HEIGHT);
	m->screen_decoder = relais_media_parse_fragment("screen-receive", desc, error);
	if (m->screen_decoder == NULL)
		return FALSE;
	g_autoptr(GstElement) rate = gst_bin_get_by_name(GST_BIN(m->screen_decoder), "relais-screen-rate");
	g_autoptr(GstPad) rate_in = rate ? gst_element_get_static_pad(rate, "sink") : NULL;
	if (rate_in == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "[video] no screen rate limiter");
		return FALSE;
	}
	gst_pad_add_probe(rate_in, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, screen_rate_probe,
			  media_ref(m), media_unref);
	gst_bin_add(GST_BIN(m->pipeline), gst_object_ref(m->screen_decoder));
	m->screen_sink = gst_element_factory_make("appsink", "screen-video");
	if (m->screen_sink == NULL) {
		g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_MISSING_ELEMENT,
			    "missing GStreamer element appsink (Debian package gstreamer1.0-plugins-base)");
		return FALSE;
	}
	gst_object_ref(m->screen_sink);
	/* Never pulled (the frame function takes each frame): keep none. */
	g_object_set(m->screen_sink, "max-buffers", 1, "drop", TRUE, "sync", FALSE, "async", FALSE,
		     "enable-last-sample", FALSE, "qos", FALSE, NULL);
	gst_bin_add(GST_BIN(m->pipeline), m->screen_sink);
	if (!gst_element_link(m->screen_decoder, m->screen_sink)) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "[video] decoder cannot feed the shared screen's sink");
		return FALSE;
	}
	g_autoptr(GstPad) pad = gst_element_get_static_pad(m->screen_sink, "sink");
	add_count_probe(m, pad, COUNT_SCREEN_RECEIVED);
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, screen_frame_probe, media_ref(m), media_unref);
	GstAppSinkCallbacks cb = {.new_sample = on_screen_sample};
	gst_app_sink_set_callbacks(GST_APP_SINK(m->screen_sink), &cb, NULL, NULL);
	return TRUE;
}

static gboolean build_pipeline(RelaisMedia *m, const RelaisMediaConf *conf, GError **error)
{
	static guint serial = 0;
	g_autofree char *pname =
		g_strdup_printf("relais-%s-%s-%u", m->board, m->role == RELAIS_MEDIA_OFFERER ? "offerer" : "answerer",
				g_atomic_int_add(&serial, 1));
	m->pipeline = gst_object_ref_sink(gst_pipeline_new(pname));
	connect_signal(m, m->pipeline, "deep-element-added", G_CALLBACK(on_deep_element_added));

	m->webrtc = gst_element_factory_make("webrtcbin", "webrtc");
	if (m->webrtc == NULL) {
		g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_MISSING_ELEMENT,
			    "missing GStreamer element webrtcbin (Debian package gstreamer1.0-plugins-bad)");
		return FALSE;
	}
	gst_object_ref(m->webrtc);
	g_object_set(m->webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, "latency",
		     relais_media_conf_get_latency(conf), NULL);
	tune_ice_agent(m->webrtc);
	gst_bin_add(GST_BIN(m->pipeline), m->webrtc);

	/* Capture side. */
	g_autofree char *vsrc_desc = relais_media_conf_dup_source(conf, "video", error);
	if (vsrc_desc == NULL)
		return FALSE;
	g_autofree char *asrc_desc = relais_media_conf_dup_source(conf, "audio", error);
	if (asrc_desc == NULL)
		return FALSE;
	g_autofree char *venc_desc = relais_media_conf_dup_fragment(conf, "video", "encoder");
	g_autofree char *aproc_desc = relais_media_conf_dup_fragment(conf, "audio", "processing");
	g_autofree char *aenc_desc = relais_media_conf_dup_fragment(conf, "audio", "encoder");
	g_autofree char *play_desc = relais_media_conf_dup_fragment(conf, "audio", "playback");

	/* One bin per direction and medium: fragments are pieces of a chain
	 * (a source may end with caps), which the parser accepts only between
	 * elements. The leaky one-buffer queue puts capture and encoding on two
	 * threads and makes the encoder take the freshest frame, never a
	 * backlog. The self-view branch is leaky too, so that a slow UI never
	 * holds capture back; its videoconvert only negotiates (passthrough, no
	 * work, when the source is I420 as on every board). */
	g_autofree char *vchain =
		g_strdup_printf("%s ! tee name=relais-video-tee ! queue name=relais-video-queue max-size-buffers=1 "
				"max-size-bytes=0 max-size-time=0 leaky=downstream ! %s "
				"relais-video-tee. ! queue name=relais-local-queue max-size-buffers=1 max-size-bytes=0 "
				"max-size-time=0 leaky=downstream ! videoconvert ! appsink name=local-video",
				vsrc_desc, venc_desc);
	GstElement *venc = relais_media_parse_fragment("video-send", vchain, error);
	if (venc == NULL)
		return FALSE;
	gst_bin_add(GST_BIN(m->pipeline), venc);
	g_autoptr(GstElement) tee = gst_bin_get_by_name(GST_BIN(venc), "relais-video-tee");
	g_autoptr(GstElement) local_queue = gst_bin_get_by_name(GST_BIN(venc), "relais-local-queue");
	g_autoptr(GstElement) local_sink = gst_bin_get_by_name(GST_BIN(venc), "local-video");
	if (tee == NULL || local_queue == NULL || local_sink == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "[video] cannot find the engine's tee, self-view queue and appsink");
		return FALSE;
	}
	g_autoptr(GstPad) raw = gst_element_get_static_pad(tee, "sink");
	gst_pad_add_probe(raw, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, camera_off_probe,
			  media_ref(m), media_unref);
	/* As the source hands frames over: the wait for the encoder counts. */
	if (m->stamp != NULL)
		relais_stamp_writer_attach(raw);
	g_autoptr(GstPad) gate = gst_element_get_static_pad(local_queue, "sink");
	gst_pad_add_probe(gate, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST, local_gate_probe,
			  media_ref(m), media_unref);
	g_autoptr(GstCaps) local_caps = gst_caps_from_string("video/x-raw,format=I420");
	g_object_set(local_sink, "caps", local_caps, "max-buffers", 1, "drop", TRUE, "sync", FALSE, "async", FALSE,
		     "enable-last-sample", FALSE, "qos", FALSE, NULL);
	GstAppSinkCallbacks local_cb = {.new_sample = on_local_sample};
	gst_app_sink_set_callbacks(GST_APP_SINK(local_sink), &local_cb, media_ref(m), media_unref);

	/* Same for audio, but a few frames deep: webrtcbin blocks its inputs
	 * until DTLS is up, and a blocked live source catches up afterwards
	 * with a burst of stale sound that costs CPU at the worst moment and
	 * lands in the far end's jitter buffer as delay. */
	/* The mute is a volume element after the processing (webrtcdsp): the
	 * encoder gets digital silence, the canceller keeps adapting, and the
	 * level is measured on its input. Unmuted at 1.0 it is passthrough. */
	g_autofree char *achain = g_strdup_printf("%s ! queue name=relais-audio-queue max-size-buffers=0 "
						  "max-size-bytes=0 max-size-time=50000000 leaky=downstream ! %s ! "
						  "volume name=relais-mute ! %s",
						  asrc_desc, aproc_desc, aenc_desc);
	GstElement *aenc = relais_media_parse_fragment("audio-send", achain, error);
	if (aenc == NULL)
		return FALSE;
	gst_bin_add(GST_BIN(m->pipeline), aenc);
	m->mute = gst_bin_get_by_name(GST_BIN(aenc), "relais-mute");
	if (m->mute == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "[audio] cannot find the engine's mute");
		return FALSE;
	}
	g_autoptr(GstPad) mute_in = gst_element_get_static_pad(m->mute, "sink");
	relais_level_attach(m->mic_level, mute_in);

	/* Video first: m-line 0 is video, 1 is audio. */
	if (!link_to_webrtc(m, venc, "relais-video", TRUE, error) ||
	    !link_to_webrtc(m, aenc, "relais-audio", FALSE, error))
		return FALSE;
	connect_signal(m, m->video_in, "notify::caps", G_CALLBACK(on_sink_caps));
	connect_signal(m, m->audio_in, "notify::caps", G_CALLBACK(on_sink_caps));

	g_autoptr(GstElement) vpay = find_element(GST_BIN(venc), NULL, "Payloader");
	g_autoptr(GstElement) apay = find_element(GST_BIN(aenc), NULL, "Payloader");
	if (vpay == NULL || apay == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "an encoder has no RTP payloader");
		return FALSE;
	}
	m->video_pay_sink = gst_element_get_static_pad(vpay, "sink");
	add_count_probe(m, m->video_pay_sink, COUNT_VIDEO_SENT);
	GstPad *apad = gst_element_get_static_pad(apay, "sink");
	add_count_probe(m, apad, COUNT_AUDIO_SENT);
	gst_object_unref(apad);

	/* Remote video ends in an appsink that lives as long as the engine so
	 * that the UI can poll it at any time; the decoder chain joins it when
	 * the stream arrives. */
	m->video_sink = gst_element_factory_make("appsink", "remote-video");
	if (m->video_sink == NULL) {
		g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_MISSING_ELEMENT,
			    "missing GStreamer element appsink (Debian package gstreamer1.0-plugins-base)");
		return FALSE;
	}
	gst_object_ref(m->video_sink);
	g_autoptr(GstCaps) i420 = gst_caps_from_string("video/x-raw,format=I420");
	/* sync=false: the UI shows the newest frame as soon as it is decoded;
	 * the jitter buffer already smooths arrival. */
	g_object_set(m->video_sink, "caps", i420, "max-buffers", 1, "drop", TRUE, "sync", FALSE, "async", FALSE,
		     "enable-last-sample", FALSE, "qos", FALSE, NULL);
	gst_bin_add(GST_BIN(m->pipeline), m->video_sink);
	GstPad *vsink_pad = gst_element_get_static_pad(m->video_sink, "sink");
	add_count_probe(m, vsink_pad, COUNT_VIDEO_RECEIVED);
	gst_pad_add_probe(vsink_pad, GST_PAD_PROBE_TYPE_BUFFER, remote_frame_probe, media_ref(m), media_unref);
	if (m->stamp != NULL)
		relais_stamp_reader_attach(vsink_pad, m->stamp);
	gst_object_unref(vsink_pad);

	/* Decoders, ahead of the streams. The converters let a decoder
	 * fragment end with caps; decodebin (no decoder key) links when it
	 * has found its elements. */
	g_autofree char *vdec_desc = relais_media_conf_dup_fragment(conf, "video", "decoder");
	g_autofree char *vrecv = g_strdup_printf("%s ! videoconvert ! capsfilter caps=video/x-raw,format=I420",
						 vdec_desc ? vdec_desc : "decodebin");
	m->video_decoder = relais_media_parse_fragment("video-receive", vrecv, error);
	if (m->video_decoder == NULL)
		return FALSE;
	gst_bin_add(GST_BIN(m->pipeline), gst_object_ref(m->video_decoder));
	if (!gst_element_link(m->video_decoder, m->video_sink)) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "[video] decoder cannot feed the remote video sink");
		return FALSE;
	}
	if (m->role == RELAIS_MEDIA_OFFERER && !build_screen_branch(m, conf, vdec_desc, error))
		return FALSE;

	/* Remote audio tail, with the echo canceller's far-end probe. */
	m->playback = relais_media_parse_fragment("audio-playback", play_desc, error);
	if (m->playback == NULL)
		return FALSE;
	gst_object_ref(m->playback);
	gst_bin_add(GST_BIN(m->pipeline), m->playback);
	tame_sinks(GST_BIN(m->playback));
	GstPad *play_pad = gst_element_get_static_pad(m->playback, "sink");
	if (play_pad == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "[audio] playback has no free input");
		return FALSE;
	}
	add_count_probe(m, play_pad, COUNT_AUDIO_RECEIVED);
	gst_object_unref(play_pad);

	g_autofree char *adec_desc = relais_media_conf_dup_fragment(conf, "audio", "decoder");
	g_autofree char *arecv =
		g_strdup_printf("%s ! audioconvert ! volume name=relais-volume", adec_desc ? adec_desc : "decodebin");
	m->audio_decoder = relais_media_parse_fragment("audio-receive", arecv, error);
	if (m->audio_decoder == NULL)
		return FALSE;
	m->volume = gst_bin_get_by_name(GST_BIN(m->audio_decoder), "relais-volume");
	gst_bin_add(GST_BIN(m->pipeline), gst_object_ref(m->audio_decoder));
	if (!gst_element_link(m->audio_decoder, m->playback)) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "[audio] decoder cannot feed the playback");
		return FALSE;
	}

	/* webrtcdsp finds its probe by name in a process-wide list: point each
	 * engine's canceller at its own probe (two engines run in the tests,
	 * and a default name would bind to the other's loudspeaker). */
	g_autoptr(GstElement) probe = find_element(GST_BIN(m->playback), "webrtcechoprobe", NULL);
	g_autoptr(GstElement) dsp = find_element(GST_BIN(aenc), "webrtcdsp", NULL);
	if (probe == NULL || dsp == NULL) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
			    "echo cancellation needs webrtcdsp in [audio] processing and webrtcechoprobe in playback");
		return FALSE;
	}
	g_object_set(dsp, "probe", GST_OBJECT_NAME(probe), NULL);

	connect_signal(m, m->webrtc, "on-negotiation-needed", G_CALLBACK(on_negotiation_needed));
	connect_signal(m, m->webrtc, "on-ice-candidate", G_CALLBACK(on_ice_candidate));
	connect_signal(m, m->webrtc, "notify::ice-gathering-state", G_CALLBACK(on_gathering_state));
	connect_signal(m, m->webrtc, "notify::connection-state", G_CALLBACK(on_connection_state));
	connect_signal(m, m->webrtc, "notify::ice-connection-state", G_CALLBACK(on_ice_connection_state));
	connect_signal(m, m->webrtc, "pad-added", G_CALLBACK(on_pad_added));

	GstBus *bus = gst_element_get_bus(m->pipeline);
	m->bus_source = gst_bus_create_watch(bus);
	gst_object_unref(bus);
	g_source_set_callback(m->bus_source, (GSourceFunc)(void (*)(void))on_bus_message, media_ref(m), media_unref);
	g_source_attach(m->bus_source, m->context);
	return TRUE;
}

RelaisMedia *relais_media_new(const RelaisMediaConf *conf, RelaisMediaRole role, const RelaisMediaCallbacks *callbacks,
			      gpointer user_data, GError **error)
{
	g_return_val_if_fail(conf != NULL, NULL);
	g_return_val_if_fail(role == RELAIS_MEDIA_OFFERER || role == RELAIS_MEDIA_ANSWERER, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!gst_is_initialized() && !gst_init_check(NULL, NULL, error))
		return NULL;
	g_autoptr(GError) local = NULL;
	if (!relais_media_conf_check(conf, &local)) {
		g_propagate_error(error, g_steal_pointer(&local));
		return NULL;
	}
	relais_media_warm_up();

	RelaisMedia *m = g_new0(RelaisMedia, 1);
	g_atomic_ref_count_init(&m->ref);
	g_mutex_init(&m->lock);
	g_queue_init(&m->events);
	m->context = g_main_context_ref_thread_default();
	if (callbacks != NULL)
		m->cb = *callbacks;
	m->user_data = user_data;
	m->role = role;
	m->state = RELAIS_MEDIA_STATE_NEW;
	m->board = g_strdup(relais_media_conf_get_board(conf));
	m->video_kbps = relais_media_conf_get_bitrate(conf);
	m->n_mlines = role == RELAIS_MEDIA_OFFERER ? 3 : 2;
	g_mutex_init(&m->frame_lock);
	m->mic_level = relais_level_new();
	if (relais_stamp_enabled_from_env())
		m->stamp = relais_stamp_stats_new();

	if (!build_pipeline(m, conf, &local)) {
		g_propagate_prefixed_error(error, g_steal_pointer(&local), "media: ");
		relais_media_free(m);
		return NULL;
	}
	return m;
}

/* --- negotiation ----------------------------------------------------------- */

static gboolean promise_failed(GstPromise *promise, const char *what, RelaisMedia *m)
{
	GstPromiseResult r = gst_promise_wait(promise);
	if (r != GST_PROMISE_RESULT_REPLIED) {
		if (!is_closed(m))
			fail(m, g_error_new(RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_SDP, "%s: interrupted", what));
		return TRUE;
	}
	const GstStructure *reply = gst_promise_get_reply(promise);
	GError *err = NULL;
	if (reply != NULL && gst_structure_has_field(reply, "error")) {
		gst_structure_get(reply, "error", G_TYPE_ERROR, &err, NULL);
		fail_literal(m, RELAIS_MEDIA_ERROR_SDP, what, err);
		g_clear_error(&err);
		return TRUE;
	}
	return FALSE;
}

static void on_local_set(GstPromise *promise, gpointer data)
{
	(void)promise_failed(promise, "setting the local description", data);
}

/* The SDP text for the far end. Chromium starts sending at ~300 kbit/s and
 * paces its first keyframe at that rate (packets 10-15 ms apart, ~25 ms for
 * a small keyframe) unless the description it receives says otherwise;
 * x-google-start-bitrate in the video fmtp is the knob it reads. Only the
 * text changes: webrtcbin keeps the description it made. */
static char *sdp_for_peer(RelaisMedia *m, const GstSDPMessage *sdp)
{
	GstSDPMessage *copy = NULL;
	gst_sdp_message_copy(sdp, &copy);
	for (guint i = 0; i < gst_sdp_message_medias_len(copy); i++) {
		GstSDPMedia *media = (GstSDPMedia *)gst_sdp_message_get_media(copy, i);
		/* The shared screen's m-line says what it is for (RFC 4796). */
		if (i == RELAIS_MEDIA_SCREEN_MLINE && m->role == RELAIS_MEDIA_OFFERER &&
		    gst_sdp_media_get_attribute_val(media, "content") == NULL)
			gst_sdp_media_add_attribute(media, "content", "slides");
		if (g_strcmp0(gst_sdp_media_get_media(media), "video") != 0 || gst_sdp_media_formats_len(media) == 0 ||
		    gst_sdp_media_get_port(media) == 0)
			continue;
		/* The first format is the codec; the others are its RTX. */
		const char *pt = gst_sdp_media_get_format(media, 0);
		g_autofree char *prefix = g_strdup_printf("%s ", pt);
		gboolean done = FALSE;
		for (guint a = 0; a < gst_sdp_media_attributes_len(media) && !done; a++) {
			const GstSDPAttribute *attr = gst_sdp_media_get_attribute(media, a);
			if (g_strcmp0(attr->key, "fmtp") == 0 && attr->value && g_str_has_prefix(attr->value, prefix)) {
				if (strstr(attr->value, "x-google-start-bitrate") == NULL) {
					g_autofree char *value = g_strdup_printf("%s;x-google-start-bitrate=%u",
										 attr->value, m->video_kbps);
					GstSDPAttribute repl;
					gst_sdp_attribute_set(&repl, "fmtp", value);
					gst_sdp_media_replace_attribute(media, a, &repl);
				}
				done = TRUE;
			}
		}
		if (!done) {
			g_autofree char *value = g_strdup_printf("%sx-google-start-bitrate=%u", prefix, m->video_kbps);
			gst_sdp_media_add_attribute(media, "fmtp", value);
		}
	}
	char *text = gst_sdp_message_as_text(copy);
	gst_sdp_message_free(copy);
	return text;
}

/* Sends the description to the owner first, then applies it, so that the
 * owner sees the SDP before any of the candidates it causes. */
static void on_description_created(GstPromise *promise, gpointer data)
{
	RelaisMedia *m = data;
	const char *type = m->role == RELAIS_MEDIA_OFFERER ? "offer" : "answer";
	g_autofree char *what = g_strdup_printf("creating the %s", type);
	if (promise_failed(promise, what, m))
		return;
	GstWebRTCSessionDescription *desc = NULL;
	gst_structure_get(gst_promise_get_reply(promise), type, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL);
	if (desc == NULL) {
		fail(m, g_error_new(RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_SDP, "webrtcbin made no %s", type));
		return;
	}
	GstElement *webrtc = ref_webrtc(m);
	if (webrtc != NULL) {
		Event *ev = g_new0(Event, 1);
		ev->kind = EVENT_SDP;
		ev->type = g_strdup(type);
		ev->text = sdp_for_peer(m, desc->sdp);
		g_mutex_lock(&m->lock);
		m->n_mlines = gst_sdp_message_medias_len(desc->sdp);
		m->sdp_emitted = TRUE;
		push_event_locked(m, ev);
		g_mutex_unlock(&m->lock);
		GstPromise *p = gst_promise_new_with_change_func(on_local_set, media_ref(m), media_unref);
		g_signal_emit_by_name(webrtc, "set-local-description", desc, p);
		gst_promise_unref(p);
		gst_object_unref(webrtc);
	}
	gst_webrtc_session_description_free(desc);
}

static void on_remote_set(GstPromise *promise, gpointer data)
{
	RelaisMedia *m = data;
	if (promise_failed(promise, "setting the remote description", m))
		return;
	g_mutex_lock(&m->lock);
	m->remote_set = TRUE;
	g_mutex_unlock(&m->lock);
	if (m->role != RELAIS_MEDIA_ANSWERER)
		return;
	GstElement *webrtc = ref_webrtc(m);
	if (webrtc == NULL)
		return;
	GstPromise *p = gst_promise_new_with_change_func(on_description_created, media_ref(m), media_unref);
	g_signal_emit_by_name(webrtc, "create-answer", NULL, p);
	gst_promise_unref(p);
	gst_object_unref(webrtc);
}

/* Runs when both encoders have fixed caps on webrtcbin's inputs (offerer,
 * after start) or when the offer arrives (answerer), whichever is last. */
static void negotiate(RelaisMedia *m)
{
	gboolean make_offer = FALSE;
	GstWebRTCSessionDescription *offer = NULL;

	g_mutex_lock(&m->lock);
	if (!m->closed && m->started && m->caps_video && m->caps_audio) {
		if (m->role == RELAIS_MEDIA_OFFERER && !m->offer_requested) {
			m->offer_requested = TRUE;
			make_offer = TRUE;
		} else if (m->role == RELAIS_MEDIA_ANSWERER && m->pending_offer != NULL) {
			offer = g_steal_pointer(&m->pending_offer);
		}
	}
	g_mutex_unlock(&m->lock);
	if (!make_offer && offer == NULL)
		return;

	GstElement *webrtc = ref_webrtc(m);
	if (webrtc == NULL) {
		g_clear_pointer(&offer, gst_webrtc_session_description_free);
		return;
	}
	if (make_offer) {
		GstPromise *p = gst_promise_new_with_change_func(on_description_created, media_ref(m), media_unref);
		g_signal_emit_by_name(webrtc, "create-offer", NULL, p);
		gst_promise_unref(p);
	} else {
		GstPromise *p = gst_promise_new_with_change_func(on_remote_set, media_ref(m), media_unref);
		g_signal_emit_by_name(webrtc, "set-remote-description", offer, p);
		gst_promise_unref(p);
		gst_webrtc_session_description_free(offer);
	}
	gst_object_unref(webrtc);
}

static void on_sink_caps(GstPad *pad, GParamSpec *pspec, gpointer data)
{
	RelaisMedia *m = data;
	GstCaps *caps = gst_pad_get_current_caps(pad);
	if (caps == NULL)
		return;
	gst_caps_unref(caps);
	g_mutex_lock(&m->lock);
	if (pad == m->video_in)
		m->caps_video = TRUE;
	else if (pad == m->audio_in)
		m->caps_audio = TRUE;
	g_mutex_unlock(&m->lock);
	negotiate(m);
}

/* --- public API ----------------------------------------------------------- */

/* "stun:host:port" (RFC 7064) is accepted for "stun://host:port". */
static char *normalise_ice_uri(const char *uri)
{
	static const char *const schemes[] = {"stun", "turn", "turns"};
	for (gsize i = 0; i < G_N_ELEMENTS(schemes); i++) {
		gsize n = strlen(schemes[i]);
		if (g_ascii_strncasecmp(uri, schemes[i], n) == 0 && uri[n] == ':') {
			const char *rest = uri + n + 1;
			if (g_str_has_prefix(rest, "//"))
				rest += 2;
			return g_strdup_printf("%s://%s", schemes[i], rest);
		}
	}
	return NULL;
}

static gboolean configure_ice_servers(RelaisMedia *m, const char *const *servers, GError **error)
{
	gboolean have_stun = FALSE;
	for (guint i = 0; servers != NULL && servers[i] != NULL; i++) {
		g_autofree char *uri = normalise_ice_uri(servers[i]);
		g_autoptr(GUri) parsed = uri ? g_uri_parse(uri, G_URI_FLAGS_HAS_PASSWORD, NULL) : NULL;
		if (parsed == NULL || g_uri_get_host(parsed) == NULL || *g_uri_get_host(parsed) == '\0') {
			g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_ICE_SERVER,
				    "unusable ICE server \"%s\" (want stun://host:port or turn://user:pass@host:port)",
				    servers[i]);
			return FALSE;
		}
		if (g_str_has_prefix(uri, "stun://")) {
			if (have_stun) {
				/* webrtcbin takes one; the first is the nearest by contract. */
				g_debug("ignoring extra STUN server %s", uri);
				continue;
			}
			g_object_set(m->webrtc, "stun-server", uri, NULL);
			have_stun = TRUE;
		} else {
			if (g_uri_get_user(parsed) == NULL || g_uri_get_password(parsed) == NULL) {
				g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_ICE_SERVER,
					    "TURN server \"%s\" has no credentials", servers[i]);
				return FALSE;
			}
			gboolean ok = FALSE;
			g_signal_emit_by_name(m->webrtc, "add-turn-server", uri, &ok);
			if (!ok) {
				g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_ICE_SERVER,
					    "webrtcbin rejected TURN server \"%s\"", servers[i]);
				return FALSE;
			}
		}
	}
	return TRUE;
}

gboolean relais_media_set_local_addresses(RelaisMedia *m, const char *const *addresses, GError **error)
{
	g_return_val_if_fail(m != NULL, FALSE);
	if (addresses == NULL || addresses[0] == NULL)
		return TRUE;
	GObject *ice = NULL, *agent = NULL;
	g_object_get(m->webrtc, "ice-agent", &ice, NULL);
	if (ice && g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent") != NULL)
		g_object_get(ice, "agent", &agent, NULL);
	g_clear_object(&ice);
	if (agent == NULL || !NICE_IS_AGENT(agent)) {
		g_clear_object(&agent);
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_STATE, "no libnice agent to restrict");
		return FALSE;
	}
	for (const char *const *a = addresses; *a; a++) {
		NiceAddress addr;
		nice_address_init(&addr);
		if (!nice_address_set_from_string(&addr, *a)) {
			g_object_unref(agent);
			g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_ICE_SERVER,
				    "ICE local address '%s' is not an IP address", *a);
			return FALSE;
		}
		nice_agent_add_local_address(NICE_AGENT(agent), &addr);
	}
	g_object_unref(agent);
	return TRUE;
}

void relais_media_set_relay_only(RelaisMedia *m, gboolean relay_only)
{
	g_return_if_fail(m != NULL);
	g_object_set(m->webrtc, "ice-transport-policy",
		     relay_only ? GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY : GST_WEBRTC_ICE_TRANSPORT_POLICY_ALL, NULL);
}

GError *relais_media_pop_bus_error(GstElement *pipeline)
{
	GstBus *bus = gst_element_get_bus(pipeline);
	GstMessage *msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
	gst_object_unref(bus);
	if (msg == NULL)
		return NULL;
	GError *err = NULL;
	gst_message_parse_error(msg, &err, NULL);
	GError *out = g_error_new(RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE, "%s: %s", GST_MESSAGE_SRC_NAME(msg),
				  err->message);
	g_error_free(err);
	gst_message_unref(msg);
	return out;
}

gboolean relais_media_start(RelaisMedia *m, const char *const *ice_servers, GError **error)
{
	g_return_val_if_fail(m != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	g_mutex_lock(&m->lock);
	gboolean already = m->started;
	g_mutex_unlock(&m->lock);
	if (already) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_STATE, "media already started");
		return FALSE;
	}
	if (!configure_ice_servers(m, ice_servers, error))
		return FALSE;

	g_mutex_lock(&m->lock);
	m->started = TRUE;
	m->quality_source = g_timeout_source_new_seconds(RELAIS_QUALITY_PERIOD_S);
	g_source_set_name(m->quality_source, "relais-media quality");
	g_source_set_callback(m->quality_source, poll_quality, media_ref(m), media_unref);
	g_source_attach(m->quality_source, m->context);
	g_mutex_unlock(&m->lock);
	set_state(m, RELAIS_MEDIA_STATE_PREPARING);

	if (gst_element_set_state(m->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
		dump_graph(m, "start");
		GError *err = relais_media_pop_bus_error(m->pipeline);
		gst_element_set_state(m->pipeline, GST_STATE_NULL);
		g_mutex_lock(&m->lock);
		m->state = RELAIS_MEDIA_STATE_FAILED;
		g_mutex_unlock(&m->lock);
		if (err == NULL)
			err = g_error_new_literal(RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_PIPELINE,
						  "the pipeline refused to start");
		g_propagate_prefixed_error(error, err, "media (board %s): ", m->board);
		return FALSE;
	}
	/* Caps may all have arrived during the state change. */
	negotiate(m);
	return TRUE;
}

gboolean relais_media_set_remote(RelaisMedia *m, const char *type, const char *sdp, GError **error)
{
	g_return_val_if_fail(m != NULL, FALSE);
	g_return_val_if_fail(type != NULL && sdp != NULL, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	gboolean is_offer = g_str_equal(type, "offer");
	if (!is_offer && !g_str_equal(type, "answer")) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_SDP, "unknown description type \"%s\"", type);
		return FALSE;
	}
	if (is_offer != (m->role == RELAIS_MEDIA_ANSWERER)) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_STATE, "the %s cannot take a remote %s",
			    m->role == RELAIS_MEDIA_OFFERER ? "offerer" : "answerer", type);
		return FALSE;
	}

	g_mutex_lock(&m->lock);
	gboolean ok_state = m->started && !m->remote_set && m->pending_offer == NULL &&
			    m->state != RELAIS_MEDIA_STATE_FAILED && (is_offer || m->sdp_emitted);
	g_mutex_unlock(&m->lock);
	if (!ok_state) {
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_STATE,
			    "remote %s not expected now (not started, no local offer yet, already set, or failed)",
			    type);
		return FALSE;
	}

	/* GstSDP parses almost anything; insist on the shape of a real one. */
	GstSDPMessage *msg = NULL;
	if (!g_str_has_prefix(sdp, "v=0") || gst_sdp_message_new_from_text(sdp, &msg) != GST_SDP_OK) {
		if (msg != NULL)
			gst_sdp_message_free(msg);
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_SDP, "malformed SDP %s", type);
		return FALSE;
	}
	if (gst_sdp_message_medias_len(msg) == 0 || gst_sdp_message_get_origin(msg)->sess_id == NULL) {
		gst_sdp_message_free(msg);
		g_set_error(error, RELAIS_MEDIA_ERROR, RELAIS_MEDIA_ERROR_SDP, "SDP %s has no media or no origin",
			    type);
		return FALSE;
	}
	GstWebRTCSessionDescription *desc = gst_webrtc_session_description_new(
		is_offer ? GST_WEBRTC_SDP_TYPE_OFFER : GST_WEBRTC_SDP_TYPE_ANSWER, msg);

	if (is_offer) {
		/* Applied by negotiate() once our own caps are fixed, so that
		 * webrtcbin can match the offer's m-lines to our transceivers. */
		g_mutex_lock(&m->lock);
		m->pending_offer = desc;
		g_mutex_unlock(&m->lock);
		negotiate(m);
	} else {
		GstPromise *p = gst_promise_new_with_change_func(on_remote_set, media_ref(m), media_unref);
		g_signal_emit_by_name(m->webrtc, "set-remote-description", desc, p);
		gst_promise_unref(p);
		gst_webrtc_session_description_free(desc);
	}
	set_state(m, RELAIS_MEDIA_STATE_CONNECTING);
	return TRUE;
}

/* The connection address of an SDP candidate line, or NULL. */
static char *candidate_address(const char *candidate)
{
	g_auto(GStrv) fields = g_strsplit(candidate, " ", 7);
	if (g_strv_length(fields) < 6)
		return NULL;
	return g_strdup(fields[4]);
}

void relais_media_add_ice(RelaisMedia *m, guint mline, const char *candidate)
{
	g_return_if_fail(m != NULL);
	GstElement *webrtc = ref_webrtc(m);
	if (webrtc == NULL)
		return;
	if (candidate == NULL || *candidate == '\0') {
		g_signal_emit_by_name(webrtc, "add-ice-candidate", mline, NULL);
	} else {
		g_autofree char *addr = candidate_address(candidate);
		if (addr == NULL) {
			g_debug("ignoring malformed ICE candidate \"%s\"", candidate);
		} else if (g_str_has_suffix(addr, ".local")) {
			/* Chromium hides host addresses behind mDNS names that
			 * libnice cannot resolve; peer-reflexive candidates still
			 * connect the call. */
			g_debug("skipping mDNS candidate %s", addr);
		} else {
			g_signal_emit_by_name(webrtc, "add-ice-candidate", mline, candidate);
		}
	}
	gst_object_unref(webrtc);
}

RelaisMediaState relais_media_get_state(RelaisMedia *m)
{
	g_return_val_if_fail(m != NULL, RELAIS_MEDIA_STATE_FAILED);
	g_mutex_lock(&m->lock);
	RelaisMediaState s = m->state;
	g_mutex_unlock(&m->lock);
	return s;
}

void relais_media_get_stats(RelaisMedia *m, RelaisMediaStats *stats)
{
	g_return_if_fail(m != NULL && stats != NULL);
	g_mutex_lock(&m->lock);
	*stats = m->stats;
	g_mutex_unlock(&m->lock);
	if (m->stamp != NULL)
		relais_stamp_stats_get(m->stamp, &stats->stamp);
}

GstSample *relais_media_pull_remote_video(RelaisMedia *m)
{
	g_return_val_if_fail(m != NULL, NULL);
	g_mutex_lock(&m->lock);
	GstElement *sink = (!m->closed && m->video_sink) ? gst_object_ref(m->video_sink) : NULL;
	g_mutex_unlock(&m->lock);
	if (sink == NULL)
		return NULL;
	GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 0);
	gst_object_unref(sink);
	return sample;
}

void relais_media_set_frame_func(RelaisMedia *m, RelaisMediaVideo which, RelaisMediaFrameFunc func, gpointer user_data)
{
	g_return_if_fail(m != NULL);
	g_return_if_fail(which == RELAIS_MEDIA_VIDEO_LOCAL || which == RELAIS_MEDIA_VIDEO_REMOTE ||
			 which == RELAIS_MEDIA_VIDEO_SCREEN);
	/* Waits for a call in progress: afterwards the old function is done. */
	g_mutex_lock(&m->frame_lock);
	if (is_closed(m))
		func = NULL;
	m->frame_func[which] = func;
	m->frame_data[which] = func ? user_data : NULL;
	g_atomic_int_set(&m->frame_wanted[which], func != NULL);
	g_mutex_unlock(&m->frame_lock);
}

void relais_media_set_muted(RelaisMedia *m, gboolean muted)
{
	g_return_if_fail(m != NULL);
	if (m->mute != NULL)
		g_object_set(m->mute, "mute", muted, NULL);
}

gboolean relais_media_get_muted(RelaisMedia *m)
{
	g_return_val_if_fail(m != NULL, FALSE);
	gboolean muted = FALSE;
	if (m->mute != NULL)
		g_object_get(m->mute, "mute", &muted, NULL);
	return muted;
}

void relais_media_set_camera_off(RelaisMedia *m, gboolean off)
{
	g_return_if_fail(m != NULL);
	if (g_atomic_int_exchange(&m->camera_off, off ? 1 : 0) != (off ? 1 : 0))
		request_keyframe(m);
}

gboolean relais_media_get_camera_off(RelaisMedia *m)
{
	g_return_val_if_fail(m != NULL, FALSE);
	return g_atomic_int_get(&m->camera_off) != 0;
}

void relais_media_set_volume(RelaisMedia *m, int percent)
{
	g_return_if_fail(m != NULL);
	if (m->volume != NULL)
		gst_stream_volume_set_volume(GST_STREAM_VOLUME(m->volume), GST_STREAM_VOLUME_FORMAT_CUBIC,
					     CLAMP(percent, 0, 100) / 100.0);
}

int relais_media_get_volume(RelaisMedia *m)
{
	g_return_val_if_fail(m != NULL, 0);
	if (m->volume == NULL)
		return 0;
	double v = gst_stream_volume_get_volume(GST_STREAM_VOLUME(m->volume), GST_STREAM_VOLUME_FORMAT_CUBIC);
	return (int)(v * 100.0 + 0.5);
}

double relais_media_get_mic_level(RelaisMedia *m)
{
	g_return_val_if_fail(m != NULL, 0.0);
	return relais_level_get(m->mic_level);
}

int relais_media_get_quality(RelaisMedia *m)
{
	g_return_val_if_fail(m != NULL, 0);
	gint64 now = g_get_monotonic_time();
	g_mutex_lock(&m->lock);
	gint64 last = MAX(m->connected_us, MAX(m->last_video_received_us, m->last_audio_received_us));
	int q = relais_quality_bars(&m->quality, !m->closed && m->state == RELAIS_MEDIA_STATE_CONNECTED, last, now);
	g_mutex_unlock(&m->lock);
	return q;
}

GstElement *relais_media_dup_pipeline(RelaisMedia *m)
{
	g_return_val_if_fail(m != NULL, NULL);
	g_mutex_lock(&m->lock);
	GstElement *p = (!m->closed && m->pipeline) ? gst_object_ref(m->pipeline) : NULL;
	g_mutex_unlock(&m->lock);
	return p;
}

char *relais_media_dup_local_sdp(RelaisMedia *m)
{
	g_return_val_if_fail(m != NULL, NULL);
	GstElement *webrtc = ref_webrtc(m);
	if (webrtc == NULL)
		return NULL;
	GstWebRTCSessionDescription *desc = NULL;
	g_object_get(webrtc, "local-description", &desc, NULL);
	gst_object_unref(webrtc);
	if (desc == NULL)
		return NULL;
	char *text = sdp_for_peer(m, desc->sdp);
	gst_webrtc_session_description_free(desc);
	return text;
}

void relais_media_free(RelaisMedia *m)
{
	if (m == NULL)
		return;

	/* First, so that no frame function runs from here on (waits for one
	 * that is running). */
	g_mutex_lock(&m->frame_lock);
	for (guint i = 0; i < G_N_ELEMENTS(m->frame_func); i++) {
		m->frame_func[i] = NULL;
		m->frame_data[i] = NULL;
		g_atomic_int_set(&m->frame_wanted[i], 0);
	}
	g_mutex_lock(&m->lock);
	m->closed = TRUE;
	g_mutex_unlock(&m->lock);
	g_mutex_unlock(&m->frame_lock);

	g_mutex_lock(&m->lock);
	m->state = RELAIS_MEDIA_STATE_STOPPED;
	GSource *events = g_steal_pointer(&m->event_source);
	GQueue pending = m->events;
	g_queue_init(&m->events);
	GstWebRTCSessionDescription *offer = g_steal_pointer(&m->pending_offer);
	g_mutex_unlock(&m->lock);

	g_queue_clear_full(&pending, (GDestroyNotify)event_free);
	g_clear_pointer(&offer, gst_webrtc_session_description_free);
	if (events != NULL) {
		g_source_destroy(events);
		g_source_unref(events);
	}
	if (m->bus_source != NULL) {
		g_source_destroy(m->bus_source);
		g_clear_pointer(&m->bus_source, g_source_unref);
	}
	if (m->quality_source != NULL) {
		g_source_destroy(m->quality_source);
		g_clear_pointer(&m->quality_source, g_source_unref);
	}

	GstElement *pipeline = NULL;
	if (m->pipeline != NULL) {
		/* Joins every streaming thread: cameras and microphones are
		 * released and no buffer of the session survives. */
		gst_element_set_state(m->pipeline, GST_STATE_NULL);
		if (m->webrtc != NULL)
			g_signal_handlers_disconnect_by_data(m->webrtc, m);
		g_signal_handlers_disconnect_by_data(m->pipeline, m);
		if (m->video_in != NULL)
			g_signal_handlers_disconnect_by_data(m->video_in, m);
		if (m->audio_in != NULL)
			g_signal_handlers_disconnect_by_data(m->audio_in, m);
		if (m->webrtc != NULL && m->video_in != NULL)
			gst_element_release_request_pad(m->webrtc, m->video_in);
		if (m->webrtc != NULL && m->audio_in != NULL)
			gst_element_release_request_pad(m->webrtc, m->audio_in);
	}
	g_mutex_lock(&m->lock);
	g_clear_object(&m->video_in);
	g_clear_object(&m->audio_in);
	g_clear_object(&m->video_pay_sink);
	g_clear_object(&m->video_sink);
	g_clear_object(&m->video_decoder);
	g_clear_object(&m->audio_decoder);
	g_clear_object(&m->screen_decoder);
	g_clear_object(&m->screen_sink);
	g_clear_object(&m->screen_trans);
	g_clear_object(&m->playback);
	g_clear_object(&m->mute);
	g_clear_object(&m->volume);
	g_clear_object(&m->webrtc);
	pipeline = g_steal_pointer(&m->pipeline);
	g_mutex_unlock(&m->lock);
	g_clear_object(&pipeline);
	media_unref(m);
}
