/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-visitor"

#include "visitor.h"
#include "docview.h"
#include "relais-config.h"

#include <gst/gst.h>
#include <string.h>

/* Journey timers are checked at this period; the countdown shows seconds. */
#define TICK_MS 250
/* Mic level and link quality are sampled this often while they are shown. */
#define METER_MS 100
/* A shared screen whose frames stopped this long gives the adviser's face
 * back. Generous: a browser sends few frames of a still screen. */
#define SCREEN_STALL_US (10 * G_USEC_PER_SEC)

typedef struct {
	gboolean from_adviser;
	char *text;
	char *from; /* a guest's line: its name */
} ChatLine;

struct _BoothVisitor {
	Booth *booth;
	/* the guest's last state shown as a notice, and until when */
	char *guest_notice;
	gint64 guest_notice_until_us;
	const RelaisQuestions *questions;
	RelaisJourney *journey;
	BoothUi *ui;
	guint ui_source;
	BoothUiMailbox *mailbox[BOOTH_UI_N_VIDEO];
	gboolean previewing; /* the local picture comes from the booth's preview */
	guint wiped_screen_ms;

	guint tick_id, meter_id, wiped_id;
	gint64 state_since_us;
	RelaisJourneyState shown; /* state of the last view */
	/* media from the adviser: when it last moved, and whether it stopped */
	gboolean stalled;
	gboolean camera_lost, mic_lost; /* in a call, as the booth last said */
	/* the adviser's shared screen: frames seen, and when they last moved */
	guint64 last_screen_rx;
	gint64 last_screen_rx_us;

	BoothDocView *docs; /* the document shown, drawn off the UI thread */
	/* glass-to-glass where the adviser's picture is drawn (RELAIS_MEDIA_STAMP=1
	 * only, else NULL); a new one for each visitor, as the engine's */
	RelaisStampStats *stamp_drawn;

	/* --- what this module holds about a visitor: erased by wipe() --- */
	guint position;
	int wait_s;
	GArray *chat;	   /* ChatLine */
	GArray *view_chat; /* BoothUiChatLine pointing into chat */
	BoothUiView view;
	/* bookings: all in the journey */
};

static void chat_line_clear(gpointer data)
{
	ChatLine *c = data;
	if (c->text) {
		memset(c->text, 0, strlen(c->text));
		g_clear_pointer(&c->text, g_free);
	}
	if (c->from) {
		memset(c->from, 0, strlen(c->from));
		g_clear_pointer(&c->from, g_free);
	}
}

static void refresh(BoothVisitor *v);
static void act(BoothVisitor *v, RelaisJourneyAction action, const RelaisJourneyEvent *ev);

/* --- journey -------------------------------------------------------------------- */

static gboolean feed_event(BoothVisitor *v, const RelaisJourneyEvent *ev)
{
	RelaisJourneyEventType type = ev->type;
	RelaisJourneyAction action = RELAIS_JOURNEY_ACT_NONE;
	RelaisJourneyState before = relais_journey_get_state(v->journey);
	g_autoptr(GError) error = NULL;
	if (!relais_journey_feed(v->journey, ev, &action, &error)) {
		g_debug("journey: %s", error->message);
		return FALSE;
	}
	RelaisJourneyState after = relais_journey_get_state(v->journey);
	if (after != before) {
		g_message("screen: %s -> %s (%s)", relais_journey_state_name(before), relais_journey_state_name(after),
			  relais_journey_event_name(type));
		v->state_since_us = g_get_monotonic_time();
	}
	act(v, action, ev);
	refresh(v);
	return TRUE;
}

static gboolean feed(BoothVisitor *v, RelaisJourneyEventType type, const char *str, int num)
{
	RelaisJourneyEvent ev = {type, str, num};
	return feed_event(v, &ev);
}

static void on_ui_event(const RelaisJourneyEvent *ev, gpointer data)
{
	BoothVisitor *v = data;
	(void)feed(v, ev->type, ev->str, ev->num);
}

/* --- video ---------------------------------------------------------------------- */

static void on_local_frame(struct _GstSample *sample, gpointer data)
{
	BoothVisitor *v = data;
	booth_ui_mailbox_post(v->mailbox[BOOTH_UI_VIDEO_LOCAL], sample);
}

static void on_remote_frame(struct _GstSample *sample, gpointer data)
{
	BoothVisitor *v = data;
	booth_ui_mailbox_post(v->mailbox[BOOTH_UI_VIDEO_REMOTE], sample);
}

static void on_guest_frame(struct _GstSample *sample, gpointer data)
{
	BoothVisitor *v = data;
	booth_ui_mailbox_post(v->mailbox[BOOTH_UI_VIDEO_GUEST], sample);
}

static void drop_pictures(BoothVisitor *v, BoothUiVideo which)
{
	g_autoptr(GstSample) stale = booth_ui_mailbox_take(v->mailbox[which]);
	booth_ui_clear_video(v->ui, which);
}

static void on_screen_frame(struct _GstSample *sample, gpointer data)
{
	BoothVisitor *v = data;
	booth_ui_mailbox_post(v->mailbox[BOOTH_UI_VIDEO_SCREEN], sample);
}

/* The screen's frames reach the UI only while the adviser says they share
 * it: off, the frame function goes first (clearing it waits for a frame in
 * progress), then the picture, so that no stale frame comes back. */
