/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stamp: the latency pattern is read back exactly from the frame it was
 * written to (any stride, plane layout or scale), is not found where there is
 * none, and survives the sim board's real VP8 encoder, payloader, depayloader
 * and decoder; the pad probes the media engine uses measure a sane latency.
 */
#define G_LOG_DOMAIN "test-stamp"

#include <string.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "mediaconf.h"
#include "stamp.h"

static const guint32 some_stamps[] = {0, 1, 0x80000000u, 0xffffffffu, 0x12345678u, 0xdeadbeefu, 0x55555555u};

/* A frame of `format` filled with noise, with strides padded by `pad` bytes
 * per row and planes at the offsets that gives (the GstVideoMeta says so). */
static GstBuffer *noise_frame(GstVideoFormat format, guint width, guint height, guint pad, GstVideoInfo *info,
			      GRand *rand)
{
	gst_video_info_set_format(info, format, width, height);
	if (pad > 0) {
		gsize offset = 0;
		for (guint p = 0; p < GST_VIDEO_INFO_N_PLANES(info); p++) {
			GST_VIDEO_INFO_PLANE_STRIDE(info, p) += pad;
			GST_VIDEO_INFO_PLANE_OFFSET(info, p) = offset;
			gint comp[GST_VIDEO_MAX_COMPONENTS];
			gst_video_format_info_component(info->finfo, p, comp);
			guint rows = GST_VIDEO_FORMAT_INFO_SCALE_HEIGHT(info->finfo, comp[0], height);
			offset += (gsize)GST_VIDEO_INFO_PLANE_STRIDE(info, p) * rows;
		}
		GST_VIDEO_INFO_SIZE(info) = offset;
	}
	GstBuffer *buf = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(info), NULL);
	GstMapInfo map;
	g_assert_true(gst_buffer_map(buf, &map, GST_MAP_WRITE));
	for (gsize i = 0; i < map.size; i++)
		map.data[i] = (guint8)g_rand_int(rand);
	gst_buffer_unmap(buf, &map);
	if (pad > 0)
		gst_buffer_add_video_meta_full(buf, GST_VIDEO_FRAME_FLAG_NONE, format, width, height,
					       GST_VIDEO_INFO_N_PLANES(info), info->offset, info->stride);
	return buf;
}

static gboolean read_buffer(GstBuffer *buf, const GstVideoInfo *info, guint32 *stamp)
{
	GstVideoFrame frame;
	g_assert_true(gst_video_frame_map(&frame, (GstVideoInfo *)info, buf, GST_MAP_READ));
	gboolean ok = relais_stamp_read_frame(&frame, stamp);
	gst_video_frame_unmap(&frame);
	return ok;
}

static void write_buffer(GstBuffer *buf, const GstVideoInfo *info, guint32 stamp)
{
	GstVideoFrame frame;
	g_assert_true(gst_video_frame_map(&frame, (GstVideoInfo *)info, buf, GST_MAP_READWRITE));
	g_assert_true(relais_stamp_write_frame(&frame, stamp));
	gst_video_frame_unmap(&frame);
}

