/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-mediaconf"

#include "mediaconf.h"

#include <string.h>
#include <gst/gst.h>

G_DEFINE_QUARK(relais - mediaconf - error - quark, relais_mediaconf_error)

struct _RelaisMediaConf {
	char *path;
	GKeyFile *kf;
	char *board;
	char *video_codec;
	char *audio_codec;
	guint bitrate_kbps;
	guint width, height, framerate;
	guint latency_ms;
	/* Every element factory the fragments name, installed or not, so that
	 * check() answers for the system as it is when it is called. */
	GPtrArray *elements;
};

/* The fragments, in the order media.c builds them. */
static const struct {
	const char *group, *key;
	gboolean required;
} fragment_keys[] = {
	{"video", "source", TRUE},     {"video", "fallback", FALSE}, {"video", "encoder", TRUE},
	{"video", "decoder", FALSE},   {"audio", "source", TRUE},    {"audio", "fallback", FALSE},
	{"audio", "processing", TRUE}, {"audio", "encoder", TRUE},   {"audio", "decoder", FALSE},
	{"audio", "playback", TRUE},
};

/* Elements the engine adds around the fragments (media.c); a booth missing
 * one of these cannot make a call whatever the board file says. */
static const char *const engine_elements[] = {
	"webrtcbin",  "nicesrc", "nicesink",   "dtlssrtpenc",	"dtlssrtpdec", "srtpenc",
	"srtpdec",    "rtpbin",	 "rtprtxsend", "rtprtxreceive", "appsink",     "videoconvert",
	"capsfilter", "queue",	 "fakesink",   "dtlsdec",	"tee",	       "volume",
};

/* Debian 12 package shipping each element (checked with dpkg -S on the
 * plugin files; Raspberry Pi OS uses the same package names). */