static void follow_sharing(BoothVisitor *v)
{
	RelaisSessionState s = booth_get_state(v->booth);
	gboolean on = booth_has_media(v->booth) && booth_get_sharing(v->booth) &&
		      (s == RELAIS_SESSION_CONNECTING || s == RELAIS_SESSION_IN_CALL);
	booth_set_frame_func(v->booth, RELAIS_MEDIA_VIDEO_SCREEN, on ? on_screen_frame : NULL, v);
	if (!on)
		drop_pictures(v, BOOTH_UI_VIDEO_SCREEN);
	v->last_screen_rx = 0;
	v->last_screen_rx_us = g_get_monotonic_time();
}

static void on_document(Booth *booth, gpointer data)
{
	BoothVisitor *v = data;
	booth_doc_view_show(v->docs);
}

static void on_doc_action(BoothUiDocAction action, gpointer data)
{
	BoothVisitor *v = data;
	const BoothDocument *d = booth_get_document(v->booth);
	g_autoptr(GError) error = NULL;
	gboolean ok = TRUE;
	if (d == NULL)
		return;
	if (action == BOOTH_UI_DOC_CLOSE)
		ok = booth_document_close(v->booth, &error);
	else if (action == BOOTH_UI_DOC_PREV && d->page > 1)
		ok = booth_document_turn(v->booth, d->page - 1, &error);
	else if (action == BOOTH_UI_DOC_NEXT && d->page < d->pages)
		ok = booth_document_turn(v->booth, d->page + 1, &error);
	if (!ok)
		g_message("document: %s", error->message);
}

/* --- actions -------------------------------------------------------------------- */

/* The booth opens and closes the camera (it may close it first, on a
 * fault); the pictures are this module's. */
static void stop_preview(BoothVisitor *v)
{
	if (!v->previewing)
		return;
	v->previewing = FALSE;
	booth_preview_stop(v->booth);
	drop_pictures(v, BOOTH_UI_VIDEO_LOCAL);
}

static void start_preview(BoothVisitor *v)
{
	stop_preview(v);
	booth_preview_start(v->booth, on_local_frame, v);
	v->previewing = booth_preview_running(v->booth);
}

static void apply_controls(BoothVisitor *v)
{
	booth_set_controls(v->booth, relais_journey_get_muted(v->journey), relais_journey_get_camera_off(v->journey),
			   relais_journey_get_volume(v->journey));
}

/* The visitor's answers, and the topic among them (NULL: not answered). */
static JsonObject *answers_of(BoothVisitor *v, const char **topic)
{
	JsonObject *answers = json_object_new();
	*topic = NULL;
	for (guint i = 0; i < relais_questions_count(v->questions); i++) {
		const RelaisQuestion *q = relais_questions_get(v->questions, i);
		const char *a = relais_journey_get_answer(v->journey, i);
		if (a == NULL)
			continue;
		json_object_set_string_member(answers, q->id, a);
		if (g_str_equal(q->id, "topic"))
			*topic = a;
	}
	return answers;
}

static void request(BoothVisitor *v)
{
	/* the camera is the media engine's from here: one owner at a time */
	stop_preview(v);
	const char *topic = NULL;
	g_autoptr(JsonObject) answers = answers_of(v, &topic);
	/* checked in: the booking's topic, and its code for the switchboard */
	gboolean booked = relais_journey_get_booked(v->journey);
	if (booked && relais_journey_get_booked_topic(v->journey))
		topic = relais_journey_get_booked_topic(v->journey);
	g_autoptr(GError) error = NULL;
	if (!booth_request_booked(v->booth, topic ? topic : "other", relais_journey_get_language(v->journey), answers,
				  booked ? relais_journey_get_code(v->journey) : NULL, &error)) {
		/* the booth went out of order (the journey has followed) or the
		 * request was refused: either way the visitor must not wait */
		g_warning("request: %s", error->message);
		if (relais_journey_get_state(v->journey) == RELAIS_JOURNEY_WAITING)
			(void)feed(v, RELAIS_JOURNEY_EV_SESSION_NO_ADVISER, NULL, 0);
		return;
	}
	booth_set_frame_func(v->booth, RELAIS_MEDIA_VIDEO_LOCAL, on_local_frame, v);
	booth_set_frame_func(v->booth, RELAIS_MEDIA_VIDEO_REMOTE, on_remote_frame, v);
	booth_set_frame_func(v->booth, RELAIS_MEDIA_VIDEO_GUEST, on_guest_frame, v);
	apply_controls(v);
}

/* The booth could not even ask (no link, wrong state): said at once. */
static void booking_not_sent(BoothVisitor *v, const GError *error)
{
	g_message("booking: %s", error->message);
	(void)feed(v, RELAIS_JOURNEY_EV_BOOKING_FAILED,
		   g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED) ? "offline" : "failed", 0);
}

static void booking_act(BoothVisitor *v, RelaisJourneyAction action)
{
	g_autoptr(GError) error = NULL;
	const char *lang = relais_journey_get_language(v->journey);
	const char *topic = NULL;
	g_autoptr(JsonObject) answers = answers_of(v, &topic);
	gboolean sent = TRUE;
	if (action == RELAIS_JOURNEY_ACT_SLOTS) {
		sent = booth_booking_slots(v->booth, lang, topic, &error);
	} else if (action == RELAIS_JOURNEY_ACT_BOOK) {
		int i = relais_journey_get_slot(v->journey);
		const char *start = relais_journey_get_slot_start(v->journey, i);
		const char *end = relais_journey_get_slot_end(v->journey, i);
		if (start == NULL || end == NULL) {
			(void)feed(v, RELAIS_JOURNEY_EV_BOOKING_FAILED, "invalid", 0);
			return;
		}
		sent = booth_book(v->booth, start, end, lang, topic, &error);
	} else {
		sent = booth_check_in(v->booth, relais_journey_get_code(v->journey), &error);
	}
	if (!sent)
		booking_not_sent(v, error);
}

