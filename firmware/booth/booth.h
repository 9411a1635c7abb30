/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * booth: the booth application. Owns the visitor session state machine
 * (session.h), the switchboard link (link.h), the self-check preview
 * (preview.h) and, during a session, the media engine (media.h), and turns
 * events from each into transitions of the one state machine.
 *
 * Privacy: the media engine exists only between the visitor's request and the
 * end of the session. At the end, booth_wipe() drops the engine (sources
 * stopped, decoded frames released), the answers, the chat and every id.
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include "booth-bookings.h"
#include "logring.h"
#include "calldoc.h"
#include "docfile.h"
#include "media.h"
#include "mediaconf.h"
#include "protocol.h"
#include "session.h"

G_BEGIN_DECLS

typedef struct _Booth Booth;

typedef struct {
	const char *switchboard_url;
	const char *booth_id;
	const char *site;
	const char *board;
	const char *pipelines_dir;
	gboolean relay_only;		  /* media through TURN only (see relais_media_set_relay_only) */
	const char *const *ice_addresses; /* ICE local addresses (NULL: all but loopback) */
	GTlsDatabase *tls_database;	  /* trust for a wss:// switchboard (NULL: the system's) */
	/* nullable: why this booth cannot serve at all (its settings file is
	 * missing or invalid): it stays out of order with this reason on its
	 * screen, never connects, and no self-test clears it */
	const char *setup_fault;
	/* enrolment in use: out of order ("waiting for this booth's
	 * certificate") and no dialling until booth_set_client_certificate() */
	gboolean needs_certificate;
	/* nullable: where the booth keeps its key and certificate (booth.crt,
	 * enrol-client.h); the diagnostics report reads the certificate there */
	const char *state_dir;
	/* nullable: the process's last warnings (logring.h), for the
	 * diagnostics report; must outlive the booth */
	RelaisLogRing *log_ring;
	/* nullable: the software it runs (a protocol id, booth_diag_software())
	 * and its A/B slot ("A", "B": rauc.slot= of the kernel command line),
	 * both told in every hello */
	const char *software;
	const char *slot;
	/* nullable: the update status file the health service writes
	 * (updatestatus.h): its report goes to the switchboard after every
	 * welcome and on booth_send_update_report() */
	const char *update_status_path;
	/* updates sent from afar (updater.h): the download folder (on the
	 * data partition; NULL: STATE_DIR/updates, or no updates without a
	 * state folder), RAUC's command and the reboot command (NULL: Kconfig) */
	const char *update_dir;
	const char *rauc;
	const char *reboot_cmd;
} BoothConfig;

/* Never fails for runtime conditions: a missing plugin or a corrupt pipeline
 * file puts the booth out of order with the reason, reported to the
 * switchboard. */
Booth *booth_new(const BoothConfig *config);
void booth_start(Booth *booth);
void booth_free(Booth *booth);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Booth, booth_free)

RelaisSessionState booth_get_state(Booth *booth);

/* Out of order for `reason` (the screen shows it) until called again with
 * NULL, then back in service if the self-test passes: enrolment's
 * "waiting for time sync", "enrolling", "token refused". A session in
 * progress ends. */
void booth_set_hold(Booth *booth, const char *reason);
/* The certificate the link presents from now on (enrolment.h's ready): the
 * link reconnects with it, and the hold (booth_set_hold()) is lifted. */
void booth_set_client_certificate(Booth *booth, GTlsCertificate *cert);
/* Called after the switchboard refused this booth's certificate (the booth
 * is out of order for it already): enrolment.h may enrol anew. */
typedef void (*BoothRefusedFunc)(Booth *booth, gpointer user_data);
void booth_set_refused_func(Booth *booth, BoothRefusedFunc func, gpointer user_data);

/* What the touch UI (visitor.h) follows. Every member may be NULL. Called on
 * the main loop, after the booth's own state has changed. */
