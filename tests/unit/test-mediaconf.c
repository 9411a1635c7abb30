/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pipelines/<board>/media.conf: every board file parses with the real
 * GStreamer parser, missing elements are named with their Debian package,
 * and corrupt files give a clear error instead of a booth in a boot loop.
 */
#define G_LOG_DOMAIN "test-mediaconf"

#include <string.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "harness.h"
#include "mediaconf.h"

typedef struct {
	char *pipelines;
	char *tmp;
	char *sim_text;
} Fixture;

static void fixture_set_up(Fixture *fx, gconstpointer data)
{
	fx->pipelines = rt_pipelines_dir();
	g_assert_nonnull(fx->pipelines);
	g_autoptr(GError) error = NULL;
	fx->tmp = g_dir_make_tmp("relais-mediaconf-XXXXXX", &error);
	g_assert_no_error(error);
	g_autofree char *sim = g_build_filename(fx->pipelines, "sim", "media.conf", NULL);
	g_assert_true(g_file_get_contents(sim, &fx->sim_text, NULL, &error));
	g_assert_no_error(error);
}

static void fixture_tear_down(Fixture *fx, gconstpointer data)
{
	g_autoptr(GDir) dir = g_dir_open(fx->tmp, 0, NULL);
	const char *name;
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree char *path = g_build_filename(fx->tmp, name, NULL);
		g_unlink(path);
	}
	g_rmdir(fx->tmp);
	g_free(fx->tmp);
	g_free(fx->pipelines);
	g_free(fx->sim_text);
}

/* Writes the sim board file with `from` replaced by `to` (first match). */
static char *write_variant(Fixture *fx, const char *from, const char *to)
{
	const char *at = strstr(fx->sim_text, from);
	g_assert_nonnull(at);
	g_autoptr(GString) s = g_string_new_len(fx->sim_text, at - fx->sim_text);
	g_string_append(s, to);
	g_string_append(s, at + strlen(from));
	char *path = g_build_filename(fx->tmp, "media.conf", NULL);
	g_autoptr(GError) error = NULL;
	g_assert_true(g_file_set_contents(path, s->str, -1, &error));
	g_assert_no_error(error);
	return path;
}

static void assert_parse_error(const char *path, const char *needle)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMediaConf) conf = relais_media_conf_load(path, &error);
	g_assert_null(conf);
	g_assert_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, path));
	if (needle != NULL && strstr(error->message, needle) == NULL)
		g_error("\"%s\" not in \"%s\"", needle, error->message);
}

static void test_all_boards_parse(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDir) dir = g_dir_open(fx->pipelines, 0, &error);
	g_assert_no_error(error);
	guint n = 0;
	const char *board;
	while ((board = g_dir_read_name(dir)) != NULL) {
		g_autofree char *path = g_build_filename(fx->pipelines, board, "media.conf", NULL);
		if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
			continue;
		g_autoptr(RelaisMediaConf) conf = relais_media_conf_load_board(fx->pipelines, board, &error);
		g_assert_no_error(error);
		g_assert_nonnull(conf);
		g_assert_cmpstr(relais_media_conf_get_board(conf), ==, board);
		const char *codec = relais_media_conf_video_codec(conf);
		g_assert_true(g_str_equal(codec, "VP8") || g_str_equal(codec, "H264"));
		g_assert_cmpstr(relais_media_conf_audio_codec(conf), ==, "OPUS");
		/* Every element a board names has a known package, so that a
		 * technician always gets an apt-get line. */
		g_auto(GStrv) missing = relais_media_conf_missing_elements(conf);
		for (guint i = 0; missing[i] != NULL; i++)
			g_assert_nonnull(relais_media_conf_package_for(missing[i]));
		g_test_message("%s: %s, %u missing here", board, codec, g_strv_length(missing));
		n++;
	}
	g_assert_cmpuint(n, >=, 3);
}