static void test_exact(gconstpointer data)
{
	static const struct {
		GstVideoFormat format;
		guint width, height, pad;
	} cases[] = {
		{GST_VIDEO_FORMAT_I420, 640, 480, 0},	/* what the sim board sends */
		{GST_VIDEO_FORMAT_I420, 642, 362, 64},	/* odd size, padded rows (GstVideoMeta) */
		{GST_VIDEO_FORMAT_I420, 160, 30, 0},	/* smallest that holds a stamp */
		{GST_VIDEO_FORMAT_NV12, 1280, 720, 32}, /* semi-planar (hardware decoders) */
		{GST_VIDEO_FORMAT_YUY2, 640, 480, 0},	/* packed (UVC cameras) */
		{GST_VIDEO_FORMAT_Y444, 320, 240, 0},
	};
	g_autoptr(GRand) rand = g_rand_new_with_seed(42);
	for (gsize c = 0; c < G_N_ELEMENTS(cases); c++) {
		for (gsize s = 0; s < G_N_ELEMENTS(some_stamps); s++) {
			GstVideoInfo info;
			GstBuffer *buf = noise_frame(cases[c].format, cases[c].width, cases[c].height, cases[c].pad,
						     &info, rand);
			GstBuffer *before = gst_buffer_copy_deep(buf);
			write_buffer(buf, &info, some_stamps[s]);
			guint32 got = 0;
			g_assert_true(read_buffer(buf, &info, &got));
			g_assert_cmphex(got, ==, some_stamps[s]);

			/* The strip is grey and nothing below it changed. */
			GstVideoFrame a, b;
			g_assert_true(gst_video_frame_map(&a, &info, buf, GST_MAP_READ));
			g_assert_true(gst_video_frame_map(&b, &info, before, GST_MAP_READ));
			guint strip = cases[c].height / 15;
			for (guint comp = 0; comp < 3; comp++) {
				const guint8 *pa = GST_VIDEO_FRAME_COMP_DATA(&a, comp);
				const guint8 *pb = GST_VIDEO_FRAME_COMP_DATA(&b, comp);
				gint stride = GST_VIDEO_FRAME_COMP_STRIDE(&a, comp);
				guint ps = GST_VIDEO_FRAME_COMP_PSTRIDE(&a, comp);
				guint w = GST_VIDEO_FRAME_COMP_WIDTH(&a, comp);
				guint h = GST_VIDEO_FRAME_COMP_HEIGHT(&a, comp);
				guint hs = GST_VIDEO_FORMAT_INFO_SCALE_HEIGHT(info.finfo, comp, strip);
				for (guint y = 0; y < h; y++) {
					for (guint x = 0; x < w; x++) {
						guint8 va = pa[(gsize)y * stride + x * ps];
						if (y >= hs)
							g_assert_cmpuint(va, ==, pb[(gsize)y * stride + x * ps]);
						else if (comp > 0)
							g_assert_cmpuint(va, ==, 128);
						else
							g_assert_true(va == 16 || va == 235);
					}
				}
			}
			gst_video_frame_unmap(&a);
			gst_video_frame_unmap(&b);
			gst_buffer_unref(before);
			gst_buffer_unref(buf);
		}
	}
}

static void fill_luma(GstBuffer *buf, const GstVideoInfo *info, guint8 value)
{
	GstVideoFrame f;
	g_assert_true(gst_video_frame_map(&f, (GstVideoInfo *)info, buf, GST_MAP_READWRITE));
	for (gint y = 0; y < GST_VIDEO_FRAME_HEIGHT(&f); y++)
		memset((guint8 *)GST_VIDEO_FRAME_COMP_DATA(&f, 0) + y * GST_VIDEO_FRAME_COMP_STRIDE(&f, 0), value,
		       GST_VIDEO_FRAME_WIDTH(&f));
	gst_video_frame_unmap(&f);
}

static void test_absent(gconstpointer data)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(7);
	GstVideoInfo info;
	guint32 got = 0;

	/* Noise, black, white, grey: no stamp (black would be stamp 0 with
	 * check 0 without the check's XOR). */
	GstBuffer *buf = noise_frame(GST_VIDEO_FORMAT_I420, 640, 480, 0, &info, rand);
	g_assert_false(read_buffer(buf, &info, &got));
	const guint8 levels[] = {0, 16, 128, 235, 255};
	for (gsize i = 0; i < G_N_ELEMENTS(levels); i++) {
		fill_luma(buf, &info, levels[i]);
		g_assert_false(read_buffer(buf, &info, &got));
	}

	/* One flipped cell fails the check; a smudged one is undecided. */
	write_buffer(buf, &info, 0x12345678u);
	g_assert_true(read_buffer(buf, &info, &got));
	GstVideoFrame f;
	g_assert_true(gst_video_frame_map(&f, &info, buf, GST_MAP_READWRITE));
	guint8 *y0 = GST_VIDEO_FRAME_COMP_DATA(&f, 0);
	gint stride = GST_VIDEO_FRAME_COMP_STRIDE(&f, 0);
	for (guint y = 0; y < 32; y++)
		for (guint x = 16 * 5; x < 16 * 6; x++)
			y0[y * stride + x] = y0[y * stride + x] == 16 ? 235 : 16;
	gst_video_frame_unmap(&f);
	g_assert_false(read_buffer(buf, &info, &got));
	write_buffer(buf, &info, 0x12345678u);
	g_assert_true(gst_video_frame_map(&f, &info, buf, GST_MAP_READWRITE));
	y0 = GST_VIDEO_FRAME_COMP_DATA(&f, 0);
	for (guint y = 0; y < 32; y++)
		memset(y0 + y * stride + 16 * 39, 128, 16);
	gst_video_frame_unmap(&f);
	g_assert_false(read_buffer(buf, &info, &got));
	gst_buffer_unref(buf);

	/* Too small to hold one, and not YUV. */
	buf = noise_frame(GST_VIDEO_FORMAT_I420, 158, 480, 0, &info, rand);
	g_assert_true(gst_video_frame_map(&f, &info, buf, GST_MAP_READWRITE));
	g_assert_false(relais_stamp_write_frame(&f, 1));
	gst_video_frame_unmap(&f);
	gst_buffer_unref(buf);
	buf = noise_frame(GST_VIDEO_FORMAT_RGBA, 640, 480, 0, &info, rand);
	g_assert_true(gst_video_frame_map(&f, &info, buf, GST_MAP_READWRITE));
	g_assert_false(relais_stamp_write_frame(&f, 1));
	g_assert_false(relais_stamp_read_frame(&f, &got));
	gst_video_frame_unmap(&f);
	gst_buffer_unref(buf);
}