static gboolean on_wiped_shown(gpointer data)
{
	BoothVisitor *v = data;
	v->wiped_id = 0;
	(void)feed(v, RELAIS_JOURNEY_EV_WIPED, NULL, 0);
	return G_SOURCE_REMOVE;
}

/* Everything this module and the booth hold about the visitor. */
static void wipe(BoothVisitor *v)
{
	stop_preview(v);
	RelaisSessionState s = booth_get_state(v->booth);
	if (s == RELAIS_SESSION_QUEUED || s == RELAIS_SESSION_IN_CALL || s == RELAIS_SESSION_CONNECTING) {
		g_autoptr(GError) error = NULL;
		if (!booth_end(v->booth, &error))
			g_warning("wipe: %s", error->message);
	}
	booth_forget(v->booth);
	g_array_set_size(v->view_chat, 0);
	g_array_set_size(v->chat, 0);
	v->position = 0;
	v->wait_s = -1;
	drop_pictures(v, BOOTH_UI_VIDEO_LOCAL);
	drop_pictures(v, BOOTH_UI_VIDEO_REMOTE);
	drop_pictures(v, BOOTH_UI_VIDEO_SCREEN);
	booth_doc_view_forget(v->docs);
	if (v->stamp_drawn) {
		g_clear_pointer(&v->stamp_drawn, relais_stamp_stats_unref);
		v->stamp_drawn = relais_stamp_stats_new();
		booth_ui_set_stamp_stats(v->ui, v->stamp_drawn);
	}
}

static void act(BoothVisitor *v, RelaisJourneyAction action, const RelaisJourneyEvent *ev)
{
	g_autoptr(GError) error = NULL;
	switch (action) {
	case RELAIS_JOURNEY_ACT_NONE:
		break;
	case RELAIS_JOURNEY_ACT_PREVIEW_START:
		start_preview(v);
		break;
	case RELAIS_JOURNEY_ACT_PREVIEW_STOP:
		stop_preview(v);
		break;
	case RELAIS_JOURNEY_ACT_REQUEST:
		request(v);
		break;
	case RELAIS_JOURNEY_ACT_CANCEL:
	case RELAIS_JOURNEY_ACT_END:
		if (!booth_end(v->booth, &error))
			g_debug("end: %s", error->message);
		drop_pictures(v, BOOTH_UI_VIDEO_REMOTE);
		drop_pictures(v, BOOTH_UI_VIDEO_LOCAL);
		drop_pictures(v, BOOTH_UI_VIDEO_SCREEN);
		break;
	case RELAIS_JOURNEY_ACT_MUTE:
	case RELAIS_JOURNEY_ACT_CAMERA:
	case RELAIS_JOURNEY_ACT_VOLUME:
		apply_controls(v);
		if (relais_journey_get_camera_off(v->journey))
			drop_pictures(v, BOOTH_UI_VIDEO_LOCAL);
		break;
	case RELAIS_JOURNEY_ACT_CHAT:
		/* booth_chat() reports the line back through the observer */
		if (!booth_chat(v->booth, ev->str, &error))
			g_message("chat not sent: %s", error->message);
		break;
	case RELAIS_JOURNEY_ACT_SCORE:
		if (!booth_send_feedback(v->booth, relais_journey_get_score(v->journey), &error))
			g_message("score not sent: %s", error->message);
		break;
	case RELAIS_JOURNEY_ACT_SLOTS:
	case RELAIS_JOURNEY_ACT_BOOK:
	case RELAIS_JOURNEY_ACT_CHECK_IN:
		booking_act(v, action);
		break;
	case RELAIS_JOURNEY_ACT_WIPE:
		wipe(v);
		/* The "erased" screen stays a moment, then attract. Out of
		 * order has its own screen and returns by the repair. */
		if (relais_journey_get_state(v->journey) == RELAIS_JOURNEY_WIPED) {
			g_clear_handle_id(&v->wiped_id, g_source_remove);
			v->wiped_id = g_timeout_add(v->wiped_screen_ms, on_wiped_shown, v);
		}
		break;
	default:
		break;
	}
}

/* --- view ----------------------------------------------------------------------- */

