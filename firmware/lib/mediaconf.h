/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mediaconf: a board's media description, pipelines/<board>/media.conf.
 *
 * A GKeyFile whose values are gst-launch fragments. Loading checks that every
 * element named exists on this system; a missing one is reported by name with
 * the Debian package that ships it, so that a booth can go out of order with a
 * reason a technician can act on instead of aborting.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAIS_MEDIACONF_ERROR (relais_mediaconf_error_quark())
GQuark relais_mediaconf_error_quark(void);

typedef enum {
	RELAIS_MEDIACONF_ERROR_PARSE,		/* not a key file, missing key, bad fragment */
	RELAIS_MEDIACONF_ERROR_MISSING_ELEMENT, /* an element is not installed */
	RELAIS_MEDIACONF_ERROR_MISSING_DEVICE,	/* `device` absent and no `fallback` */
} RelaisMediaConfError;

typedef struct _RelaisMediaConf RelaisMediaConf;

/* Returns: (transfer full) or NULL with error. Only parses and validates
 * syntax; call relais_media_conf_check() for installed elements. */
RelaisMediaConf *relais_media_conf_load(const char *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* The same from the file's contents; `path` names it in messages. Fuzzed
 * (tests/fuzz/fuzz-mediaconf.c). */
RelaisMediaConf *relais_media_conf_load_data(const char *path, const char *data, gsize len,
					     GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Loads pipelines_dir/board/media.conf. */
RelaisMediaConf *relais_media_conf_load_board(const char *pipelines_dir, const char *board,
					      GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* TRUE when every element the conf names is installed; otherwise FALSE and an
 * error RELAIS_MEDIACONF_ERROR_MISSING_ELEMENT whose message names each missing
 * element and its Debian package, e.g.
 * "missing GStreamer element v4l2h264enc (Debian package gstreamer1.0-plugins-good)". */
gboolean relais_media_conf_check(const RelaisMediaConf *conf, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Returns: (transfer full) NULL-terminated list of the missing element names. */
char **relais_media_conf_missing_elements(const RelaisMediaConf *conf);

/* Debian package that ships a GStreamer element, or NULL if unknown. */
const char *relais_media_conf_package_for(const char *element);

/* Encoding name for SDP of the video codec ("VP8", "H264") and audio ("OPUS"). */
const char *relais_media_conf_video_codec(const RelaisMediaConf *conf);

const char *relais_media_conf_get_board(const RelaisMediaConf *conf);

/* Added for media.c and the booth. */

/* "OPUS" (the only audio codec a board may name). */
const char *relais_media_conf_audio_codec(const RelaisMediaConf *conf);

/* The file the conf came from, for messages. */
const char *relais_media_conf_get_path(const RelaisMediaConf *conf);

/* Video bitrate in kbit/s, substituted for ${bitrate} (and ${bitrate_bps}) in
 * the fragments from now on. The board file's [video] bitrate is the default;
 * the booth passes CONFIG_RELAIS_BOOTH_VIDEO_BITRATE. Range 50..20000. */
void relais_media_conf_set_bitrate(RelaisMediaConf *conf, guint kbps);
guint relais_media_conf_get_bitrate(const RelaisMediaConf *conf);

/* Jitter-buffer latency in ms ([rtp] latency, default 50). */
guint relais_media_conf_get_latency(const RelaisMediaConf *conf);

/* Returns: (transfer full) (nullable) the fragment [group] key ("video" or
 * "audio"; "encoder", "decoder", "processing", "playback"...) with variables
 * expanded, or NULL when the key is absent (decoder: use decodebin). */
char *relais_media_conf_dup_fragment(const RelaisMediaConf *conf, const char *group, const char *key);

/* Returns: (transfer full) the capture fragment of [group]: `source`, or
 * `fallback` when `device` is set but absent on this system. NULL with
 * RELAIS_MEDIACONF_ERROR_MISSING_DEVICE when the device is absent and there
 * is no fallback (a booth without its camera is out of order). */
char *relais_media_conf_dup_source(const RelaisMediaConf *conf, const char *group,
				   GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Returns: (transfer full) (nullable) the `device` path of [group], or
 * NULL when the group names none. */
char *relais_media_conf_dup_device(const RelaisMediaConf *conf, const char *group);

void relais_media_conf_free(RelaisMediaConf *conf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisMediaConf, relais_media_conf_free)

G_END_DECLS