/* A browser may send the picture scaled (it drops resolution under load):
 * the geometry is relative, so the stamp is still read. */
static void test_scaled(gconstpointer data)
{
	static const guint sizes[][2] = {{320, 240}, {480, 360}, {1280, 960}, {400, 300}};
	g_autoptr(GRand) rand = g_rand_new_with_seed(3);
	GstVideoInfo in;
	GstBuffer *src = noise_frame(GST_VIDEO_FORMAT_I420, 640, 480, 0, &in, rand);
	write_buffer(src, &in, 0xcafe1234u);
	GstVideoFrame fin;
	g_assert_true(gst_video_frame_map(&fin, &in, src, GST_MAP_READ));
	for (gsize i = 0; i < G_N_ELEMENTS(sizes); i++) {
		GstVideoInfo out;
		gst_video_info_set_format(&out, GST_VIDEO_FORMAT_I420, sizes[i][0], sizes[i][1]);
		GstBuffer *dst = gst_buffer_new_allocate(NULL, GST_VIDEO_INFO_SIZE(&out), NULL);
		GstVideoFrame fout;
		g_assert_true(gst_video_frame_map(&fout, &out, dst, GST_MAP_WRITE));
		GstVideoConverter *conv = gst_video_converter_new(&in, &out, NULL);
		gst_video_converter_frame(conv, &fin, &fout);
		gst_video_converter_free(conv);
		guint32 got = 0;
		g_assert_true(relais_stamp_read_frame(&fout, &got));
		g_assert_cmphex(got, ==, 0xcafe1234u);
		gst_video_frame_unmap(&fout);
		gst_buffer_unref(dst);
	}
	gst_video_frame_unmap(&fin);
	gst_buffer_unref(src);
}

static void test_clock(gconstpointer data)
{
	/* 100 us ticks of CLOCK_REALTIME, ages modulo 2^32 across the wrap. */
	g_assert_cmpuint(relais_stamp_from_real_time(1234567), ==, 12345);
	guint64 big = ((guint64)1 << 32) * 100 + 250; /* ~5 days after the epoch */
	g_assert_cmpuint(relais_stamp_from_real_time((gint64)big), ==, 2);
	g_assert_cmpfloat_with_epsilon(relais_stamp_age_ms(0xfffffff0u, 0x10), 3.2, 1e-9);
	g_assert_cmpfloat_with_epsilon(relais_stamp_age_ms(100, 50), -5.0, 1e-9);
	g_assert_cmpfloat_with_epsilon(relais_stamp_age_ms(1000, 1334), 33.4, 1e-9);
}

