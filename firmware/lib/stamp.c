/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-stamp"

#include "stamp.h"

#include <stdlib.h>
#include <string.h>
#include <gst/gst.h>
#include <gst/video/video.h>

/* Luma of the two cell colours (video range, what every YUV path expects)
 * and the decision thresholds: a cell whose mean is between the two is
 * undecided and the frame has no stamp. The margins are wide because VP8
 * and the browser's YUV->RGB->luma round trip move flat blocks by a few
 * levels only, while a natural picture rarely has 40 decisive cells that
 * also pass the check. */
#define LUMA_BLACK	16
#define LUMA_WHITE	235
#define CHROMA_NEUTRAL	128
#define THRESHOLD_BLACK 88
#define THRESHOLD_WHITE 168
#define STRIP_DIVISOR	15 /* strip height = height / 15 */
#define MIN_WIDTH	(4 * RELAIS_STAMP_CELLS)
#define MIN_HEIGHT	(2 * STRIP_DIVISOR)
/* A black or white strip must not pass the check: stamp 0 with check 0
 * would be any black frame. */
#define CHECK_XOR 0x55
/* Ages outside this range are a garbled stamp or another clock, not a
 * latency. */
#define AGE_MIN_MS (-100.0)
#define AGE_MAX_MS 60000.0
/* A capture time further back than this is not trusted (a paused
 * pipeline, a source with odd timestamps): the time of passing is used. */
#define MAX_CAPTURE_AGE_US 500000

/* --- statistics ------------------------------------------------------------ */

struct _RelaisStampStats {
	gatomicrefcount ref;
	GMutex lock;
	guint64 samples;
	guint64 unreadable;
	guint next; /* ring index of the next sample */
	double ring[RELAIS_STAMP_WINDOW];
	/* the send timer's frames on their way through the encoder: PTS and
	 * stamp (wall clock, us), a ring */
	struct {
		GstClockTime pts;
		gint64 stamp_us;
	} pending[RELAIS_STAMP_PENDING];
	guint pending_next;
};

RelaisStampStats *relais_stamp_stats_new(void)
{
	RelaisStampStats *s = g_new0(RelaisStampStats, 1);
	g_atomic_ref_count_init(&s->ref);
	g_mutex_init(&s->lock);
	return s;
}

RelaisStampStats *relais_stamp_stats_ref(RelaisStampStats *s)
{
	g_return_val_if_fail(s != NULL, NULL);
	g_atomic_ref_count_inc(&s->ref);
	return s;
}

void relais_stamp_stats_unref(RelaisStampStats *s)
{
	if (s == NULL || !g_atomic_ref_count_dec(&s->ref))
		return;
	g_mutex_clear(&s->lock);
	g_free(s);
}

void relais_stamp_stats_add(RelaisStampStats *s, double ms)
{
	g_return_if_fail(s != NULL);
	g_mutex_lock(&s->lock);
	s->ring[s->next] = ms;
	s->next = (s->next + 1) % RELAIS_STAMP_WINDOW;
	s->samples++;
	g_mutex_unlock(&s->lock);
}