static const struct {
	const char *element, *package;
} packages[] = {
	/* core */
	{"queue", "libgstreamer1.0-0"},
	{"queue2", "libgstreamer1.0-0"},
	{"capsfilter", "libgstreamer1.0-0"},
	{"fakesink", "libgstreamer1.0-0"},
	{"fakesrc", "libgstreamer1.0-0"},
	{"identity", "libgstreamer1.0-0"},
	{"clocksync", "libgstreamer1.0-0"},
	{"tee", "libgstreamer1.0-0"},
	{"valve", "libgstreamer1.0-0"},
	{"funnel", "libgstreamer1.0-0"},
	{"input-selector", "libgstreamer1.0-0"},
	{"filesrc", "libgstreamer1.0-0"},
	{"filesink", "libgstreamer1.0-0"},
	/* base */
	{"appsink", "gstreamer1.0-plugins-base"},
	{"appsrc", "gstreamer1.0-plugins-base"},
	{"audioconvert", "gstreamer1.0-plugins-base"},
	{"audioresample", "gstreamer1.0-plugins-base"},
	{"audiorate", "gstreamer1.0-plugins-base"},
	{"audiotestsrc", "gstreamer1.0-plugins-base"},
	{"audiomixer", "gstreamer1.0-plugins-base"},
	{"volume", "gstreamer1.0-plugins-base"},
	{"videoconvert", "gstreamer1.0-plugins-base"},
	{"videoscale", "gstreamer1.0-plugins-base"},
	{"videorate", "gstreamer1.0-plugins-base"},
	{"videotestsrc", "gstreamer1.0-plugins-base"},
	{"videoflip", "gstreamer1.0-plugins-good"},
	{"compositor", "gstreamer1.0-plugins-base"},
	{"decodebin", "gstreamer1.0-plugins-base"},
	{"decodebin3", "gstreamer1.0-plugins-base"},
	{"opusenc", "gstreamer1.0-plugins-base"},
	{"opusdec", "gstreamer1.0-plugins-base"},
	{"rtpopuspay", "gstreamer1.0-plugins-good"},
	{"rtpopusdepay", "gstreamer1.0-plugins-good"},
	/* good */
	{"v4l2src", "gstreamer1.0-plugins-good"},
	{"v4l2sink", "gstreamer1.0-plugins-good"},
	{"v4l2convert", "gstreamer1.0-plugins-good"},
	{"v4l2h264enc", "gstreamer1.0-plugins-good"},
	{"v4l2h264dec", "gstreamer1.0-plugins-good"},
	{"v4l2vp8enc", "gstreamer1.0-plugins-good"},
	{"v4l2vp8dec", "gstreamer1.0-plugins-good"},
	{"v4l2jpegdec", "gstreamer1.0-plugins-good"},
	{"jpegdec", "gstreamer1.0-plugins-good"},
	{"vp8enc", "gstreamer1.0-plugins-good"},
	{"vp8dec", "gstreamer1.0-plugins-good"},
	{"vp9enc", "gstreamer1.0-plugins-good"},
	{"vp9dec", "gstreamer1.0-plugins-good"},
	{"rtpvp8pay", "gstreamer1.0-plugins-good"},
	{"rtpvp8depay", "gstreamer1.0-plugins-good"},
	{"rtpvp9pay", "gstreamer1.0-plugins-good"},
	{"rtpvp9depay", "gstreamer1.0-plugins-good"},
	{"rtph264pay", "gstreamer1.0-plugins-good"},
	{"rtph264depay", "gstreamer1.0-plugins-good"},
	{"rtpbin", "gstreamer1.0-plugins-good"},
	{"rtpjitterbuffer", "gstreamer1.0-plugins-good"},
	{"rtprtxsend", "gstreamer1.0-plugins-good"},
	{"rtprtxreceive", "gstreamer1.0-plugins-good"},
	{"capssetter", "gstreamer1.0-plugins-good"},
	{"pulsesrc", "gstreamer1.0-plugins-good"},
	{"pulsesink", "gstreamer1.0-plugins-good"},
	{"autoaudiosrc", "gstreamer1.0-plugins-good"},
	{"autoaudiosink", "gstreamer1.0-plugins-good"},
	{"autovideosink", "gstreamer1.0-plugins-good"},
	{"level", "gstreamer1.0-plugins-good"},
	{"videocrop", "gstreamer1.0-plugins-good"},
	/* bad */
	{"webrtcbin", "gstreamer1.0-plugins-bad"},
	{"webrtcdsp", "gstreamer1.0-plugins-bad"},
	{"webrtcechoprobe", "gstreamer1.0-plugins-bad"},
	{"dtlssrtpenc", "gstreamer1.0-plugins-bad"},
	{"dtlssrtpdec", "gstreamer1.0-plugins-bad"},
	{"dtlsenc", "gstreamer1.0-plugins-bad"},
	{"dtlsdec", "gstreamer1.0-plugins-bad"},
	{"srtpenc", "gstreamer1.0-plugins-bad"},
	{"srtpdec", "gstreamer1.0-plugins-bad"},
	{"h264parse", "gstreamer1.0-plugins-bad"},
	{"openh264enc", "gstreamer1.0-plugins-bad"},
	{"openh264dec", "gstreamer1.0-plugins-bad"},
	{"v4l2slh264dec", "gstreamer1.0-plugins-bad"},
	{"kmssink", "gstreamer1.0-plugins-bad"},
	{"waylandsink", "gstreamer1.0-plugins-bad"},
	/* ugly, libav */
	{"x264enc", "gstreamer1.0-plugins-ugly"},
	{"avdec_h264", "gstreamer1.0-libav"},
	{"avdec_vp8", "gstreamer1.0-libav"},
	/* separate packages */
	{"nicesrc", "gstreamer1.0-nice"},
	{"nicesink", "gstreamer1.0-nice"},
	{"libcamerasrc", "gstreamer1.0-libcamera"},
	{"alsasrc", "gstreamer1.0-alsa"},
	{"alsasink", "gstreamer1.0-alsa"},
	{"glimagesink", "gstreamer1.0-gl"},
	{"ximagesink", "gstreamer1.0-x"},
	{"xvimagesink", "gstreamer1.0-x"},
};

static const char *const video_codecs[] = {"VP8", "VP9", "H264", NULL};
static const char *const audio_codecs[] = {"OPUS", NULL};

const char *relais_media_conf_package_for(const char *element)
{
	g_return_val_if_fail(element != NULL, NULL);
	for (gsize i = 0; i < G_N_ELEMENTS(packages); i++) {
		if (g_str_equal(packages[i].element, element))
			return packages[i].package;
	}
	return NULL;
}

void relais_media_conf_free(RelaisMediaConf *conf)
{
	if (conf == NULL)
		return;
	g_free(conf->path);
	g_clear_pointer(&conf->kf, g_key_file_unref);
	g_free(conf->board);
	g_free(conf->video_codec);
	g_free(conf->audio_codec);
	g_clear_pointer(&conf->elements, g_ptr_array_unref);
	g_free(conf);
}

