/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * harness: what the C integration tests share. Starts the real programs
 * (relais-switchboard, relais-booth) from the build folder on free ports and
 * temp dirs, talks to a booth's control socket, and plays an adviser over the
 * real WebSocket endpoint.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include "protocol.h"

G_BEGIN_DECLS

const char *rt_top(void);   /* repository root */
const char *rt_build(void); /* build folder */
/* pipelines/ of the checkout. Returns: (transfer full) (nullable) */
char *rt_pipelines_dir(void);

/*
 * Called at the start of each test (its fixture's set-up) that runs a media
 * engine in process: GLib clears the fatal handler before each test case.
 * g_test_init makes every critical fatal; this lets exactly one through, a
 * known bug of GStreamer 1.22 (gst-plugins-good, rtpsession.c): at each RTCP
 * timeout, rtp_session_on_timeout walks its sources with g_hash_table_foreach
 * and schedule_remaining_nacks lets go of the session lock inside the walk
 * (for a source with NACKs still pending); a packet of a new SSRC arriving
 * then (the peer's first retransmission, on its RTX SSRC) adds a source, and
 * GLib stops the walk with "g_hash_table_foreach: assertion 'version ==
 * hash_table->version' failed". The walk ends there (the other sources'
 * early RTCP is asked at the next timeout), the table is whole: harmless in
 * the booth, where criticals are logged, not fatal. Tolerated only with
 * that message, from GLib, on the thread GStreamer names "rtpsession-rtcp";
 * each one is reported with g_test_message. Any other critical stays fatal.
 */
void rt_tolerate_known_upstream_criticals(void);
/* How many were let through in this process. */
guint rt_known_upstream_criticals(void);

/* Spins the default main context until cond(data) or timeout; returns cond. */
gboolean rt_wait(gboolean (*cond)(gpointer data), gpointer data, guint timeout_ms);
void rt_sleep(guint ms);
/* Removes `path` and everything under it (a test's temp dir). */
void rt_rm_rf(const char *path);

/* The adviser account rt_start_switchboard() creates (with the command line,
 * `user add`) in a new store; rt_client_new() signs in with it on /ws/adviser. */
#define RT_ADVISER_LOGIN    "c-adviser"
#define RT_ADVISER_PASSWORD "c-adviser-password"
#define RT_ADVISER_NAME	    "C adviser"

/* Starts relais-switchboard on `port` (0: any) logging to dir/switchboard.log,
 * its store in dir/sb-data (RT_ADVISER_* created the first time); returns the
 * process and sets *port_out. */
GSubprocess *rt_start_switchboard(const char *dir, guint port, guint *port_out);
/* `relais-switchboard --data dir/sb-data user add LOGIN --role ROLE`, the
 * password on stdin; TRUE on exit 0. */
gboolean rt_add_user(const char *dir, const char *login, const char *role, const char *name, const char *password);
/* POST /api/login; returns the "relais_session=TOKEN" cookie (transfer full)
 * or NULL, and the status. */
char *rt_sign_in(guint port, const char *login, const char *password, guint *status);
/* Starts relais-booth with control socket dir/<id>.sock, log dir/<id>.log. */
/* Enrolled through the real path first (rt_booth_token) unless dir/state-ID
 * holds its certificate already; `port` is the page port (unused: the booth
 * dials the booth listener of the switchboard of `dir`). */
GSubprocess *rt_start_booth(const char *dir, guint port, const char *id, const char *pipelines, const char *board);
/* The site of the harness's booths (made by rt_booth_token if new). */
#define RT_BOOTH_SITE "Test library"
/* A one-time enrolment token for booth `id` (`relais-switchboard booth add`,
 * with the switchboard of `dir` running or not). Returns: (transfer full) */
char *rt_booth_token(const char *dir, const char *id);
/* wss://127.0.0.1:BOOTHPORT/ws/booth of the switchboard of `dir` (started
 * once by rt_start_switchboard) and the certificate booths trust for it. */
char *rt_booth_url(const char *dir);
char *rt_booth_ca_file(const char *dir);
void rt_stop(GSubprocess **proc);

/* One control command; returns the reply object (transfer full) or NULL. */
JsonObject *rt_control(const char *dir, const char *booth_id, const char *line);
/* Reads a dotted path such as "media.video_frames_received" (int) */
gint64 rt_json_int(JsonObject *o, const char *path, gint64 def);
const char *rt_json_str(JsonObject *o, const char *path);

/* HTTP GET on the switchboard; returns the body (transfer full) or NULL. */
char *rt_http_get(guint port, const char *path, guint *status);

/* An adviser on /ws/adviser that records everything it receives. */
typedef struct _RtClient RtClient;
typedef void (*RtClientHandler)(RtClient *c, RelaisMsg *msg, gpointer user_data);
/* On /ws/adviser it signs in as RT_ADVISER_LOGIN and sends the cookie and
 * the page's Origin, as the console does. */
RtClient *rt_client_new(guint port, const char *endpoint, RtClientHandler handler, gpointer user_data);
gboolean rt_client_is_open(RtClient *c);
gboolean rt_client_is_closed(RtClient *c);
gushort rt_client_close_code(RtClient *c);
void rt_client_send_text(RtClient *c, const char *text);
void rt_client_send(RtClient *c, JsonObject *obj); /* takes obj */
/* Received messages in order (RelaisMsg*), parsed as the switchboard's. */
GPtrArray *rt_client_inbox(RtClient *c);
RelaisMsg *rt_client_last(RtClient *c, RelaisMsgType type); /* transfer none */
/* Booth `booth_id`'s entry in the booth list as adviser `c` has it (its last
 * snapshot and the changes since: PROTOCOL.md "The booth list"), or NULL
 * when it is not listed. (transfer none) */
JsonObject *rt_client_booth(RtClient *c, const char *booth_id);
void rt_client_free(RtClient *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RtClient, rt_client_free)

G_END_DECLS