static void refresh(BoothVisitor *v)
{
	BoothUiView *view = &v->view;
	booth_ui_view_from_journey(view, v->journey);
	/* the switchboard's ISO time, in the visitor's words ("demain à 9 h 00");
	 * anything else: the screen's "come back later" */
	g_autoptr(GDateTime) now = view->next_opening ? g_date_time_new_now_local() : NULL;
	g_autofree char *when = now ? booth_ui_format_when(v->ui, view->language, view->next_opening, now) : NULL;
	view->next_opening = when;
	RelaisJourneyState s = view->state;
	if (s != v->shown) {
		/* pictures of a call do not outlive it */
		if (s != RELAIS_JOURNEY_IN_CALL && s != RELAIS_JOURNEY_CONFIRM_END && s != RELAIS_JOURNEY_CONNECTING) {
			drop_pictures(v, BOOTH_UI_VIDEO_REMOTE);
			drop_pictures(v, BOOTH_UI_VIDEO_SCREEN);
		}
		v->shown = s;
	}
	view->sharing = booth_get_sharing(v->booth) && (s == RELAIS_JOURNEY_IN_CALL || s == RELAIS_JOURNEY_CONFIRM_END);
	view->queue_position = (int)v->position;
	view->wait_minutes = v->wait_s < 0 ? -1 : (v->wait_s + 59) / 60;
	view->chat = (const BoothUiChatLine *)v->view_chat->data;
	view->n_chat = v->view_chat->len;
	if (s == RELAIS_JOURNEY_SELF_CHECK)
		view->mic_level = booth_preview_get_mic_level(v->booth);
	else
		view->mic_level = booth_get_mic_level(v->booth);
	view->quality = booth_get_quality(v->booth);
	/* the signaling link is fine but nothing arrives from the adviser: the
	 * path is being re-established (ICE), say so over the picture */
	if (v->stalled && (s == RELAIS_JOURNEY_IN_CALL || s == RELAIS_JOURNEY_CONFIRM_END))
		view->reconnecting = TRUE;
	/* a camera or microphone that stopped: the call goes on, the visitor
	 * is told which */
	gboolean calling = s == RELAIS_JOURNEY_IN_CALL || s == RELAIS_JOURNEY_CONFIRM_END;
	view->camera_lost = calling && v->camera_lost;
	view->mic_lost = calling && v->mic_lost;
	/* a guest asking to join: over the call, with the seconds left */
	BoothGuestAsk ask = booth_get_guest_ask(v->booth);
	view->guest_name = ask.asking ? ask.name : NULL;
	view->guest_role = ask.asking ? ask.role : NULL;
	view->guest_seconds = ask.asking ? (int)((ask.ms_left + 999) / 1000) : 0;
	BoothGuest guest = booth_get_guest(v->booth);
	if (guest.state == NULL) /* the session's end wiped it */
		g_clear_pointer(&v->guest_notice, g_free);
	gboolean notice = guest.state && guest.name && g_get_monotonic_time() < v->guest_notice_until_us;
	view->guest_notice = notice ? guest.state : NULL;
	view->guest_notice_name = notice ? guest.name : NULL;
	/* a guest in the call: the three-way layout once its picture comes */
	gboolean three = calling && (g_strcmp0(guest.state, "joining") == 0 || g_strcmp0(guest.state, "joined") == 0);
	view->three_guest_name = three ? guest.name : NULL;
	view->three_guest_role = three ? guest.role : NULL;
	view->adviser_name = calling ? booth_get_adviser_name(v->booth) : NULL;
	/* bookings, in the visitor's words */
	g_autoptr(GPtrArray) slots = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *booked_when = NULL, *retry = NULL;
	g_autoptr(GDateTime) at = g_date_time_new_now_local();
	const RelaisJourney *j = v->journey;
	for (int i = 0; relais_journey_get_slot_start(j, i) != NULL; i++) {
		const char *start = relais_journey_get_slot_start(j, i);
		char *w = booth_ui_format_when(v->ui, view->language, start, at);
		g_ptr_array_add(slots, w ? w : g_strdup(start));
	}
	g_ptr_array_add(slots, NULL);
	view->slots = (const char *const *)slots->pdata;
	if (view->n_slots > (int)slots->len - 1)
		view->n_slots = (int)slots->len - 1;
	if (s == RELAIS_JOURNEY_BOOK_CODE) {
		const char *booked_start = relais_journey_get_booked_start(j);
		booked_when = booth_ui_format_when(v->ui, view->language, booked_start, at);
		view->booking_start = booked_start;
		view->booking_when = booked_when;
		view->booking_end = relais_journey_get_booked_end(j);
		view->booking_site = relais_journey_get_booked_site(j);
		view->booking_address = relais_journey_get_booked_address(j);
		view->booking_made = relais_journey_get_booked_made(j);
	} else if (s != RELAIS_JOURNEY_CHECK_IN) {
		view->code = NULL; /* shown on those two screens only */
	}
	if (relais_journey_get_retry_at(j))
		retry = booth_ui_format_when(v->ui, view->language, relais_journey_get_retry_at(j), at);
	else if (relais_journey_get_retry_s(j) >= 0)
		retry = g_strdup_printf("%d", (relais_journey_get_retry_s(j) + 59) / 60);
	view->booking_retry = retry;
	booth_ui_set_view(v->ui, view);
	view->next_opening = NULL; /* `when` ends here; the UI keeps its copy */
	view->slots = NULL;
	view->booking_when = view->booking_retry = NULL;
	view->booking_start = view->booking_site = NULL;
	view->booking_end = view->booking_address = view->booking_made = NULL;
}

/* Journey timeouts run from the last touch or from entering the screen,
 * whichever is later; still_there shows the seconds left. */
static gboolean on_tick(gpointer data)
{
	BoothVisitor *v = data;
	/* the guest's ask counts down on the screen */
	BoothGuestAsk ask = booth_get_guest_ask(v->booth);
	if (ask.asking != (v->view.guest_name != NULL) ||
	    (ask.asking && (int)((ask.ms_left + 999) / 1000) != v->view.guest_seconds) ||
	    (v->view.guest_notice && g_get_monotonic_time() >= v->guest_notice_until_us))
		refresh(v);
	guint timeout = relais_journey_timeout_s(v->journey);
	if (timeout == 0) {
		if (v->view.countdown_s != 0) {
			v->view.countdown_s = 0;
			refresh(v);
		}
		return G_SOURCE_CONTINUE;
	}
	gint64 since = MAX(v->state_since_us, booth_ui_get_last_input_us(v->ui));
	gint64 idle_ms = (g_get_monotonic_time() - since) / 1000;
	int left = (int)((timeout * 1000 - idle_ms + 999) / 1000);
	if (left <= 0) {
		(void)feed(v, RELAIS_JOURNEY_EV_TIMEOUT, NULL, 0);
		return G_SOURCE_CONTINUE;
	}
	if (relais_journey_get_state(v->journey) == RELAIS_JOURNEY_STILL_THERE && left != v->view.countdown_s) {
		v->view.countdown_s = left;
		refresh(v);
	}
	return G_SOURCE_CONTINUE;
}