static gboolean ensure_gst(GError **error)
{
	if (gst_is_initialized())
		return TRUE;
	return gst_init_check(NULL, NULL, error);
}

static void add_element_name(RelaisMediaConf *conf, const char *name)
{
	for (guint i = 0; i < conf->elements->len; i++) {
		if (g_str_equal(g_ptr_array_index(conf->elements, i), name))
			return;
	}
	g_ptr_array_add(conf->elements, g_strdup(name));
}

/* An optional unsigned key; absent means def. */
static gboolean get_uint(GKeyFile *kf, const char *group, const char *key, guint def, guint min, guint max, guint *out,
			 GError **error)
{
	g_autofree char *raw = g_key_file_get_value(kf, group, key, NULL);
	if (raw == NULL) {
		*out = def;
		return TRUE;
	}
	guint64 v;
	g_autoptr(GError) local = NULL;
	if (!g_ascii_string_to_unsigned(g_strstrip(raw), 10, min, max, &v, &local)) {
		g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE, "[%s] %s: %s", group, key,
			    local->message);
		return FALSE;
	}
	*out = (guint)v;
	return TRUE;
}

static gboolean lookup_variable(const RelaisMediaConf *conf, const char *name, GString *out)
{
	if (g_str_equal(name, "bitrate"))
		g_string_append_printf(out, "%u", conf->bitrate_kbps);
	else if (g_str_equal(name, "bitrate_bps"))
		g_string_append_printf(out, "%u", conf->bitrate_kbps * 1000);
	else if (g_str_equal(name, "width"))
		g_string_append_printf(out, "%u", conf->width);
	else if (g_str_equal(name, "height"))
		g_string_append_printf(out, "%u", conf->height);
	else if (g_str_equal(name, "framerate"))
		g_string_append_printf(out, "%u", conf->framerate);
	else
		return FALSE;
	return TRUE;
}

/* ${name} substitution. The set of names is closed so that a typo is an
 * error at load time rather than a property silently left at its default. */
static char *expand(const RelaisMediaConf *conf, const char *text, GError **error)
{
	g_autoptr(GString) out = g_string_new(NULL);
	const char *p = text;
	while (*p != '\0') {
		const char *start = strstr(p, "${");
		if (start == NULL) {
			g_string_append(out, p);
			break;
		}
		g_string_append_len(out, p, start - p);
		const char *end = strchr(start + 2, '}');
		if (end == NULL) {
			g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE,
				    "unterminated variable reference \"%.20s\"", start);
			return NULL;
		}
		g_autofree char *name = g_strndup(start + 2, end - start - 2);
		if (!lookup_variable(conf, name, out)) {
			g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE,
				    "unknown variable ${%s} (known: bitrate, bitrate_bps, width, height, framerate)",
				    name);
			return NULL;
		}
		p = end + 1;
	}
	return g_string_free(g_steal_pointer(&out), FALSE);
}

static gboolean bin_has_factory(GstBin *bin, const char *factory_name, GstElement **found)
{
	gboolean result = FALSE;
	GstIterator *it = gst_bin_iterate_recurse(bin);
	GValue item = G_VALUE_INIT;
	while (!result && gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
		GstElement *el = g_value_get_object(&item);
		GstElementFactory *f = gst_element_get_factory(el);
		if (f != NULL && g_str_equal(GST_OBJECT_NAME(f), factory_name)) {
			result = TRUE;
			if (found != NULL)
				*found = gst_object_ref(el);
		}
		g_value_reset(&item);
	}
	g_value_unset(&item);
	gst_iterator_free(it);
	return result;
}

static gboolean bin_has_klass(GstBin *bin, const char *klass_word)
{
	gboolean result = FALSE;
	GstIterator *it = gst_bin_iterate_recurse(bin);
	GValue item = G_VALUE_INIT;
	while (!result && gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
		GstElement *el = g_value_get_object(&item);
		GstElementFactory *f = gst_element_get_factory(el);
		const char *klass = f ? gst_element_factory_get_metadata(f, GST_ELEMENT_METADATA_KLASS) : NULL;
		if (klass != NULL && strstr(klass, klass_word) != NULL)
			result = TRUE;
		g_value_reset(&item);
	}
	g_value_unset(&item);
	gst_iterator_free(it);
	return result;
}