static void test_sim_checks(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMediaConf) conf = relais_media_conf_load_board(fx->pipelines, "sim", &error);
	g_assert_no_error(error);
	g_assert_true(relais_media_conf_check(conf, &error));
	g_assert_no_error(error);
	g_auto(GStrv) missing = relais_media_conf_missing_elements(conf);
	g_assert_cmpuint(g_strv_length(missing), ==, 0);
	g_assert_cmpstr(relais_media_conf_video_codec(conf), ==, "VP8");
	g_assert_cmpuint(relais_media_conf_get_latency(conf), >, 0);

	/* The whole echo-cancelled audio path is described. */
	g_autofree char *proc = relais_media_conf_dup_fragment(conf, "audio", "processing");
	g_assert_nonnull(strstr(proc, "webrtcdsp"));
	g_autofree char *play = relais_media_conf_dup_fragment(conf, "audio", "playback");
	g_assert_nonnull(strstr(play, "webrtcechoprobe"));
	g_autofree char *nothing = relais_media_conf_dup_fragment(conf, "video", "no-such-key");
	g_assert_null(nothing);
}

/* A board naming an encoder this machine lacks (the V4L2 H.264 encoder of
 * Raspberry Pi's kernel, which Debian's has not): parsed, then refused by
 * the check with the element and its package. */
static void test_missing_encoder(Fixture *fx, gconstpointer data)
{
	g_autoptr(GstElementFactory) f = gst_element_factory_find("v4l2h264enc");
	if (f != NULL) {
		g_test_skip("this host has a V4L2 H.264 encoder");
		return;
	}
	g_autofree char *path = write_variant(fx, "encoder=vp8enc", "encoder=v4l2h264enc ! vp8enc");
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMediaConf) conf = relais_media_conf_load(path, &error);
	g_assert_no_error(error);
	g_assert_false(relais_media_conf_check(conf, &error));
	g_assert_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_MISSING_ELEMENT);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message,
				"missing GStreamer element v4l2h264enc (Debian package gstreamer1.0-plugins-good)"));
	g_auto(GStrv) missing = relais_media_conf_missing_elements(conf);
	g_assert_true(g_strv_contains((const char *const *)missing, "v4l2h264enc"));
}

static void test_packages(Fixture *fx, gconstpointer data)
{
	g_assert_cmpstr(relais_media_conf_package_for("v4l2src"), ==, "gstreamer1.0-plugins-good");
	g_assert_cmpstr(relais_media_conf_package_for("v4l2h264enc"), ==, "gstreamer1.0-plugins-good");
	g_assert_cmpstr(relais_media_conf_package_for("x264enc"), ==, "gstreamer1.0-plugins-ugly");
	g_assert_cmpstr(relais_media_conf_package_for("libcamerasrc"), ==, "gstreamer1.0-libcamera");
	g_assert_cmpstr(relais_media_conf_package_for("webrtcdsp"), ==, "gstreamer1.0-plugins-bad");
	g_assert_cmpstr(relais_media_conf_package_for("webrtcbin"), ==, "gstreamer1.0-plugins-bad");
	g_assert_cmpstr(relais_media_conf_package_for("nicesrc"), ==, "gstreamer1.0-nice");
	g_assert_cmpstr(relais_media_conf_package_for("alsasrc"), ==, "gstreamer1.0-alsa");
	g_assert_cmpstr(relais_media_conf_package_for("vp8enc"), ==, "gstreamer1.0-plugins-good");
	g_assert_cmpstr(relais_media_conf_package_for("opusenc"), ==, "gstreamer1.0-plugins-base");
	g_assert_null(relais_media_conf_package_for("relaisnosuchelement"));
}