void relais_stamp_stats_add_unreadable(RelaisStampStats *s)
{
	g_return_if_fail(s != NULL);
	g_mutex_lock(&s->lock);
	s->unreadable++;
	g_mutex_unlock(&s->lock);
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted values. */
static double percentile(const double *sorted, guint n, guint pct)
{
	guint rank = (pct * n + 99) / 100;
	return sorted[MAX(rank, 1) - 1];
}

void relais_stamp_stats_get(RelaisStampStats *s, RelaisStampSummary *out)
{
	g_return_if_fail(s != NULL && out != NULL);
	memset(out, 0, sizeof(*out));
	/* Sorted outside the lock: the reader probe runs on the streaming
	 * thread and must not wait for a status request. */
	g_autofree double *window = g_new(double, RELAIS_STAMP_WINDOW);
	g_mutex_lock(&s->lock);
	guint n = (guint)MIN(s->samples, (guint64)RELAIS_STAMP_WINDOW);
	out->samples = s->samples;
	out->unreadable = s->unreadable;
	guint first = (s->next + RELAIS_STAMP_WINDOW - n) % RELAIS_STAMP_WINDOW;
	for (guint i = 0; i < n; i++)
		window[i] = s->ring[(first + i) % RELAIS_STAMP_WINDOW];
	g_mutex_unlock(&s->lock);

	out->n_recent = MIN(n, RELAIS_STAMP_RECENT);
	memcpy(out->recent_ms, window + (n - out->n_recent), out->n_recent * sizeof(double));
	if (n == 0)
		return;
	qsort(window, n, sizeof(double), compare_double);
	out->p50_ms = percentile(window, n, 50);
	out->p90_ms = percentile(window, n, 90);
	out->max_ms = window[n - 1];
}

/* --- the pattern ------------------------------------------------------------- */

gboolean relais_stamp_enabled_from_env(void)
{
	return g_strcmp0(g_getenv("RELAIS_MEDIA_STAMP"), "1") == 0;
}

guint32 relais_stamp_from_real_time(gint64 real_time_us)
{
	return (guint32)((guint64)real_time_us / (1000 / RELAIS_STAMP_TICKS_PER_MS));
}

double relais_stamp_age_ms(guint32 stamp, guint32 now)
{
	return (double)(gint32)(now - stamp) / RELAIS_STAMP_TICKS_PER_MS;
}

/* CRC-8 (polynomial x^8+x^2+x+1) of the stamp's four bytes, big-endian,
 * then XOR CHECK_XOR. tests/e2e/bench-latency.mjs computes the same. */
static guint8 stamp_check(guint32 stamp)
{
	guint8 crc = 0;
	for (int byte = 3; byte >= 0; byte--) {
		crc ^= (guint8)(stamp >> (8 * byte));
		for (int i = 0; i < 8; i++)
			crc = (crc & 0x80) ? (guint8)((crc << 1) ^ 0x07) : (guint8)(crc << 1);
	}
	return crc ^ CHECK_XOR;
}

/* Cell i's bit: the stamp's 32 bits, most significant first, then the check. */
static gboolean cell_bit(guint32 stamp, guint8 check, guint i)
{
	if (i < RELAIS_STAMP_DATA_BITS)
		return (stamp >> (RELAIS_STAMP_DATA_BITS - 1 - i)) & 1;
	return (check >> (RELAIS_STAMP_CELLS - 1 - i)) & 1;
}

/* 8-bit YUV whose components can be addressed one pixel at a time; tiled
 * formats and deeper samples are not worth the code for a benchmark. */
static gboolean frame_supported(const GstVideoFrame *f)
{
	const GstVideoFormatInfo *fi = f->info.finfo;
	if (fi == NULL || !GST_VIDEO_FORMAT_INFO_IS_YUV(fi) || GST_VIDEO_FORMAT_INFO_IS_TILED(fi) ||
	    GST_VIDEO_FORMAT_INFO_N_COMPONENTS(fi) < 3)
		return FALSE;
	for (guint c = 0; c < 3; c++)
		if (GST_VIDEO_FORMAT_INFO_DEPTH(fi, c) != 8)
			return FALSE;
	return GST_VIDEO_FRAME_WIDTH(f) >= MIN_WIDTH && GST_VIDEO_FRAME_HEIGHT(f) >= MIN_HEIGHT;
}

static inline guint8 *comp_row(const GstVideoFrame *f, guint comp, guint y)
{
	return (guint8 *)GST_VIDEO_FRAME_COMP_DATA(f, comp) + (gsize)y * GST_VIDEO_FRAME_COMP_STRIDE(f, comp);
}

static inline guint cell_x(guint width, guint i)
{
	return (guint)((guint64)i * width / RELAIS_STAMP_CELLS);
}

gboolean relais_stamp_write_frame(GstVideoFrame *f, guint32 stamp)
{
	g_return_val_if_fail(f != NULL, FALSE);
	if (!frame_supported(f))
		return FALSE;
	const GstVideoFormatInfo *fi = f->info.finfo;
	guint width = GST_VIDEO_FRAME_WIDTH(f);
	guint strip = GST_VIDEO_FRAME_HEIGHT(f) / STRIP_DIVISOR;
	guint8 check = stamp_check(stamp);

	guint ps = GST_VIDEO_FRAME_COMP_PSTRIDE(f, 0);
	for (guint y = 0; y < strip; y++) {
		guint8 *row = comp_row(f, 0, y);
		for (guint i = 0; i < RELAIS_STAMP_CELLS; i++) {
			guint8 v = cell_bit(stamp, check, i) ? LUMA_WHITE : LUMA_BLACK;
			for (guint x = cell_x(width, i); x < cell_x(width, i + 1); x++)
				row[(gsize)x * ps] = v;
		}
	}
	/* Grey, whatever the camera saw there: the browser reads RGB. */
	for (guint c = 1; c < 3; c++) {
		guint cw = GST_VIDEO_FORMAT_INFO_SCALE_WIDTH(fi, c, width);
		guint ch = GST_VIDEO_FORMAT_INFO_SCALE_HEIGHT(fi, c, strip);
		guint cps = GST_VIDEO_FRAME_COMP_PSTRIDE(f, c);
		for (guint y = 0; y < ch; y++) {
			guint8 *row = comp_row(f, c, y);
			for (guint x = 0; x < cw; x++)
				row[(gsize)x * cps] = CHROMA_NEUTRAL;
		}
	}
	return TRUE;
}

gboolean relais_stamp_read_frame(const GstVideoFrame *f, guint32 *stamp_out)
{
	g_return_val_if_fail(f != NULL, FALSE);
	if (!frame_supported(f))
		return FALSE;
	guint width = GST_VIDEO_FRAME_WIDTH(f);
	guint strip = GST_VIDEO_FRAME_HEIGHT(f) / STRIP_DIVISOR;
	guint ps = GST_VIDEO_FRAME_COMP_PSTRIDE(f, 0);
	/* The middle half of each cell both ways: edges blur when the codec
	 * or a scaler mixes neighbouring cells. */
	guint y0 = strip / 4, y1 = strip - strip / 4;
	guint64 bits = 0;
	for (guint i = 0; i < RELAIS_STAMP_CELLS; i++) {
		guint a = cell_x(width, i), b = cell_x(width, i + 1);
		guint x0 = a + (b - a) / 4, x1 = b - (b - a) / 4;
		guint64 sum = 0, n = 0;
		for (guint y = y0; y < y1; y++) {
			const guint8 *row = comp_row(f, 0, y);
			for (guint x = x0; x < x1; x++)
				sum += row[(gsize)x * ps];
			n += x1 - x0;
		}
		if (n == 0)
			return FALSE;
		guint mean = (guint)(sum / n);
		if (mean >= THRESHOLD_WHITE)
			bits = (bits << 1) | 1;
		else if (mean <= THRESHOLD_BLACK)
			bits <<= 1;
		else
			return FALSE;
	}
	guint32 stamp = (guint32)(bits >> RELAIS_STAMP_CHECK_BITS);
	if ((guint8)(bits & 0xff) != stamp_check(stamp))
		return FALSE;
	if (stamp_out != NULL)
		*stamp_out = stamp;
	return TRUE;
}

/* --- pad probes ------------------------------------------------------------- */

typedef struct {
	GstVideoInfo info;
	gboolean have_info;
	GstSegment segment;
	gboolean have_segment;
	RelaisStampStats *stats; /* reader only */
	guint64 frames;
	RelaisStampStats *sent; /* writer: the send timer's, or NULL */
} ProbeState;

static void probe_state_free(gpointer data)
{
	ProbeState *ps = data;
	g_clear_pointer(&ps->stats, relais_stamp_stats_unref);
	g_clear_pointer(&ps->sent, relais_stamp_stats_unref);
	g_free(ps);
}

static void track_caps(ProbeState *ps, GstCaps *caps)
{
	ps->have_info = caps != NULL && gst_video_info_from_caps(&ps->info, caps);
}

/* Caps and segment come as sticky events on the streaming thread, in order
 * with the buffers: no lock needed. */
static void track_event(ProbeState *ps, GstEvent *ev)
{
	if (GST_EVENT_TYPE(ev) == GST_EVENT_CAPS) {
		GstCaps *caps = NULL;
		gst_event_parse_caps(ev, &caps);
		track_caps(ps, caps);
	} else if (GST_EVENT_TYPE(ev) == GST_EVENT_SEGMENT) {
		const GstSegment *seg = NULL;
		gst_event_parse_segment(ev, &seg);
		gst_segment_copy_into(seg, &ps->segment);
		ps->have_segment = seg->format == GST_FORMAT_TIME;
	}
}

/* The pad may already carry caps and a segment when the probe is added. */
static ProbeState *probe_state_new(GstPad *pad)
{
	ProbeState *ps = g_new0(ProbeState, 1);
	gst_segment_init(&ps->segment, GST_FORMAT_TIME);
	GstCaps *caps = gst_pad_get_current_caps(pad);
	if (caps != NULL) {
		track_caps(ps, caps);
		gst_caps_unref(caps);
	}
	GstEvent *seg = gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0);
	if (seg != NULL) {
		track_event(ps, seg);
		gst_event_unref(seg);
	}
	return ps;
}