typedef struct {
	/* every transition of the session state machine; `detail` is the end
	 * reason (ENDED) or the fault (OUT_OF_ORDER), else NULL. Also
	 * OUT_OF_ORDER -> OUT_OF_ORDER when the fault's reason changes
	 * (enrolling, then the token refused): the screen says the new one. */
	void (*session)(Booth *booth, RelaisSessionState from, RelaisSessionState to, const char *detail,
			gpointer user_data);
	/* queued: position (>= 1) and estimated wait in seconds (-1: unknown) */
	void (*queue)(Booth *booth, guint position, int wait_s, gpointer user_data);
	/* a chat line of the current call, either way */
	void (*chat)(Booth *booth, gboolean from_adviser, const char *text, gpointer user_data);
	/* a chat line of the guest let in, with its name (session data; the
	 * switchboard's label carries the role's id, not words) */
	void (*guest_chat)(Booth *booth, const char *from, const char *text, gpointer user_data);
	void (*link)(Booth *booth, gboolean up, gpointer user_data);
	/* advisers on duty (-1: not known), next opening (nullable, display text) */
	void (*availability)(Booth *booth, int advisers, const char *next_opening, gpointer user_data);
	/* the adviser started (on) or stopped sharing their screen in this
	 * call; the frames come through RELAIS_MEDIA_VIDEO_SCREEN. Never
	 * called with on after the call ended (the session's end is "off"). */
	void (*share)(Booth *booth, gboolean on, gpointer user_data);
	/* the document shown in the call appeared, was fetched, turned a
	 * page or went (booth_get_document()) */
	void (*document)(Booth *booth, gpointer user_data);
	/* the switchboard's answer to booth_booking_slots(), booth_book() or
	 * booth_check_in() (an `error` about one of them arrives as a refusal
	 * BOOTH_BOOKING_FAILED) */
	void (*booking)(Booth *booth, const BoothBookingAnswer *answer, gpointer user_data);
	/* a guest asks to join, the ask ended, or the guest's state changed
	 * (booth_get_guest_ask(), booth_get_guest()) */
	void (*guest)(Booth *booth, gpointer user_data);
} BoothObserver;

void booth_set_observer(Booth *booth, const BoothObserver *observer, gpointer user_data);

/* --- a guest in the call (PROTOCOL.md "A guest in the call") -----------
 * The switchboard's guest_ask is shown to the visitor, who lets the guest
 * in or not; no answer within CONFIG_RELAIS_BOOTH_GUEST_ASK_S (or
 * RELAIS_BOOTH_GUEST_ASK_MS) is "Not now". A newer ask replaces the one
 * shown (consent.h says why). Name and role are session data: wiped at
 * the end of the session, never logged. */
typedef struct {
	gboolean asking;
	const char *name, *role; /* (transfer none), valid until the next change */
	gint64 ms_left;
} BoothGuestAsk;
BoothGuestAsk booth_get_guest_ask(Booth *booth);
/* The visitor's answer to the guest asking: FALSE when none asks. */
G_GNUC_WARN_UNUSED_RESULT gboolean booth_guest_answer(Booth *booth, gboolean accept, GError **error);
/* The guest let in or gone, as the last guest_state said (state NULL:
 * none); the booth never shows its own decline. (transfer none) */
typedef struct {
	const char *name, *role, *state;
} BoothGuest;
BoothGuest booth_get_guest(Booth *booth);
/* The adviser's display name in the call (`call`'s peer), NULL outside a
 * call. (transfer none) */
const char *booth_get_adviser_name(Booth *booth);

/* --- the camera and the microphone -------------------------------------
 * Privacy: the booth is the only part of the firmware that opens them, in
 * two places and never both at once: the self-check preview (preview.h:
 * nothing leaves the process) and the session's media engine (media.h:
 * from the visitor's request to the end of the session). The screen side
 * (visitor.h) asks for them here and only ever receives frames and
 * figures. Frame functions run on a streaming thread (RelaisMediaFrameFunc).
 */

/* Opens the self-check preview (replacing a running one), its camera
 * frames to `func`. Does nothing while out of order. A preview that cannot
 * start, or fails later, puts the booth out of order ("self-check: ..."). */
void booth_preview_start(Booth *booth, RelaisMediaFrameFunc func, gpointer user_data);
/* Closes it (camera and microphone closed, no frame function running or to
 * come, when it returns). Nothing if none runs. */