static void test_garbage(Fixture *fx, gconstpointer data)
{
	g_autofree char *path = g_build_filename(fx->tmp, "media.conf", NULL);
	guint8 junk[512];
	for (gsize i = 0; i < sizeof junk; i++)
		junk[i] = (guint8)g_test_rand_int_range(0, 256);
	g_assert_true(g_file_set_contents(path, (const char *)junk, sizeof junk, NULL));
	assert_parse_error(path, NULL);

	/* A key file, but not ours. */
	g_assert_true(g_file_set_contents(path, "[Desktop Entry]\nName=x\n", -1, NULL));
	assert_parse_error(path, "missing group [board]");

	/* Truncated in the middle of a group header. */
	g_autofree char *cut = g_strndup(fx->sim_text, strstr(fx->sim_text, "[video]") - fx->sim_text + 3);
	g_assert_true(g_file_set_contents(path, cut, -1, NULL));
	assert_parse_error(path, NULL);
}

static void test_missing_file(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMediaConf) conf = relais_media_conf_load_board(fx->tmp, "nosuchboard", &error);
	g_assert_null(conf);
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	g_assert_nonnull(strstr(error->message, "nosuchboard"));
	g_clear_error(&error);
	conf = relais_media_conf_load_board(fx->pipelines, "../sim", &error);
	g_assert_null(conf);
	g_assert_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE);
}

static void test_missing_key(Fixture *fx, gconstpointer data)
{
	g_autofree char *p1 = write_variant(fx, "\nencoder=vp8enc", "\n#encoder=vp8enc");
	assert_parse_error(p1, "missing key \"encoder\" in [video]");
	g_free(write_variant(fx, "\nplayback=", "\n#playback="));
	assert_parse_error(p1, "missing key \"playback\" in [audio]");
	g_free(write_variant(fx, "\ncodec=VP8", "\ncodec="));
	assert_parse_error(p1, "key \"codec\" in [video] is empty");
	g_free(write_variant(fx, "\ncodec=VP8", "\ncodec=THEORA"));
	assert_parse_error(p1, "THEORA");
	g_free(write_variant(fx, "\nname=sim", "\n#name=sim"));
	assert_parse_error(p1, "missing key \"name\" in [board]");
	g_free(write_variant(fx, "\nlatency=", "\nlatency=-4"));
	assert_parse_error(p1, "latency");
}

static void test_bad_fragment(Fixture *fx, gconstpointer data)
{
	g_autofree char *p = write_variant(fx, "! rtpvp8pay", "! ! rtpvp8pay");
	assert_parse_error(p, "[video] encoder");
	g_free(write_variant(fx, "deadline=1", "deadline=soon"));
	assert_parse_error(p, "deadline");
	g_free(write_variant(fx, "encoder=vp8enc deadline=1 cpu-used=", "encoder=vp8enc deadline=1 cpu-usd="));
	assert_parse_error(p, "cpu-usd");
	/* Encoders must end with a payloader. */
	g_free(write_variant(fx, "! rtpvp8pay pt=96 mtu=1200 picture-id-mode=15-bit", ""));
	assert_parse_error(p, "payloader");
	/* Echo cancellation is not optional. */
	g_free(write_variant(fx, "echo-cancel=true", "echo-cancel=false"));
	assert_parse_error(p, "echo");
	g_free(write_variant(
		fx, "! webrtcdsp echo-cancel=true noise-suppression=true gain-control=true high-pass-filter=true",
		"! volume"));
	assert_parse_error(p, "webrtcdsp");
	g_free(write_variant(fx, "webrtcechoprobe !", ""));
	assert_parse_error(p, "webrtcechoprobe");
	/* Variables are a closed set. */
	g_free(write_variant(fx, "${bitrate_bps}", "${bitrat}"));
	assert_parse_error(p, "${bitrat}");
	g_free(write_variant(fx, "${bitrate_bps}", "${bitrate_bps"));
	assert_parse_error(p, "unterminated");
}