/* Meters move only on the screens that show them. */
static gboolean on_meter(gpointer data)
{
	BoothVisitor *v = data;
	RelaisJourneyState s = relais_journey_get_state(v->journey);
	if (s == RELAIS_JOURNEY_SELF_CHECK || s == RELAIS_JOURNEY_IN_CALL || s == RELAIS_JOURNEY_CONNECTING) {
		double level = v->view.mic_level;
		int quality = v->view.quality;
		double now = s == RELAIS_JOURNEY_SELF_CHECK ? booth_preview_get_mic_level(v->booth)
							    : booth_get_mic_level(v->booth);
		int q = booth_get_quality(v->booth);
		gboolean stalled = v->stalled;
		RelaisMediaStats st;
		/* nothing from the adviser: the booth says so, and makes a new
		 * connection when the old path is dead (booth.c media watch) */
		v->stalled = s == RELAIS_JOURNEY_IN_CALL && booth_get_reconnecting(v->booth);
		gboolean camera_lost = v->camera_lost, mic_lost = v->mic_lost;
		v->camera_lost = booth_get_device_state(v->booth, RELAIS_MEDIA_CAMERA) != RELAIS_MEDIA_DEVICE_OK;
		v->mic_lost = booth_get_device_state(v->booth, RELAIS_MEDIA_MICROPHONE) != RELAIS_MEDIA_DEVICE_OK;
		if (s != RELAIS_JOURNEY_SELF_CHECK && booth_get_media_stats(v->booth, &st)) {
			gint64 t = g_get_monotonic_time();
			/* the shared screen shows only while its frames arrive: a
			 * stream that stopped without a word gives the adviser's
			 * face back (its next frame brings the screen back) */
			if (st.screen_frames_received != v->last_screen_rx) {
				v->last_screen_rx = st.screen_frames_received;
				v->last_screen_rx_us = t;
			} else if (booth_get_sharing(v->booth) && t - v->last_screen_rx_us > SCREEN_STALL_US) {
				drop_pictures(v, BOOTH_UI_VIDEO_SCREEN);
			}
		}
		/* a meter step the eye can see, not every sample */
		if (ABS(now - level) >= 0.02 || q != quality || stalled != v->stalled ||
		    camera_lost != v->camera_lost || mic_lost != v->mic_lost)
			refresh(v);
	}
	return G_SOURCE_CONTINUE;
}

/* --- booth observer --------------------------------------------------------------- */

static void on_session(Booth *booth, RelaisSessionState from, RelaisSessionState to, const char *detail, gpointer data)
{
	BoothVisitor *v = data;
	switch (to) {
	case RELAIS_SESSION_QUEUED:
		(void)feed(v, RELAIS_JOURNEY_EV_SESSION_QUEUED, NULL, 0);
		break;
	case RELAIS_SESSION_CONNECTING:
		(void)feed(v, RELAIS_JOURNEY_EV_SESSION_CONNECTING, NULL, 0);
		break;
	case RELAIS_SESSION_IN_CALL:
		(void)feed(v, RELAIS_JOURNEY_EV_SESSION_IN_CALL, NULL, 0);
		break;
	case RELAIS_SESSION_ENDED:
		v->stalled = FALSE;
		v->camera_lost = v->mic_lost = FALSE;
		v->position = 0;
		v->wait_s = -1;
		follow_sharing(v); /* the wipe said "off" */
		drop_pictures(v, BOOTH_UI_VIDEO_REMOTE);
		drop_pictures(v, BOOTH_UI_VIDEO_LOCAL);
		drop_pictures(v, BOOTH_UI_VIDEO_GUEST);
		booth_doc_view_forget(v->docs);
		(void)feed(v, RELAIS_JOURNEY_EV_SESSION_ENDED, detail, 0);
		break;
	case RELAIS_SESSION_OUT_OF_ORDER:
		stop_preview(v);
		booth_doc_view_forget(v->docs);
		(void)feed(v, RELAIS_JOURNEY_EV_SESSION_OUT_OF_ORDER, detail, 0);
		break;
	case RELAIS_SESSION_IDLE:
		if (from == RELAIS_SESSION_OUT_OF_ORDER)
			(void)feed(v, RELAIS_JOURNEY_EV_SESSION_REPAIRED, NULL, 0);
		break;
	default:
		break;
	}
}

static void on_queue(Booth *booth, guint position, int wait_s, gpointer data)
{
	BoothVisitor *v = data;
	v->position = position;
	v->wait_s = wait_s;
	refresh(v);
}

static void add_chat(BoothVisitor *v, gboolean from_adviser, const char *from, const char *text)
{
	/* the screen shows the last few; older lines are erased at once */
	const guint keep = 50;
	if (v->chat->len >= keep) {
		g_array_remove_index(v->chat, 0);
	}
	ChatLine line = {from_adviser, g_strdup(text), g_strdup(from)};
	g_array_append_val(v->chat, line);
	g_array_set_size(v->view_chat, 0);
	for (guint i = 0; i < v->chat->len; i++) {
		ChatLine *c = &g_array_index(v->chat, ChatLine, i);
		BoothUiChatLine l = {c->from_adviser, c->text, c->from};
		g_array_append_val(v->view_chat, l);
	}
	refresh(v);
}

static void on_chat(Booth *booth, gboolean from_adviser, const char *text, gpointer data)
{
	add_chat(data, from_adviser, NULL, text);
}

static void on_guest_chat(Booth *booth, const char *from, const char *text, gpointer data)
{
	add_chat(data, TRUE, from, text);
}