static void test_stats(gconstpointer data)
{
	g_autoptr(RelaisStampStats) st = relais_stamp_stats_new();
	RelaisStampSummary sum;
	relais_stamp_stats_get(st, &sum);
	g_assert_cmpuint(sum.samples, ==, 0);
	g_assert_cmpuint(sum.n_recent, ==, 0);
	g_assert_cmpfloat(sum.p50_ms, ==, 0);

	/* 1..100 shuffled: nearest-rank p50 50, p90 90, max 100. */
	g_autoptr(GRand) rand = g_rand_new_with_seed(1);
	double v[100];
	for (guint i = 0; i < 100; i++)
		v[i] = i + 1;
	for (guint i = 99; i > 0; i--) {
		guint j = g_rand_int_range(rand, 0, i + 1);
		double t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
	for (guint i = 0; i < 100; i++)
		relais_stamp_stats_add(st, v[i]);
	relais_stamp_stats_add_unreadable(st);
	relais_stamp_stats_get(st, &sum);
	g_assert_cmpuint(sum.samples, ==, 100);
	g_assert_cmpuint(sum.unreadable, ==, 1);
	g_assert_cmpfloat(sum.p50_ms, ==, 50);
	g_assert_cmpfloat(sum.p90_ms, ==, 90);
	g_assert_cmpfloat(sum.max_ms, ==, 100);
	g_assert_cmpuint(sum.n_recent, ==, RELAIS_STAMP_RECENT);
	for (guint i = 0; i < RELAIS_STAMP_RECENT; i++)
		g_assert_cmpfloat(sum.recent_ms[i], ==, v[100 - RELAIS_STAMP_RECENT + i]);

	/* Only the last window counts for the percentiles. */
	for (guint i = 0; i < RELAIS_STAMP_WINDOW; i++)
		relais_stamp_stats_add(st, 7);
	relais_stamp_stats_get(st, &sum);
	g_assert_cmpuint(sum.samples, ==, 100 + RELAIS_STAMP_WINDOW);
	g_assert_cmpfloat(sum.p50_ms, ==, 7);
	g_assert_cmpfloat(sum.max_ms, ==, 7);
}

/* --- through the sim board's real encoder and decoder ---------------------- */

static char *pipelines_dir(void)
{
	const char *env = g_getenv("RELAIS_PIPELINES_DIR");
	if (env != NULL && *env != '\0')
		return g_strdup(env);
	g_autofree char *cwd = g_get_current_dir();
	g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
	g_autofree char *exe_dir = exe ? g_path_get_dirname(exe) : g_strdup(".");
	const char *const candidates[][2] = {{cwd, "pipelines"}, {exe_dir, "../../../pipelines"}};
	for (gsize i = 0; i < G_N_ELEMENTS(candidates); i++) {
		g_autofree char *dir = g_build_filename(candidates[i][0], candidates[i][1], NULL);
		g_autofree char *conf = g_build_filename(dir, "sim", "media.conf", NULL);
		if (g_file_test(conf, G_FILE_TEST_IS_REGULAR))
			return g_steal_pointer(&dir);
	}
	return NULL;
}

/* "<sim encoder incl. payloader> ! <sim decoder incl. depayloader>", or
 * NULL (test skipped) when the file or an element is missing. */
static char *sim_codec_chain(void)
{
	g_autofree char *dir = pipelines_dir();
	if (dir == NULL) {
		g_test_skip("pipelines/ not found (set RELAIS_PIPELINES_DIR)");
		return NULL;
	}
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMediaConf) conf = relais_media_conf_load_board(dir, "sim", &error);
	g_assert_no_error(error);
	if (!relais_media_conf_check(conf, &error)) {
		g_test_skip(error->message);
		return NULL;
	}
	g_autofree char *enc = relais_media_conf_dup_fragment(conf, "video", "encoder");
	g_autofree char *dec = relais_media_conf_dup_fragment(conf, "video", "decoder");
	/* every frame coded: the stamps must survive the coarsest quantizer,
	 * on snow too, where the board's encoder would rather drop frames to
	 * hold its rate (pipelines/sim/media.conf) */
	g_autoptr(GString) chain = g_string_new(NULL);
	g_string_printf(chain, "%s ! %s", enc, dec);
	g_string_replace(chain, "dropframe-threshold=30", "dropframe-threshold=0", 0);
	return g_string_free(g_steal_pointer(&chain), FALSE);
}