static void collect_factories(RelaisMediaConf *conf, GstElement *top)
{
	if (!GST_IS_BIN(top)) {
		GstElementFactory *f = gst_element_get_factory(top);
		if (f != NULL)
			add_element_name(conf, GST_OBJECT_NAME(f));
		return;
	}
	GstIterator *it = gst_bin_iterate_recurse(GST_BIN(top));
	GValue item = G_VALUE_INIT;
	while (gst_iterator_next(it, &item) == GST_ITERATOR_OK) {
		GstElementFactory *f = gst_element_get_factory(g_value_get_object(&item));
		if (f != NULL)
			add_element_name(conf, GST_OBJECT_NAME(f));
		g_value_reset(&item);
	}
	g_value_unset(&item);
	gst_iterator_free(it);
}

/* Structural rules a fragment must follow for media.c to use it. Only run
 * when every element of the fragment is installed. */
static gboolean check_structure(const char *group, const char *key, GstElement *parsed, GError **error)
{
	GstBin *bin = GST_IS_BIN(parsed) ? GST_BIN(parsed) : NULL;
	if (g_str_equal(key, "encoder")) {
		gboolean ok = bin ? bin_has_klass(bin, "Payloader")
				  : strstr(gst_element_factory_get_metadata(gst_element_get_factory(parsed),
									    GST_ELEMENT_METADATA_KLASS),
					   "Payloader") != NULL;
		if (!ok) {
			g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE,
				    "[%s] encoder must end with an RTP payloader (e.g. rtpvp8pay)", group);
			return FALSE;
		}
	} else if (g_str_equal(group, "audio") && g_str_equal(key, "processing")) {
		g_autoptr(GstElement) dsp = NULL;
		if (bin == NULL || !bin_has_factory(bin, "webrtcdsp", &dsp)) {
			if (bin == NULL && g_str_equal(GST_OBJECT_NAME(gst_element_get_factory(parsed)), "webrtcdsp"))
				dsp = gst_object_ref(parsed);
		}
		if (dsp == NULL) {
			g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE,
				    "[audio] processing must contain webrtcdsp: echo cancellation is mandatory");
			return FALSE;
		}
		gboolean aec = FALSE;
		g_object_get(dsp, "echo-cancel", &aec, NULL);
		if (!aec) {
			g_set_error(
				error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE,
				"[audio] processing: webrtcdsp has echo-cancel=false; echo cancellation is mandatory");
			return FALSE;
		}
	} else if (g_str_equal(group, "audio") && g_str_equal(key, "playback")) {
		gboolean ok = bin ? bin_has_factory(bin, "webrtcechoprobe", NULL)
				  : g_str_equal(GST_OBJECT_NAME(gst_element_get_factory(parsed)), "webrtcechoprobe");
		if (!ok) {
			g_set_error(
				error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE,
				"[audio] playback must contain webrtcechoprobe: the echo canceller needs the far end");
			return FALSE;
		}
	}
	return TRUE;
}

/* Parses one fragment with the real GStreamer parser: syntax, properties
 * and links of installed elements are checked here; names of elements that
 * are not installed are recorded for check(). */