static void on_link(Booth *booth, gboolean up, gpointer data)
{
	BoothVisitor *v = data;
	(void)feed(v, up ? RELAIS_JOURNEY_EV_LINK_UP : RELAIS_JOURNEY_EV_LINK_LOST, NULL, 0);
	/* a booking answer that will not come: said now, not left spinning */
	RelaisJourneyState s = relais_journey_get_state(v->journey);
	if (!up && (relais_journey_get_booking_pending(v->journey) ||
		    (s == RELAIS_JOURNEY_BOOK_SLOTS && relais_journey_get_n_slots(v->journey) < 0)))
		(void)feed(v, RELAIS_JOURNEY_EV_BOOKING_FAILED, "offline", 0);
}

static void on_availability(Booth *booth, int advisers, const char *next_opening, gpointer data)
{
	BoothVisitor *v = data;
	(void)feed(v, RELAIS_JOURNEY_EV_AVAILABILITY, next_opening, advisers);
}

/* The switchboard's answers about bookings: the journey keeps them. */
static void on_booking(Booth *booth, const BoothBookingAnswer *a, gpointer data)
{
	BoothVisitor *v = data;
	RelaisJourneyBooking info = {.retry_s = -1};
	RelaisJourneyEvent ev = {.booking = &info};
	g_autofree RelaisJourneySlot *slots = NULL;
	g_autofree char *made = NULL;
	switch (a->kind) {
	case BOOTH_BOOKING_SLOTS:
		if (relais_journey_get_state(v->journey) != RELAIS_JOURNEY_BOOK_SLOTS)
			return; /* the visitor moved on */
		slots = g_new0(RelaisJourneySlot, a->n_slots + 1);
		for (guint i = 0; i < a->n_slots; i++)
			slots[i] = (RelaisJourneySlot){a->slots[i].start, a->slots[i].end};
		info.slots = slots;
		ev.type = RELAIS_JOURNEY_EV_SLOTS;
		ev.num = (int)a->n_slots;
		break;
	case BOOTH_BOOKING_BOOKED:
		info.start = a->start;
		info.end = a->end;
		info.site = a->site;
		info.address = a->address;
		/* the calendar event's DTSTAMP: fixed once, so that its QR code
		 * does not change under the visitor's phone */
		{
			g_autoptr(GDateTime) now = g_date_time_new_now_utc();
			made = g_date_time_format_iso8601(now);
		}
		info.made = made;
		ev.type = RELAIS_JOURNEY_EV_BOOKED;
		ev.str = a->code;
		break;
	case BOOTH_BOOKING_CHECKED_IN:
		info.topic = a->topic;
		ev.type = RELAIS_JOURNEY_EV_CHECKED_IN;
		ev.str = a->language;
		break;
	case BOOTH_BOOKING_REFUSED:
		info.retry_at = a->retry_at;
		info.retry_s = a->retry_s;
		ev.type = RELAIS_JOURNEY_EV_BOOKING_FAILED;
		ev.str = booth_booking_reason_name(a->reason);
		/* the reason only: the switchboard's message may quote the code */
		g_message("booking refused: %s", ev.str);
		break;
	}
	if (!feed_event(v, &ev) && a->kind == BOOTH_BOOKING_BOOKED)
		g_warning("a booking was made but the visitor has left: it will be a no-show");
}

static void on_share(Booth *booth, gboolean on, gpointer data)
{
	BoothVisitor *v = data;
	follow_sharing(v);
	refresh(v);
}

/* a guest asks to join, the ask ended, or the guest's state changed: a
 * change of state shows for GUEST_NOTICE_US */
#define GUEST_NOTICE_US (6 * G_USEC_PER_SEC)
static void on_guest(Booth *booth, gpointer data)
{
	BoothVisitor *v = data;
	BoothGuest g = booth_get_guest(booth);
	if (g.state && g_strcmp0(g.state, v->guest_notice) != 0) {
		g_free(v->guest_notice);
		v->guest_notice = g_strdup(g.state);
		v->guest_notice_until_us = g_get_monotonic_time() + GUEST_NOTICE_US;
	}
	/* the guest gone: its picture with it, today's layout back */
	if (g_strcmp0(g.state, "joining") != 0 && g_strcmp0(g.state, "joined") != 0)
		drop_pictures(v, BOOTH_UI_VIDEO_GUEST);
	refresh(v);
}

/* "Let them in" / "Not now" on the screen */
static void on_guest_answer(gboolean accept, gpointer data)
{
	BoothVisitor *v = data;
	g_autoptr(GError) error = NULL;
	if (!booth_guest_answer(v->booth, accept, &error))
		g_debug("guest answer: %s", error->message); /* it timed out meanwhile */
	refresh(v);
}

static const BoothObserver observer = {on_session,
				       on_queue,
				       .chat = on_chat,
				       .guest_chat = on_guest_chat,
				       .link = on_link,
				       .availability = on_availability,
				       .share = on_share,
				       .document = on_document,
				       .booking = on_booking,
				       .guest = on_guest};

/* --- public ----------------------------------------------------------------------- */