void booth_preview_stop(Booth *booth);
gboolean booth_preview_running(Booth *booth);
/* The microphone's level in the preview, 0..1 (0: no preview). */
double booth_preview_get_mic_level(Booth *booth);

/* For the watchdog (watchdog.h): microseconds since the camera's streaming
 * thread of the call or of the preview last delivered a frame; -1 when
 * neither pipeline plays. */
gint64 booth_media_silence_us(Booth *booth);
/* Test hook (control.h, RELAIS_BOOTH_TEST_HOOKS=1): that thread waits `ms`
 * at its next frame, as a thread stuck in a driver would. Fails when no
 * pipeline plays. */
gboolean booth_stall_media(Booth *booth, guint ms, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* TRUE while the session has its media engine (from the request on). */
gboolean booth_has_media(Booth *booth);
/* In a call, nothing has arrived from the adviser for
 * RELAIS_BOOTH_MEDIA_QUIET_MS: a new media connection may be under way
 * (PROTOCOL.md "Reconnecting a call's media"). */
gboolean booth_get_reconnecting(Booth *booth);
/* The call's camera or microphone (media-device.h): OK when no engine. */
RelaisMediaDeviceState booth_get_device_state(Booth *booth, RelaisMediaDevice which);
/* The sim board's unplug (relais_media_set_device_fault()), held for every
 * engine made until plugged back; refused on any other board. */
gboolean booth_sim_device(Booth *booth, RelaisMediaDevice which, gboolean lost,
			  GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* New media connections made in this call. */
guint booth_get_media_restarts(Booth *booth);
/* Replaces the call's media connection with a new one now, as when the old
 * path is dead (a technician's "reconnect", tests). FALSE outside a call. */
gboolean booth_restart_media(Booth *booth, GError **error);
/* Where the session's pictures go (relais_media_set_frame_func()): NULL
 * stops them, waiting for a frame in progress. Nothing without media. */
void booth_set_frame_func(Booth *booth, RelaisMediaVideo which, RelaisMediaFrameFunc func, gpointer user_data);
/* The visitor's call controls (relais_media_set_muted(), _camera_off(),
 * _volume()). Nothing without media. */
void booth_set_controls(Booth *booth, gboolean muted, gboolean camera_off, int volume);
/* The session's microphone level (0..1) and link quality (0..3 bars); 0
 * without media. */
double booth_get_mic_level(Booth *booth);
int booth_get_quality(Booth *booth);
/* The session's media counters; FALSE (and *stats zeroed) without media. */
gboolean booth_get_media_stats(Booth *booth, RelaisMediaStats *stats);

/* The visitor's score (1..5) for the call that just ended. The call id is
 * kept after the session's wipe for this alone, until booth_forget(). */
gboolean booth_send_feedback(Booth *booth, int score, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Drops the switchboard link as a network fault would (tests, technicians):
 * a call goes on and is resumed when the link is back. */
void booth_drop_link(Booth *booth);
/* The visitor has gone: forget the last call's id too. */
void booth_forget(Booth *booth);

/* Visitor actions (from the touch UI, or the control socket). `answers` may be
 * NULL; it is validated and copied. A request while the switchboard link is
 * down queues the visitor locally; it is sent when the link comes back. */
gboolean booth_request(Booth *booth, const char *topic, const char *language, JsonObject *answers,
		       GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Same, for a visitor checked in with booking code `booking` (nullable):
 * the switchboard verifies it and serves the visitor first. */
gboolean booth_request_booked(Booth *booth, const char *topic, const char *language, JsonObject *answers,
			      const char *booking, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Bookings (PROTOCOL.md "Bookings"): only while idle with the link up;
 * the answer comes through the observer's `booking`. Nothing is kept. */
gboolean booth_booking_slots(Booth *booth, const char *language, const char *topic,
			     GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean booth_book(Booth *booth, const char *start, const char *end, const char *language, const char *topic,
		    GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean booth_check_in(Booth *booth, const char *code, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean booth_end(Booth *booth, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean booth_chat(Booth *booth, const char *text, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* TRUE while the adviser says they share their screen in the call. */
gboolean booth_get_sharing(Booth *booth);
/* A document the adviser shows in the call (calldoc.h: announced by
 * doc_show, fetched once, checked again, held in memory only and zeroed at
 * the end of the call, when closed, or when another replaces it). */
/* Returns: (transfer none) (nullable) the document of the call now. */
const BoothDocument *booth_get_document(Booth *booth);
/* The visitor turns to `page` (1..pages): shown at once, and told to the
 * adviser through the switchboard. */
gboolean booth_document_turn(Booth *booth, guint page, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The visitor closes it: the adviser is told, the bytes are erased. */
gboolean booth_document_close(Booth *booth, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The screen could not draw it: the adviser is told why, the bytes are
 * erased, the call goes on. */
void booth_document_failed(Booth *booth, const char *why);

/* --- the start-up check of the camera and the microphone -----------------
 * Once the self-test passes (at start, and back in service after a fault),
 * the booth opens the self-check preview (preview.h: nothing leaves the
 * process) with nobody's picture shown, until the camera's first frame and
 * the microphone's first sound, at most CONFIG_RELAIS_BOOTH_PROBE_TIMEOUT_S,
 * then closes it. A visitor or a technician who needs the devices first
 * stops it (then it runs again when the booth is idle). Its outcome is what
 * the health check (the health service's, before it keeps an update) and
 * the diagnostics report say about the devices. */
typedef enum {
	BOOTH_CHECK_UNKNOWN, /* not run yet, or under way (enrolment holds the booth, a visitor came first) */
	BOOTH_CHECK_OK,	     /* the device opened and gave a frame / a sound */
	BOOTH_CHECK_FAILED,  /* it did not: BoothFacts' detail says why */
} BoothCheck;
/* "unknown", "ok", "failed" */
const char *booth_check_name(BoothCheck check);
/* TRUE while the check has the devices open. */
gboolean booth_probe_running(Booth *booth);

/* Whether the screen has nobody on it (the touch UI: its attract or
 * out-of-order screen): an update is downloaded, and the booth rebooted,
 * only while the booth is idle, has no self-check open and this says yes.
 * NULL (the default, a headless booth): yes. */
typedef gboolean (*BoothIdleFunc)(gpointer user_data);
void booth_set_idle_func(Booth *booth, BoothIdleFunc func, gpointer user_data);

/* Reads the update status file again (updatestatus.h; its warnings go to
 * the log) and sends its update_report now if the link is up (*sent,
 * nullable), else after the next welcome as always.
 * Returns: (transfer full) the message, or NULL with error: no file
 * configured or present (RELAIS_UPDATE_STATUS_ERROR_MISSING), a file that
 * is unreadable or invalid (nothing is sent then). */
JsonObject *booth_send_update_report(Booth *booth, gboolean *sent, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* What the diagnostics report (diag.h) reads about the booth itself; all
 * (transfer none), valid until the booth changes (use at once). Nothing
 * about a visitor. */
typedef struct {
	const char *booth_id, *site, *board, *switchboard_url;
	const char *state_dir;			/* nullable */
	const char *link;			/* booth_link_state_name(): down, connecting, greeting, up */
	const char *fault;			/* nullable: out of order, why */
	const char *const *ice_servers;		/* nullable: STUN/TURN URIs from the switchboard */
	const char *const *ice_addresses;	/* nullable: BoothConfig.ice_addresses */
	const RelaisMediaConf *media_conf;	/* nullable: the board's pipelines, when they load */
	RelaisLogRing *log_ring;		/* nullable */
	JsonObject *checks;			/* the technician's last tests (diag-tests.h), writable */
	gint64 started_us;			/* g_get_monotonic_time() at booth_new() */
	const char *software, *slot;		/* nullable: BoothConfig's */
	const char *update_status_path;		/* nullable */
	BoothCheck camera_check, mic_check;	/* the start-up check */
	const char *camera_detail, *mic_detail; /* nullable: why it failed, or the device */
} BoothFacts;
void booth_get_facts(Booth *booth, BoothFacts *facts);

/* Returns: (transfer full) the status as a JSON object: state, link, ids,
 * queue position, media statistics, screen sharing. */
JsonObject *booth_status(Booth *booth);

G_END_DECLS