/* How long ago the buffer was captured, from its timestamp on the pipeline
 * clock: a live source timestamps frames when they are captured (a camera:
 * when the driver got them), so this covers the source's own buffering. */
static gint64 capture_age_us(GstPad *pad, ProbeState *ps, GstBuffer *buf)
{
	if (!ps->have_segment || !GST_BUFFER_PTS_IS_VALID(buf))
		return 0;
	GstClockTime running = gst_segment_to_running_time(&ps->segment, GST_FORMAT_TIME, GST_BUFFER_PTS(buf));
	if (!GST_CLOCK_TIME_IS_VALID(running))
		return 0;
	GstElement *el = gst_pad_get_parent_element(pad);
	if (el == NULL)
		return 0;
	gint64 age = 0;
	GstClock *clock = gst_element_get_clock(el);
	if (clock != NULL) {
		GstClockTime captured = gst_element_get_base_time(el) + running;
		GstClockTime now = gst_clock_get_time(clock);
		if (now >= captured && now - captured <= MAX_CAPTURE_AGE_US * GST_USECOND)
			age = (gint64)((now - captured) / GST_USECOND);
		gst_object_unref(clock);
	}
	gst_object_unref(el);
	return age;
}

static GstPadProbeReturn writer_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	ProbeState *ps = data;
	if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
		track_event(ps, GST_PAD_PROBE_INFO_EVENT(info));
		return GST_PAD_PROBE_OK;
	}
	if (!ps->have_info)
		return GST_PAD_PROBE_OK;
	gint64 now = g_get_real_time();
	GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
	gint64 age = capture_age_us(pad, ps, buf);
	/* Painted in place; a buffer someone else still holds (a camera's
	 * pool, a tee) is copied first, and mapping copies shared memory. */
	buf = gst_buffer_make_writable(buf);
	GST_PAD_PROBE_INFO_DATA(info) = buf;
	GstVideoFrame frame;
	if (gst_video_frame_map(&frame, &ps->info, buf, GST_MAP_READWRITE)) {
		gboolean ok = relais_stamp_write_frame(&frame, relais_stamp_from_real_time(now - age));
		if (ok && ps->sent != NULL && GST_BUFFER_PTS_IS_VALID(buf)) {
			RelaisStampStats *t = ps->sent;
			g_mutex_lock(&t->lock);
			guint i = t->pending_next++ % RELAIS_STAMP_PENDING;
			t->pending[i].pts = GST_BUFFER_PTS(buf);
			t->pending[i].stamp_us = now - age;
			g_mutex_unlock(&t->lock);
		}
		gst_video_frame_unmap(&frame);
		if (!ok && ps->frames == 0)
			g_warning("cannot stamp %s frames of %dx%d", GST_VIDEO_INFO_NAME(&ps->info),
				  GST_VIDEO_INFO_WIDTH(&ps->info), GST_VIDEO_INFO_HEIGHT(&ps->info));
		ps->frames++;
	}
	return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn reader_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	ProbeState *ps = data;
	if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
		track_event(ps, GST_PAD_PROBE_INFO_EVENT(info));
		return GST_PAD_PROBE_OK;
	}
	guint32 now = relais_stamp_from_real_time(g_get_real_time());
	GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
	guint32 stamp = 0;
	gboolean found = FALSE;
	GstVideoFrame frame;
	if (ps->have_info && gst_video_frame_map(&frame, &ps->info, buf, GST_MAP_READ)) {
		found = relais_stamp_read_frame(&frame, &stamp);
		gst_video_frame_unmap(&frame);
	}
	double age = found ? relais_stamp_age_ms(stamp, now) : 0;
	if (found && age >= AGE_MIN_MS && age <= AGE_MAX_MS)
		relais_stamp_stats_add(ps->stats, age);
	else
		relais_stamp_stats_add_unreadable(ps->stats);
	return GST_PAD_PROBE_OK;
}