BoothVisitor *booth_visitor_new(Booth *booth, const BoothVisitorConfig *config, GError **error)
{
	g_return_val_if_fail(config && config->ui.questions, NULL);
	g_autoptr(BoothUi) ui = booth_ui_new(&config->ui, error);
	if (ui == NULL)
		return NULL;
	BoothVisitor *v = g_new0(BoothVisitor, 1);
	v->booth = booth;
	v->questions = config->ui.questions;
	v->ui = g_steal_pointer(&ui);
	v->docs = booth_doc_view_new(booth, v->ui);
	v->wiped_screen_ms = config->wiped_screen_ms ? config->wiped_screen_ms : 3000;
	const char *const *langs = config->ui.languages;
	g_auto(GStrv) kconfig_langs = g_strsplit_set(CONFIG_RELAIS_UI_LANGUAGES, " ,", -1);
	if (langs == NULL)
		langs = (const char *const *)kconfig_langs;
	v->journey = relais_journey_new(v->questions, langs, config->timeouts);
	v->chat = g_array_new(FALSE, TRUE, sizeof(ChatLine));
	g_array_set_clear_func(v->chat, chat_line_clear);
	v->view_chat = g_array_new(FALSE, TRUE, sizeof(BoothUiChatLine));
	v->wait_s = -1;
	v->shown = RELAIS_JOURNEY_N_STATES;
	for (int i = 0; i < BOOTH_UI_N_VIDEO; i++) {
		v->mailbox[i] = booth_ui_mailbox_new();
		booth_ui_set_mailbox(v->ui, i, v->mailbox[i]);
	}
	if (relais_stamp_enabled_from_env()) {
		v->stamp_drawn = relais_stamp_stats_new();
		booth_ui_set_stamp_stats(v->ui, v->stamp_drawn);
	}
	booth_ui_set_event_func(v->ui, on_ui_event, v);
	booth_ui_set_document_func(v->ui, on_doc_action, v);
	booth_ui_set_guest_func(v->ui, on_guest_answer, v);
	booth_set_observer(booth, &observer, v);
	v->state_since_us = g_get_monotonic_time();
	/* a booth that failed its self-test before the screen opened */
	if (booth_get_state(booth) == RELAIS_SESSION_OUT_OF_ORDER) {
		g_autoptr(JsonObject) st = booth_status(booth);
		const char *reason = json_object_get_string_member_with_default(st, "reason", NULL);
		(void)feed(v, RELAIS_JOURNEY_EV_SESSION_OUT_OF_ORDER, reason, 0);
	}
	refresh(v);
	v->ui_source = booth_ui_attach(v->ui, NULL);
	v->tick_id = g_timeout_add(TICK_MS, on_tick, v);
	v->meter_id = g_timeout_add(METER_MS, on_meter, v);
	return v;
}

void booth_visitor_free(BoothVisitor *v)
{
	if (v == NULL)
		return;
	booth_set_observer(v->booth, NULL, NULL);
	g_free(v->guest_notice);
	g_clear_pointer(&v->docs, booth_doc_view_free);
	g_clear_handle_id(&v->tick_id, g_source_remove);
	g_clear_handle_id(&v->meter_id, g_source_remove);
	g_clear_handle_id(&v->wiped_id, g_source_remove);
	stop_preview(v);
	booth_set_frame_func(v->booth, RELAIS_MEDIA_VIDEO_LOCAL, NULL, NULL);
	booth_set_frame_func(v->booth, RELAIS_MEDIA_VIDEO_REMOTE, NULL, NULL);
	booth_set_frame_func(v->booth, RELAIS_MEDIA_VIDEO_SCREEN, NULL, NULL);
	g_clear_handle_id(&v->ui_source, g_source_remove);
	g_array_unref(v->view_chat);
	g_array_unref(v->chat);
	g_clear_pointer(&v->ui, booth_ui_free);
	g_clear_pointer(&v->stamp_drawn, relais_stamp_stats_unref);
	for (int i = 0; i < BOOTH_UI_N_VIDEO; i++)
		g_clear_pointer(&v->mailbox[i], booth_ui_mailbox_free);
	relais_journey_free(v->journey);
	g_free(v);
}

gboolean booth_visitor_get_stamp_drawn(BoothVisitor *v, RelaisStampSummary *out)
{
	if (v->stamp_drawn == NULL)
		return FALSE;
	relais_stamp_stats_get(v->stamp_drawn, out);
	return TRUE;
}

BoothUi *booth_visitor_get_ui(BoothVisitor *v)
{
	return v->ui;
}

RelaisJourneyState booth_visitor_get_state(BoothVisitor *v)
{
	return relais_journey_get_state(v->journey);
}

gboolean booth_visitor_tap(BoothVisitor *v, RelaisJourneyEventType type, const char *str, int num, GError **error)
{
	return booth_ui_tap(v->ui, type, str, num, error);
}

gboolean booth_visitor_tap_key(BoothVisitor *v, const char *key, GError **error)
{
	return booth_ui_tap_key(v->ui, key, error);
}

gboolean booth_visitor_tap_guest(BoothVisitor *v, const char *button, GError **error)
{
	return booth_ui_tap_guest(v->ui, button, error);
}

gboolean booth_visitor_tap_document(BoothVisitor *v, const char *button, GError **error)
{
	return booth_ui_tap_document(v->ui, button, error);
}

gboolean booth_visitor_key(BoothVisitor *v, const char *key_name, GError **error)
{
	return booth_ui_press_key(v->ui, key_name, error);
}