static gboolean validate_fragment(RelaisMediaConf *conf, const char *group, const char *key, const char *text,
				  const char *mandatory_factory, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autofree char *expanded = expand(conf, text, &local);
	if (expanded == NULL) {
		g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE, "[%s] %s: %s", group, key,
			    local->message);
		return FALSE;
	}
	if (*g_strstrip(expanded) == '\0') {
		g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE, "[%s] %s is empty", group,
			    key);
		return FALSE;
	}

	/* Fragments are pieces of a chain (a source ends with caps, processing
	 * may start with them), which the parser only accepts between elements;
	 * give each piece neighbours that take any format, as media.c does. */
	const char *before = "", *after = " ! fakesink";
	if (g_str_equal(key, "playback"))
		before = "identity ! ", after = "";
	else if (!g_str_equal(key, "source") && !g_str_equal(key, "fallback"))
		before = "identity ! ";
	g_autofree char *chain = g_strconcat(before, expanded, after, NULL);

	g_autoptr(GstParseContext) ctx = gst_parse_context_new();
	GstElement *floating = gst_parse_launch_full(chain, ctx, GST_PARSE_FLAG_PLACE_IN_BIN, &local);
	g_autoptr(GstElement) parsed = floating ? gst_object_ref_sink(floating) : NULL;
	if (local != NULL && !g_error_matches(local, GST_PARSE_ERROR, GST_PARSE_ERROR_NO_SUCH_ELEMENT)) {
		g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE, "[%s] %s: %s (in \"%s\")",
			    group, key, local->message, expanded);
		return FALSE;
	}

	/* The context's list also names elements that exist but rejected a
	 * property; only those without a factory are really missing. */
	gboolean any_missing = FALSE;
	g_auto(GStrv) missing = gst_parse_context_get_missing_elements(ctx);
	for (guint i = 0; missing != NULL && missing[i] != NULL; i++) {
		g_autoptr(GstElementFactory) f = gst_element_factory_find(missing[i]);
		if (f == NULL) {
			add_element_name(conf, missing[i]);
			any_missing = TRUE;
		}
	}
	if (local != NULL && !any_missing) {
		g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE, "[%s] %s: %s", group, key,
			    local->message);
		return FALSE;
	}
	if (parsed != NULL)
		collect_factories(conf, parsed);
	if (parsed == NULL || any_missing) {
		/* Cannot look inside; at least make sure the mandatory element
		 * is named, installed or not. */
		if (mandatory_factory != NULL &&
		    (missing == NULL || !g_strv_contains((const char *const *)missing, mandatory_factory)) &&
		    (parsed == NULL || !GST_IS_BIN(parsed) ||
		     !bin_has_factory(GST_BIN(parsed), mandatory_factory, NULL))) {
			g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE,
				    "[%s] %s must contain %s", group, key, mandatory_factory);
			return FALSE;
		}
		return TRUE;
	}
	return check_structure(group, key, parsed, error);
}

static char *get_required_string(GKeyFile *kf, const char *group, const char *key, GError **error)
{
	g_autoptr(GError) local = NULL;
	char *v = g_key_file_get_string(kf, group, key, &local);
	if (v == NULL) {
		g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE, "missing key \"%s\" in [%s]",
			    key, group);
		return NULL;
	}
	if (*g_strstrip(v) == '\0') {
		g_free(v);
		g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE, "key \"%s\" in [%s] is empty",
			    key, group);
		return NULL;
	}
	return v;
}

static gboolean load_keys(RelaisMediaConf *conf, GError **error)
{
	GKeyFile *kf = conf->kf;
	static const char *const groups[] = {"board", "video", "audio"};
	for (gsize i = 0; i < G_N_ELEMENTS(groups); i++) {
		if (!g_key_file_has_group(kf, groups[i])) {
			g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE, "missing group [%s]",
				    groups[i]);
			return FALSE;
		}
	}
	conf->board = get_required_string(kf, "board", "name", error);
	if (conf->board == NULL)
		return FALSE;
	conf->video_codec = get_required_string(kf, "video", "codec", error);
	if (conf->video_codec == NULL)
		return FALSE;
	if (!g_strv_contains(video_codecs, conf->video_codec)) {
		g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE,
			    "[video] codec \"%s\" is not one of VP8, VP9, H264", conf->video_codec);
		return FALSE;
	}
	if (g_key_file_has_key(kf, "audio", "codec", NULL)) {
		conf->audio_codec = get_required_string(kf, "audio", "codec", error);
		if (conf->audio_codec == NULL)
			return FALSE;
	} else {
		conf->audio_codec = g_strdup("OPUS");
	}
	if (!g_strv_contains(audio_codecs, conf->audio_codec)) {
		g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE,
			    "[audio] codec \"%s\" is not OPUS", conf->audio_codec);
		return FALSE;
	}
	if (!get_uint(kf, "video", "bitrate", 1200, 50, 20000, &conf->bitrate_kbps, error) ||
	    !get_uint(kf, "video", "width", 640, 16, 7680, &conf->width, error) ||
	    !get_uint(kf, "video", "height", 480, 16, 4320, &conf->height, error) ||
	    !get_uint(kf, "video", "framerate", 30, 1, 120, &conf->framerate, error) ||
	    !get_uint(kf, "rtp", "latency", 50, 0, 5000, &conf->latency_ms, error))
		return FALSE;

	for (gsize i = 0; i < G_N_ELEMENTS(fragment_keys); i++) {
		const char *group = fragment_keys[i].group, *key = fragment_keys[i].key;
		g_autofree char *text = NULL;
		if (fragment_keys[i].required) {
			text = get_required_string(kf, group, key, error);
			if (text == NULL)
				return FALSE;
		} else {
			text = g_key_file_get_string(kf, group, key, NULL);
			if (text == NULL) {
				if (g_str_equal(key, "decoder"))
					add_element_name(conf, "decodebin");
				continue;
			}
		}
		const char *mandatory = NULL;
		if (g_str_equal(group, "audio") && g_str_equal(key, "processing"))
			mandatory = "webrtcdsp";
		else if (g_str_equal(group, "audio") && g_str_equal(key, "playback"))
			mandatory = "webrtcechoprobe";
		if (!validate_fragment(conf, group, key, text, mandatory, error))
			return FALSE;
	}
	if (g_key_file_has_key(kf, "video", "fallback", NULL) && !g_key_file_has_key(kf, "video", "device", NULL)) {
		g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE,
			    "[video] fallback needs a device key (it is used when the device is absent)");
		return FALSE;
	}
	if (g_key_file_has_key(kf, "audio", "fallback", NULL) && !g_key_file_has_key(kf, "audio", "device", NULL)) {
		g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE,
			    "[audio] fallback needs a device key (it is used when the device is absent)");
		return FALSE;
	}
	return TRUE;
}