typedef struct {
	guint32 next;
	GArray *written;
} Writer;

static GstPadProbeReturn stamp_sequence(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
	Writer *w = data;
	GstCaps *caps = gst_pad_get_current_caps(pad);
	GstVideoInfo vi;
	g_assert_true(gst_video_info_from_caps(&vi, caps));
	gst_caps_unref(caps);
	GstBuffer *buf = gst_buffer_make_writable(GST_PAD_PROBE_INFO_BUFFER(info));
	GST_PAD_PROBE_INFO_DATA(info) = buf;
	/* Golden-ratio steps: every bit changes often. */
	w->next += 0x9e3779b9u;
	write_buffer(buf, &vi, w->next);
	g_array_append_val(w->written, w->next);
	return GST_PAD_PROBE_OK;
}

static void run_vp8(const char *pattern)
{
	g_autofree char *codec = sim_codec_chain();
	if (codec == NULL)
		return;
	g_autofree char *desc = g_strdup_printf(
		"videotestsrc pattern=%s num-buffers=90 ! video/x-raw,format=I420,width=640,height=480,framerate=30/1 "
		"! identity name=stamper ! %s ! videoconvert ! video/x-raw,format=I420 ! appsink name=sink sync=false",
		pattern, codec);
	g_autoptr(GError) error = NULL;
	g_autoptr(GstElement) pipeline = gst_parse_launch(desc, &error);
	g_assert_no_error(error);
	g_autoptr(GstElement) stamper = gst_bin_get_by_name(GST_BIN(pipeline), "stamper");
	g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
	g_autoptr(GstPad) pad = gst_element_get_static_pad(stamper, "src");
	Writer w = {0x1234, g_array_new(FALSE, FALSE, sizeof(guint32))};
	gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, stamp_sequence, &w, NULL);

	g_assert_cmpint(gst_element_set_state(pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
	guint decoded = 0, matched = 0, pos = 0;
	GstSample *sample;
	while ((sample = gst_app_sink_pull_sample(GST_APP_SINK(sink))) != NULL) {
		GstVideoInfo vi;
		g_assert_true(gst_video_info_from_caps(&vi, gst_sample_get_caps(sample)));
		guint32 got = 0;
		decoded++;
		if (read_buffer(gst_sample_get_buffer(sample), &vi, &got)) {
			/* In order, possibly with frames dropped on the way. */
			while (pos < w.written->len && g_array_index(w.written, guint32, pos) != got)
				pos++;
			if (pos < w.written->len)
				matched++;
			else
				g_test_message("read %08x, never written", got);
		}
		gst_sample_unref(sample);
	}
	g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
	g_autoptr(GstMessage) err = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
	if (err != NULL) {
		g_autoptr(GError) e = NULL;
		gst_message_parse_error(err, &e, NULL);
		g_error("%s: %s", GST_MESSAGE_SRC_NAME(err), e->message);
	}
	gst_element_set_state(pipeline, GST_STATE_NULL);
	g_test_message("%s: %u written, %u decoded, %u stamps read back", pattern, w.written->len, decoded, matched);
	g_assert_cmpuint(w.written->len, ==, 90);
	g_assert_cmpuint(decoded, >=, 85);
	g_assert_cmpuint(matched, ==, decoded);
	g_array_unref(w.written);
}

static void test_vp8(gconstpointer data)
{
	run_vp8(data);
}

/* The probes media.c attaches, on a live pipeline: every decoded frame has
 * a stamp, and its age is small and never negative. "timed": the writer
 * with the send timer, read after the codec (the same PTS): every frame is
 * timed, and its part is never more than the whole age read after it. */
static void test_probes(gconstpointer data)
{
	gboolean timed = g_strcmp0(data, "timed") == 0;
	g_autofree char *codec = sim_codec_chain();
	if (codec == NULL)
		return;
	g_autofree char *desc =
		g_strdup_printf("videotestsrc is-live=true pattern=ball num-buffers=45 ! "
				"video/x-raw,format=I420,width=640,height=480,framerate=30/1 ! queue name=q ! %s "
				"! videoconvert name=vc ! video/x-raw,format=I420 ! appsink name=sink sync=false",
				codec);
	g_autoptr(GError) error = NULL;
	g_autoptr(GstElement) pipeline = gst_parse_launch(desc, &error);
	g_assert_no_error(error);
	g_autoptr(GstElement) q = gst_bin_get_by_name(GST_BIN(pipeline), "q");
	g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
	g_autoptr(GstPad) raw = gst_element_get_static_pad(q, "sink");
	g_autoptr(GstPad) decoded = gst_element_get_static_pad(sink, "sink");
	g_autoptr(RelaisStampStats) stats = relais_stamp_stats_new();
	g_autoptr(RelaisStampStats) sent = relais_stamp_stats_new();
	g_autoptr(GstElement) vc = gst_bin_get_by_name(GST_BIN(pipeline), "vc");
	g_autoptr(GstPad) coded = gst_element_get_static_pad(vc, "sink");
	if (timed)
		relais_stamp_send_timer_attach(raw, coded, sent);
	else
		g_assert_cmpuint(relais_stamp_writer_attach(raw), !=, 0);
	g_assert_cmpuint(relais_stamp_reader_attach(decoded, stats), !=, 0);

	g_assert_cmpint(gst_element_set_state(pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
	guint n = 0;
	GstSample *sample;
	while ((sample = gst_app_sink_pull_sample(GST_APP_SINK(sink))) != NULL) {
		n++;
		gst_sample_unref(sample);
	}
	gst_element_set_state(pipeline, GST_STATE_NULL);

	RelaisStampSummary sum;
	relais_stamp_stats_get(stats, &sum);
	g_test_message("%u frames: %" G_GUINT64_FORMAT " stamps, %" G_GUINT64_FORMAT
		       " unreadable, p50 %.1f ms, p90 %.1f ms, max %.1f ms",
		       n, sum.samples, sum.unreadable, sum.p50_ms, sum.p90_ms, sum.max_ms);
	g_assert_cmpuint(n, >=, 40);
	g_assert_cmpuint(sum.samples, ==, n);
	g_assert_cmpuint(sum.unreadable, ==, 0);
	/* encode + decode of one frame; generous for a loaded CI host */
	for (guint i = 0; i < sum.n_recent; i++)
		g_assert_cmpfloat(sum.recent_ms[i], >=, 0);
	g_assert_cmpfloat(sum.p50_ms, >=, 0);
	g_assert_cmpfloat(sum.max_ms, <, 1000);
	RelaisStampSummary part;
	relais_stamp_stats_get(sent, &part);
	if (!timed) {
		g_assert_cmpuint(part.samples, ==, 0);
		return;
	}
	g_test_message("send timer: %" G_GUINT64_FORMAT " frames, p50 %.1f ms, max %.1f ms", part.samples, part.p50_ms,
		       part.max_ms);
	g_assert_cmpuint(part.samples, ==, n);
	g_assert_cmpfloat(part.p50_ms, >=, 0);
	/* the reader's ages are in the stamp's ticks (0.1 ms), the timer's
	 * in microseconds: one tick each way of slack */
	g_assert_cmpfloat(part.p50_ms, <=, sum.p50_ms + 2.0 / RELAIS_STAMP_TICKS_PER_MS);
	g_assert_cmpfloat(part.max_ms, <=, sum.max_ms + 2.0 / RELAIS_STAMP_TICKS_PER_MS);
}

int main(int argc, char **argv)
{
	gst_init(&argc, &argv);
	g_test_init(&argc, &argv, NULL);
	g_test_add_data_func("/stamp/exact", NULL, test_exact);
	g_test_add_data_func("/stamp/absent", NULL, test_absent);
	g_test_add_data_func("/stamp/scaled", NULL, test_scaled);
	g_test_add_data_func("/stamp/clock", NULL, test_clock);
	g_test_add_data_func("/stamp/stats", NULL, test_stats);
	g_test_add_data_func("/stamp/vp8/ball", "ball", test_vp8);
	/* noise everywhere else: the encoder starves the strip of bits */
	g_test_add_data_func("/stamp/vp8/snow", "snow", test_vp8);
	g_test_add_data_func("/stamp/probes", NULL, test_probes);
	g_test_add_data_func("/stamp/probes/timed", "timed", test_probes);
	return g_test_run();
}