gulong relais_stamp_writer_attach(GstPad *pad)
{
	g_return_val_if_fail(GST_IS_PAD(pad), 0);
	g_info("stamping raw video on %s:%s", GST_DEBUG_PAD_NAME(pad));
	return gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, writer_probe,
				 probe_state_new(pad), probe_state_free);
}

/* On the encoder's output: the frame whose PTS a stamped frame had. */
static GstPadProbeReturn sent_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	RelaisStampStats *t = data;
	GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
	if (buf == NULL || !GST_BUFFER_PTS_IS_VALID(buf))
		return GST_PAD_PROBE_OK;
	gint64 now = g_get_real_time();
	gint64 stamp_us = 0;
	g_mutex_lock(&t->lock);
	for (guint i = 0; i < RELAIS_STAMP_PENDING; i++) {
		if (t->pending[i].stamp_us != 0 && t->pending[i].pts == GST_BUFFER_PTS(buf)) {
			stamp_us = t->pending[i].stamp_us;
			t->pending[i].stamp_us = 0;
			break;
		}
	}
	g_mutex_unlock(&t->lock);
	if (stamp_us != 0 && now >= stamp_us)
		relais_stamp_stats_add(t, (now - stamp_us) / 1000.0);
	return GST_PAD_PROBE_OK;
}

void relais_stamp_send_timer_attach(GstPad *raw, GstPad *encoded, RelaisStampStats *sent)
{
	g_return_if_fail(GST_IS_PAD(raw) && GST_IS_PAD(encoded) && sent != NULL);
	gst_pad_add_probe(encoded, GST_PAD_PROBE_TYPE_BUFFER, sent_probe, relais_stamp_stats_ref(sent),
			  (GDestroyNotify)relais_stamp_stats_unref);
	ProbeState *ps = probe_state_new(raw);
	ps->sent = relais_stamp_stats_ref(sent);
	gst_pad_add_probe(raw, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, writer_probe, ps,
			  probe_state_free);
}

gulong relais_stamp_reader_attach(GstPad *pad, RelaisStampStats *stats)
{
	g_return_val_if_fail(GST_IS_PAD(pad) && stats != NULL, 0);
	g_info("reading stamps on %s:%s", GST_DEBUG_PAD_NAME(pad));
	ProbeState *ps = probe_state_new(pad);
	ps->stats = relais_stamp_stats_ref(stats);
	return gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, reader_probe, ps,
				 probe_state_free);
}