JsonObject *booth_visitor_status(BoothVisitor *v)
{
	JsonObject *o = json_object_new();
	RelaisJourneyState s = relais_journey_get_state(v->journey);
	json_object_set_string_member(o, "screen", relais_journey_state_name(s));
	/* what the out-of-order screen says */
	if (relais_journey_get_fault(v->journey))
		json_object_set_string_member(o, "fault", relais_journey_get_fault(v->journey));
	json_object_set_string_member(o, "language", relais_journey_get_language(v->journey));
	guint answered = 0;
	for (guint i = 0; i < relais_questions_count(v->questions); i++)
		answered += relais_journey_get_answer(v->journey, i) != NULL;
	json_object_set_int_member(o, "answers", answered);
	json_object_set_int_member(o, "score", relais_journey_get_score(v->journey));
	json_object_set_int_member(o, "chat_lines", v->chat->len);
	json_object_set_int_member(o, "position", v->position);
	json_object_set_int_member(o, "wait_s", v->wait_s);
	json_object_set_boolean_member(o, "muted", relais_journey_get_muted(v->journey));
	json_object_set_boolean_member(o, "camera_off", relais_journey_get_camera_off(v->journey));
	json_object_set_int_member(o, "volume", relais_journey_get_volume(v->journey));
	json_object_set_boolean_member(o, "reconnecting", v->view.reconnecting);
	/* the band of a camera or microphone that stopped (as drawn) */
	json_object_set_boolean_member(o, "camera_lost", v->view.camera_lost);
	json_object_set_boolean_member(o, "mic_lost", v->view.mic_lost);
	json_object_set_int_member(o, "advisers_on_duty", relais_journey_get_advisers_on_duty(v->journey));
	json_object_set_boolean_member(o, "preview_running", booth_preview_running(v->booth));
	json_object_set_int_member(o, "countdown_s", v->view.countdown_s);
	json_object_set_double_member(o, "mic_level", v->view.mic_level);
	json_object_set_int_member(o, "quality", v->view.quality);
	BoothUiStats st = {0};
	booth_ui_get_stats(v->ui, &st);
	json_object_set_int_member(o, "frames_rendered", (gint64)st.frames_rendered);
	/* of which redrawn only where a new video frame is (software renderer) */
	json_object_set_int_member(o, "frames_partial", (gint64)st.frames_partial);
	json_object_set_int_member(o, "text_cache_entries", st.text_entries);
	/* their pixels (4 bytes each in the software renderer) */
	json_object_set_int_member(o, "text_cache_pixels", (gint64)st.text_pixels);
	json_object_set_boolean_member(o, "keyboard_open", booth_ui_get_keyboard_open(v->ui));
	json_object_set_boolean_member(o, "local_picture", st.has_picture[BOOTH_UI_VIDEO_LOCAL]);
	json_object_set_boolean_member(o, "remote_picture", st.has_picture[BOOTH_UI_VIDEO_REMOTE]);
	/* the adviser's shared screen: a picture of it, and whether the last
	 * render showed the shared-screen layout (with its rectangles) */
	json_object_set_boolean_member(o, "screen_picture", st.has_picture[BOOTH_UI_VIDEO_SCREEN]);
	json_object_set_boolean_member(o, "screen_shown", st.screen_shown);
	if (st.screen_shown) {
		JsonObject *layout = json_object_new();
		const SDL_Rect *rects[] = {&st.screen_rect, &st.face_rect, &st.own_rect};
		const char *names[] = {"screen", "face", "own"};
		for (guint i = 0; i < G_N_ELEMENTS(rects); i++) {
			JsonArray *a = json_array_sized_new(4);
			json_array_add_int_element(a, rects[i]->x);
			json_array_add_int_element(a, rects[i]->y);
			json_array_add_int_element(a, rects[i]->w);
			json_array_add_int_element(a, rects[i]->h);
			json_object_set_array_member(layout, names[i], a);
		}
		json_object_set_object_member(o, "screen_layout", layout);
	}
	/* three in the call: the guest's picture, and the layout the last
	 * render drew ("side", "interpreter"; absent: two people) */
	json_object_set_boolean_member(o, "guest_picture", st.has_picture[BOOTH_UI_VIDEO_GUEST]);
	if (st.three_layout != NULL) {
		JsonObject *layout = json_object_new();
		json_object_set_string_member(layout, "kind", st.three_layout);
		const SDL_Rect *rects[] = {&st.guest_rect, &st.face_rect, &st.own_rect};
		const char *names[] = {"guest", "face", "own"};
		for (guint i = 0; i < G_N_ELEMENTS(rects); i++) {
			JsonArray *a = json_array_sized_new(4);
			json_array_add_int_element(a, rects[i]->x);
			json_array_add_int_element(a, rects[i]->y);
			json_array_add_int_element(a, rects[i]->w);
			json_array_add_int_element(a, rects[i]->h);
			json_object_set_array_member(layout, names[i], a);
		}
		json_object_set_object_member(o, "three_layout", layout);
	}
	/* the page of the document the screen shows (0: none), and whether
	 * its picture is drawn */
	json_object_set_int_member(o, "document_page", booth_doc_view_get_page(v->docs));
	json_object_set_boolean_member(o, "document_drawn", st.has_document);
	/* bookings: the offered slots, the shown code (book_code: the booking's;
	 * check_in: typed so far), the last refusal */
	json_object_set_int_member(o, "slots", relais_journey_get_n_slots(v->journey));
	if (s == RELAIS_JOURNEY_BOOK_CODE || s == RELAIS_JOURNEY_CHECK_IN)
		json_object_set_string_member(o, "booking_code", relais_journey_get_code(v->journey));
	if (s == RELAIS_JOURNEY_BOOK_CODE && relais_journey_get_booked_start(v->journey))
		json_object_set_string_member(o, "booking_start", relais_journey_get_booked_start(v->journey));
	if (s == RELAIS_JOURNEY_BOOK_CODE && relais_journey_get_booked_end(v->journey))
		json_object_set_string_member(o, "booking_end", relais_journey_get_booked_end(v->journey));
	const char *berr = relais_journey_get_booking_error(v->journey);
	if (berr)
		json_object_set_string_member(o, "booking_error", berr);
	json_object_set_boolean_member(o, "booking_pending", relais_journey_get_booking_pending(v->journey));
	json_object_set_boolean_member(o, "booked", relais_journey_get_booked(v->journey));
	return o;
}