RelaisMediaConf *relais_media_conf_load_data(const char *path, const char *data, gsize len, GError **error)
{
	g_return_val_if_fail(path != NULL, NULL);
	g_return_val_if_fail(data != NULL || len == 0, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	if (!ensure_gst(error))
		return NULL;

	g_autoptr(RelaisMediaConf) conf = g_new0(RelaisMediaConf, 1);
	conf->path = g_strdup(path);
	conf->kf = g_key_file_new();
	conf->elements = g_ptr_array_new_with_free_func(g_free);

	g_autoptr(GError) local = NULL;
	if (!g_key_file_load_from_data(conf->kf, data ? data : "", len, G_KEY_FILE_NONE, &local)) {
		g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE, "%s: %s", path,
			    local->message);
		return NULL;
	}
	if (!load_keys(conf, &local)) {
		g_propagate_prefixed_error(error, g_steal_pointer(&local), "%s: ", path);
		return NULL;
	}
	return g_steal_pointer(&conf);
}

RelaisMediaConf *relais_media_conf_load(const char *path, GError **error)
{
	g_return_val_if_fail(path != NULL, NULL);
	g_return_val_if_fail(error == NULL || *error == NULL, NULL);

	g_autofree char *data = NULL;
	gsize len = 0;
	g_autoptr(GError) local = NULL;
	if (!g_file_get_contents(path, &data, &len, &local)) {
		g_propagate_prefixed_error(error, g_steal_pointer(&local), "%s: ", path);
		return NULL;
	}
	return relais_media_conf_load_data(path, data, len, error);
}

RelaisMediaConf *relais_media_conf_load_board(const char *pipelines_dir, const char *board, GError **error)
{
	g_return_val_if_fail(pipelines_dir != NULL, NULL);
	g_return_val_if_fail(board != NULL, NULL);

	/* The board name comes from configuration; keep it inside the folder. */
	if (*board == '\0' || strchr(board, '/') != NULL || g_str_equal(board, "..") || g_str_equal(board, ".")) {
		g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_PARSE, "invalid board name \"%s\"",
			    board);
		return NULL;
	}
	g_autofree char *path = g_build_filename(pipelines_dir, board, "media.conf", NULL);
	return relais_media_conf_load(path, error);
}

char **relais_media_conf_missing_elements(const RelaisMediaConf *conf)
{
	g_return_val_if_fail(conf != NULL, NULL);
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	g_autoptr(GPtrArray) seen = g_ptr_array_new();
	for (guint i = 0; i < conf->elements->len + G_N_ELEMENTS(engine_elements); i++) {
		const char *name = i < conf->elements->len ? g_ptr_array_index(conf->elements, i)
							   : engine_elements[i - conf->elements->len];
		if (g_ptr_array_find_with_equal_func(seen, name, g_str_equal, NULL))
			continue;
		g_ptr_array_add(seen, (gpointer)name);
		g_autoptr(GstElementFactory) f = gst_element_factory_find(name);
		if (f == NULL)
			g_strv_builder_add(b, name);
	}
	return g_strv_builder_end(b);
}