static void test_unknown_element(Fixture *fx, gconstpointer data)
{
	g_autofree char *p = write_variant(fx, "encoder=vp8enc", "encoder=relaisfancyenc");
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMediaConf) conf = relais_media_conf_load(p, &error);
	/* Syntax is fine: "not installed" is for check() to say. */
	g_assert_no_error(error);
	g_assert_false(relais_media_conf_check(conf, &error));
	g_assert_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_MISSING_ELEMENT);
	g_test_message("%s", error->message);
	g_assert_nonnull(strstr(error->message, "relaisfancyenc"));
	g_assert_nonnull(strstr(error->message, "no known Debian package"));
	g_auto(GStrv) missing = relais_media_conf_missing_elements(conf);
	g_assert_cmpuint(g_strv_length(missing), ==, 1);
	g_assert_cmpstr(missing[0], ==, "relaisfancyenc");
}

static void test_variables(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMediaConf) conf = relais_media_conf_load_board(fx->pipelines, "sim", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(relais_media_conf_get_bitrate(conf), ==, 1200);
	g_autofree char *enc = relais_media_conf_dup_fragment(conf, "video", "encoder");
	g_assert_nonnull(strstr(enc, "target-bitrate=1200000 "));
	relais_media_conf_set_bitrate(conf, 800);
	g_autofree char *enc2 = relais_media_conf_dup_fragment(conf, "video", "encoder");
	g_assert_nonnull(strstr(enc2, "target-bitrate=800000 "));
	g_assert_null(strstr(enc2, "${"));
	g_autofree char *src = relais_media_conf_dup_fragment(conf, "video", "fallback");
	g_assert_nonnull(strstr(src, "width=640,height=480,framerate=30/1"));
}

static void test_device_fallback(Fixture *fx, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	/* Device present: the real source. */
	g_autofree char *p = write_variant(fx, "device=/dev/video0", "device=/");
	g_autoptr(RelaisMediaConf) conf = relais_media_conf_load(p, &error);
	g_assert_no_error(error);
	g_autofree char *src = relais_media_conf_dup_source(conf, "video", &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(src, "v4l2src"));
	g_clear_pointer(&conf, relais_media_conf_free);

	/* Device absent: the fallback. */
	g_free(write_variant(fx, "device=/dev/video0", "device=/relais/no/camera"));
	conf = relais_media_conf_load(p, &error);
	g_assert_no_error(error);
	g_autofree char *fb = relais_media_conf_dup_source(conf, "video", &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(fb, "videotestsrc"));
	g_clear_pointer(&conf, relais_media_conf_free);

	/* Absent and no fallback: out of order, with the reason. */
	g_autofree char *text = NULL;
	g_assert_true(g_file_get_contents(p, &text, NULL, NULL));
	g_autoptr(GString) s = g_string_new(text);
	g_string_replace(s, "\nfallback=", "\n#fallback=", 1);
	g_assert_true(g_file_set_contents(p, s->str, -1, NULL));
	conf = relais_media_conf_load(p, &error);
	g_assert_no_error(error);
	g_autofree char *none = relais_media_conf_dup_source(conf, "video", &error);
	g_assert_null(none);
	g_assert_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_MISSING_DEVICE);
	g_assert_nonnull(strstr(error->message, "/relais/no/camera"));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	gst_init(&argc, &argv);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
	ADD("/mediaconf/all-boards-parse", test_all_boards_parse);
	ADD("/mediaconf/sim-checks", test_sim_checks);
	ADD("/mediaconf/missing-encoder", test_missing_encoder);
	ADD("/mediaconf/packages", test_packages);
	ADD("/mediaconf/garbage", test_garbage);
	ADD("/mediaconf/missing-file", test_missing_file);
	ADD("/mediaconf/missing-key", test_missing_key);
	ADD("/mediaconf/bad-fragment", test_bad_fragment);
	ADD("/mediaconf/unknown-element", test_unknown_element);
	ADD("/mediaconf/variables", test_variables);
	ADD("/mediaconf/device-fallback", test_device_fallback);
	return g_test_run();
}