gboolean relais_media_conf_check(const RelaisMediaConf *conf, GError **error)
{
	g_return_val_if_fail(conf != NULL, FALSE);
	g_auto(GStrv) missing = relais_media_conf_missing_elements(conf);
	if (missing[0] == NULL)
		return TRUE;

	g_autoptr(GString) msg = g_string_new(NULL);
	for (guint i = 0; missing[i] != NULL; i++) {
		const char *pkg = relais_media_conf_package_for(missing[i]);
		if (i > 0)
			g_string_append(msg, "; ");
		if (pkg != NULL)
			g_string_append_printf(msg, "missing GStreamer element %s (Debian package %s)", missing[i],
					       pkg);
		else
			g_string_append_printf(msg,
					       "missing GStreamer element %s (no known Debian package: "
					       "check the name in %s)",
					       missing[i], conf->path);
	}
	g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_MISSING_ELEMENT, "board %s: %s", conf->board,
		    msg->str);
	return FALSE;
}

const char *relais_media_conf_video_codec(const RelaisMediaConf *conf)
{
	g_return_val_if_fail(conf != NULL, NULL);
	return conf->video_codec;
}

const char *relais_media_conf_audio_codec(const RelaisMediaConf *conf)
{
	g_return_val_if_fail(conf != NULL, NULL);
	return conf->audio_codec;
}

const char *relais_media_conf_get_board(const RelaisMediaConf *conf)
{
	g_return_val_if_fail(conf != NULL, NULL);
	return conf->board;
}

const char *relais_media_conf_get_path(const RelaisMediaConf *conf)
{
	g_return_val_if_fail(conf != NULL, NULL);
	return conf->path;
}

void relais_media_conf_set_bitrate(RelaisMediaConf *conf, guint kbps)
{
	g_return_if_fail(conf != NULL);
	g_return_if_fail(kbps >= 50 && kbps <= 20000);
	conf->bitrate_kbps = kbps;
}

guint relais_media_conf_get_bitrate(const RelaisMediaConf *conf)
{
	g_return_val_if_fail(conf != NULL, 0);
	return conf->bitrate_kbps;
}

guint relais_media_conf_get_latency(const RelaisMediaConf *conf)
{
	g_return_val_if_fail(conf != NULL, 0);
	return conf->latency_ms;
}

char *relais_media_conf_dup_fragment(const RelaisMediaConf *conf, const char *group, const char *key)
{
	g_return_val_if_fail(conf != NULL, NULL);
	g_autofree char *text = g_key_file_get_string(conf->kf, group, key, NULL);
	if (text == NULL)
		return NULL;
	/* Variables were validated at load and bitrate only takes numbers. */
	g_autoptr(GError) error = NULL;
	char *expanded = expand(conf, g_strstrip(text), &error);
	g_return_val_if_fail(expanded != NULL, NULL);
	return expanded;
}

char *relais_media_conf_dup_device(const RelaisMediaConf *conf, const char *group)
{
	g_return_val_if_fail(conf != NULL, NULL);
	char *device = g_key_file_get_string(conf->kf, group, "device", NULL);
	if (device != NULL && *g_strstrip(device) == '\0')
		g_clear_pointer(&device, g_free);
	return device;
}

char *relais_media_conf_dup_source(const RelaisMediaConf *conf, const char *group, GError **error)
{
	g_return_val_if_fail(conf != NULL, NULL);
	g_autofree char *device = g_key_file_get_string(conf->kf, group, "device", NULL);
	if (device != NULL && *g_strstrip(device) != '\0' && !g_file_test(device, G_FILE_TEST_EXISTS)) {
		char *fallback = relais_media_conf_dup_fragment(conf, group, "fallback");
		if (fallback != NULL) {
			g_debug("%s device %s absent, using the fallback source", group, device);
			return fallback;
		}
		g_set_error(error, RELAIS_MEDIACONF_ERROR, RELAIS_MEDIACONF_ERROR_MISSING_DEVICE,
			    "board %s: %s device %s not found", conf->board,
			    g_str_equal(group, "video") ? "camera" : "audio", device);
		return NULL;
	}
	return relais_media_conf_dup_fragment(conf, group, "source");
}
