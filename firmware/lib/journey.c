/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-journey"

#include "journey.h"
#include "relais-config.h"
#include "booking.h"
#include "protocol.h"

#include <string.h>

G_DEFINE_QUARK(relais - journey - error - quark, relais_journey_error)

struct _RelaisJourney {
	const RelaisQuestions *questions;
	GStrv languages;
	RelaisJourneyTimeouts timeouts;
	RelaisJourneyState state;
	RelaisJourneyState resume; /* for still_there */
	/* what the visitor told: wiped */
	char *language;
	guint question;
	char *answers[RELAIS_QUESTIONS_MAX];
	int score;
	gboolean call_lost; /* the call ended because the connection was lost */
	gboolean muted, camera_off;
	int volume;
	char code[RELAIS_BOOKING_CODE_LEN + 1];
	int n_slots, slot;
	char *booking_error;
	gboolean booking_pending, booked;
	/* what the switchboard answered (RelaisJourneyBooking) */
	GPtrArray *slot_starts, *slot_ends; /* of the n_slots offered, if told */
	char *booked_start, *booked_end, *booked_site, *booked_address, *booked_made, *booked_topic;
	char *retry_at;
	int retry_s;
	/* what the booth knows about the world: kept */
	gboolean link_down;
	int on_duty;
	char *next_opening;
	char *fault;
};

/* A session's end that neither the visitor nor the adviser chose (the
 * booth's finish_session() reasons and the switchboard's end reasons,
 * PROTOCOL.md "Call flow" and "Reconnecting a call's media"). */
static const char *const call_lost_reasons[] = {
	"media lost", "media failed", "switchboard link lost", "peer-lost", "gone", "media-lost", "media-failed", NULL,
};

static const char *const state_names[] = {
	"attract",	"language",   "question",     "consent",      "self_check", "waiting", "no_adviser",
	"connecting",	"in_call",    "confirm_end",  "satisfaction", "thanks",	    "wiped",   "still_there",
	"out_of_order", "book_slots", "book_confirm", "book_code",    "check_in",
};
G_STATIC_ASSERT(G_N_ELEMENTS(state_names) == RELAIS_JOURNEY_N_STATES);

static const char *const event_names[] = {
	"start",
	"language",
	"answer",
	"skip",
	"back",
	"accept",
	"ready",
	"not-now",
	"cancel",
	"end",
	"confirm-end",
	"keep-talking",
	"mute",
	"camera",
	"volume",
	"score",
	"done",
	"stay",
	"chat",
	"timeout",
	"wiped",
	"availability",
	"link-lost",
	"link-up",
	"session-queued",
	"session-no-adviser",
	"session-connecting",
	"session-in-call",
	"session-ended",
	"session-out-of-order",
	"session-repaired",
	"book",
	"slot",
	"book-confirm",
	"have-booking",
	"code-char",
	"code-delete",
	"check-in",
	"slots",
	"booked",
	"checked-in",
	"booking-failed",
};
G_STATIC_ASSERT(G_N_ELEMENTS(event_names) == RELAIS_JOURNEY_N_EVENTS);

static const char *const action_names[] = {
	"none",	  "preview-start", "preview-stop", "request", "cancel", "end",	"mute",	    "camera",
	"volume", "score",	   "wipe",	   "chat",    "slots",	"book", "check-in",
};
G_STATIC_ASSERT(G_N_ELEMENTS(action_names) == RELAIS_JOURNEY_N_ACTIONS);

const char *relais_journey_state_name(RelaisJourneyState state)
{
	return (guint)state < RELAIS_JOURNEY_N_STATES ? state_names[state] : "?";
}

const char *relais_journey_event_name(RelaisJourneyEventType type)
{
	return (guint)type < RELAIS_JOURNEY_N_EVENTS ? event_names[type] : "?";
}

const char *relais_journey_action_name(RelaisJourneyAction action)
{
	return (guint)action < RELAIS_JOURNEY_N_ACTIONS ? action_names[action] : "?";
}

RelaisJourney *relais_journey_new(const RelaisQuestions *questions, const char *const *languages,
				  const RelaisJourneyTimeouts *timeouts)
{
	g_return_val_if_fail(questions != NULL, NULL);
	g_return_val_if_fail(languages != NULL && languages[0] != NULL, NULL);
	RelaisJourney *j = g_new0(RelaisJourney, 1);
	j->questions = questions;
	j->languages = g_strdupv((char **)languages);
	if (timeouts)
		j->timeouts = *timeouts;
	else
		j->timeouts = (RelaisJourneyTimeouts){
			.idle_s = CONFIG_RELAIS_UI_IDLE_TIMEOUT_S,
			.countdown_s = CONFIG_RELAIS_UI_COUNTDOWN_S,
			.confirm_end_s = CONFIG_RELAIS_UI_CONFIRM_END_TIMEOUT_S,
			.satisfaction_s = CONFIG_RELAIS_UI_SATISFACTION_TIMEOUT_S,
			.no_adviser_s = CONFIG_RELAIS_UI_NO_ADVISER_TIMEOUT_S,
			.thanks_s = CONFIG_RELAIS_UI_THANKS_TIMEOUT_S,
		};
	if (j->timeouts.booking_code_s == 0)
		j->timeouts.booking_code_s = CONFIG_RELAIS_UI_BOOKING_CODE_TIMEOUT_S;
	j->state = RELAIS_JOURNEY_ATTRACT;
	j->on_duty = -1;
	j->slot_starts = g_ptr_array_new_with_free_func(g_free);
	j->slot_ends = g_ptr_array_new_with_free_func(g_free);
	relais_journey_wipe(j);
	return j;
}

void relais_journey_wipe(RelaisJourney *j)
{
	g_free(j->language);
	j->language = g_strdup(j->languages[0]);
	for (guint i = 0; i < G_N_ELEMENTS(j->answers); i++)
		g_clear_pointer(&j->answers[i], g_free);
	j->question = 0;
	j->score = 0;
	j->call_lost = FALSE;
	j->muted = FALSE;
	j->camera_off = FALSE;
	j->volume = 80;
	memset(j->code, 0, sizeof(j->code));
	j->n_slots = -1;
	j->slot = -1;
	g_clear_pointer(&j->booking_error, g_free);
	j->booking_pending = FALSE;
	j->booked = FALSE;
	g_ptr_array_set_size(j->slot_starts, 0);
	g_ptr_array_set_size(j->slot_ends, 0);
	g_clear_pointer(&j->booked_start, g_free);
	g_clear_pointer(&j->booked_end, g_free);
	g_clear_pointer(&j->booked_site, g_free);
	g_clear_pointer(&j->booked_address, g_free);
	g_clear_pointer(&j->booked_made, g_free);
	g_clear_pointer(&j->booked_topic, g_free);
	g_clear_pointer(&j->retry_at, g_free);
	j->retry_s = -1;
}

void relais_journey_free(RelaisJourney *j)
{
	if (j == NULL)
		return;
	relais_journey_wipe(j);
	g_ptr_array_unref(j->slot_starts);
	g_ptr_array_unref(j->slot_ends);
	g_free(j->language);
	g_strfreev(j->languages);
	g_free(j->next_opening);
	g_free(j->fault);
	g_free(j);
}

static gboolean not_allowed(const RelaisJourney *j, const RelaisJourneyEvent *ev, GError **error)
{
	g_set_error(error, RELAIS_JOURNEY_ERROR, RELAIS_JOURNEY_ERROR_NOT_ALLOWED,
		    "event '%s' is not allowed in state '%s'", relais_journey_event_name(ev->type),
		    relais_journey_state_name(j->state));
	return FALSE;
}

static gboolean bad_arg(const RelaisJourneyEvent *ev, const char *what, GError **error)
{
	g_set_error(error, RELAIS_JOURNEY_ERROR, RELAIS_JOURNEY_ERROR_INVALID, "event '%s': %s",
		    relais_journey_event_name(ev->type), what);
	return FALSE;
}

/* The slots offered (n_slots -1: asked again, 0: none). */
static void set_slots(RelaisJourney *j, int n, const RelaisJourneySlot *slots)
{
	j->n_slots = n;
	g_ptr_array_set_size(j->slot_starts, 0);
	g_ptr_array_set_size(j->slot_ends, 0);
	for (int i = 0; slots && i < n; i++) {
		g_ptr_array_add(j->slot_starts, g_strdup(slots[i].start));
		g_ptr_array_add(j->slot_ends, g_strdup(slots[i].end));
	}
}

static void set_string(char **slot, const char *s)
{
	char *old = *slot;
	*slot = g_strdup(s);
	g_free(old);
}

static gboolean offers_language(const RelaisJourney *j, const char *lang)
{
	return lang != NULL && g_strv_contains((const char *const *)j->languages, lang);
}

static gboolean one_language(const RelaisJourney *j)
{
	return j->languages[1] == NULL;
}

static gboolean is_before_call(RelaisJourneyState s)
{
	return s == RELAIS_JOURNEY_LANGUAGE || s == RELAIS_JOURNEY_QUESTION || s == RELAIS_JOURNEY_CONSENT ||
	       s == RELAIS_JOURNEY_SELF_CHECK || s == RELAIS_JOURNEY_BOOK_SLOTS || s == RELAIS_JOURNEY_BOOK_CONFIRM ||
	       s == RELAIS_JOURNEY_CHECK_IN;
}

static void set_booking_error(RelaisJourney *j, const char *reason)
{
	g_free(j->booking_error);
	j->booking_error = g_strdup(reason);
}

/* A reason of PROTOCOL.md's booking_error table. */
static gboolean is_booking_reason(const char *s)
{
	return s && g_strv_contains(relais_booking_reasons, s);
}

static gboolean is_call(RelaisJourneyState s)
{
	return s == RELAIS_JOURNEY_CONNECTING || s == RELAIS_JOURNEY_IN_CALL || s == RELAIS_JOURNEY_CONFIRM_END;
}

/* The screen before question 0 (back from it). */
static RelaisJourneyState before_questions(const RelaisJourney *j)
{
	return one_language(j) ? RELAIS_JOURNEY_ATTRACT : RELAIS_JOURNEY_LANGUAGE;
}

/* Every check comes before any change to j, so a refused event changes
 * nothing. */
gboolean relais_journey_feed(RelaisJourney *j, const RelaisJourneyEvent *ev, RelaisJourneyAction *action,
			     GError **error)
{
	g_return_val_if_fail(j != NULL && ev != NULL, FALSE);
	RelaisJourneyState s = j->state, next = s;
	RelaisJourneyAction act = RELAIS_JOURNEY_ACT_NONE;
	guint nq = relais_questions_count(j->questions);

	if ((guint)ev->type >= RELAIS_JOURNEY_N_EVENTS)
		return not_allowed(j, ev, error);

	switch (ev->type) {
	case RELAIS_JOURNEY_EV_START:
		if (s != RELAIS_JOURNEY_ATTRACT)
			return not_allowed(j, ev, error);
		relais_journey_wipe(j); /* belt and braces: nothing from before */
		next = one_language(j) ? RELAIS_JOURNEY_QUESTION : RELAIS_JOURNEY_LANGUAGE;
		j->question = 0;
		break;
	case RELAIS_JOURNEY_EV_LANGUAGE:
		/* also from attract, whose language buttons start at once, and
		 * on the code screen, which stays */
		if (s != RELAIS_JOURNEY_LANGUAGE && s != RELAIS_JOURNEY_ATTRACT && s != RELAIS_JOURNEY_CHECK_IN)
			return not_allowed(j, ev, error);
		if (!offers_language(j, ev->str))
			return bad_arg(ev, "language not offered", error);
		if (s == RELAIS_JOURNEY_CHECK_IN) {
			g_free(j->language);
			j->language = g_strdup(ev->str);
			break;
		}
		if (s == RELAIS_JOURNEY_ATTRACT)
			relais_journey_wipe(j);
		g_free(j->language);
		j->language = g_strdup(ev->str);
		j->question = 0;
		next = RELAIS_JOURNEY_QUESTION;
		break;
	case RELAIS_JOURNEY_EV_ANSWER:
	case RELAIS_JOURNEY_EV_SKIP:
		if (s != RELAIS_JOURNEY_QUESTION)
			return not_allowed(j, ev, error);
		if (ev->type == RELAIS_JOURNEY_EV_ANSWER) {
			const RelaisQuestion *q = relais_questions_get(j->questions, j->question);
			if (relais_question_find_choice(q, ev->str) < 0)
				return bad_arg(ev, "not a choice of this question", error);
			g_free(j->answers[j->question]);
			j->answers[j->question] = g_strdup(ev->str);
		} else {
			g_clear_pointer(&j->answers[j->question], g_free);
		}
		if (j->question + 1 < nq)
			j->question++;
		else
			next = RELAIS_JOURNEY_CONSENT;
		break;
	case RELAIS_JOURNEY_EV_BACK:
		switch (s) {
		case RELAIS_JOURNEY_LANGUAGE:
			next = RELAIS_JOURNEY_ATTRACT;
			break;
		case RELAIS_JOURNEY_QUESTION:
			if (j->question > 0)
				j->question--;
			else
				next = before_questions(j);
			break;
		case RELAIS_JOURNEY_CONSENT:
			/* checked in: the code cannot be typed again, the only
			 * ways on are ahead or "not now" */
			if (j->booked)
				return not_allowed(j, ev, error);
			next = RELAIS_JOURNEY_QUESTION;
			j->question = nq - 1;
			break;
		case RELAIS_JOURNEY_BOOK_SLOTS:
			next = RELAIS_JOURNEY_NO_ADVISER;
			break;
		case RELAIS_JOURNEY_BOOK_CONFIRM:
			/* booking: the answer decides where the visitor goes */
			if (j->booking_pending)
				return not_allowed(j, ev, error);
			next = RELAIS_JOURNEY_BOOK_SLOTS;
			break;
		case RELAIS_JOURNEY_CHECK_IN:
			if (j->booking_pending)
				return not_allowed(j, ev, error);
			next = RELAIS_JOURNEY_ATTRACT;
			break;
		case RELAIS_JOURNEY_SELF_CHECK:
			next = RELAIS_JOURNEY_CONSENT;
			act = RELAIS_JOURNEY_ACT_PREVIEW_STOP;
			break;
		default:
			return not_allowed(j, ev, error);
		}
		if (next == RELAIS_JOURNEY_ATTRACT)
			relais_journey_wipe(j);
		break;
	case RELAIS_JOURNEY_EV_ACCEPT:
		if (s != RELAIS_JOURNEY_CONSENT)
			return not_allowed(j, ev, error);
		next = RELAIS_JOURNEY_SELF_CHECK;
		act = RELAIS_JOURNEY_ACT_PREVIEW_START;
		break;
	case RELAIS_JOURNEY_EV_READY:
		if (s != RELAIS_JOURNEY_SELF_CHECK)
			return not_allowed(j, ev, error);
		if (j->on_duty == 0 && !j->booked) {
			/* Known beforehand: do not make them wait for a "no".
			 * A booked visitor waits: the adviser is due. */
			next = RELAIS_JOURNEY_NO_ADVISER;
			act = RELAIS_JOURNEY_ACT_PREVIEW_STOP;
		} else {
			next = RELAIS_JOURNEY_WAITING;
			act = RELAIS_JOURNEY_ACT_REQUEST;
		}
		break;
	case RELAIS_JOURNEY_EV_NOT_NOW:
		if (s != RELAIS_JOURNEY_SELF_CHECK)
			return not_allowed(j, ev, error);
		next = RELAIS_JOURNEY_WIPED;
		act = RELAIS_JOURNEY_ACT_WIPE;
		break;
	case RELAIS_JOURNEY_EV_CANCEL:
		if (s != RELAIS_JOURNEY_WAITING)
			return not_allowed(j, ev, error);
		next = RELAIS_JOURNEY_THANKS;
		act = RELAIS_JOURNEY_ACT_CANCEL;
		break;
	case RELAIS_JOURNEY_EV_END:
		if (s != RELAIS_JOURNEY_IN_CALL && s != RELAIS_JOURNEY_CONNECTING)
			return not_allowed(j, ev, error);
		if (s == RELAIS_JOURNEY_CONNECTING) {
			/* Nothing to confirm yet: nobody is on screen. */
			next = RELAIS_JOURNEY_THANKS;
			act = RELAIS_JOURNEY_ACT_END;
		} else {
			next = RELAIS_JOURNEY_CONFIRM_END;
		}
		break;
	case RELAIS_JOURNEY_EV_CONFIRM_END:
		if (s != RELAIS_JOURNEY_CONFIRM_END)
			return not_allowed(j, ev, error);
		next = RELAIS_JOURNEY_SATISFACTION;
		act = RELAIS_JOURNEY_ACT_END;
		break;
	case RELAIS_JOURNEY_EV_KEEP_TALKING:
		if (s != RELAIS_JOURNEY_CONFIRM_END)
			return not_allowed(j, ev, error);
		next = RELAIS_JOURNEY_IN_CALL;
		break;
	case RELAIS_JOURNEY_EV_MUTE:
	case RELAIS_JOURNEY_EV_CAMERA:
	case RELAIS_JOURNEY_EV_VOLUME:
		/* Also on self_check and waiting: the visitor controls what is
		 * seen and heard before anyone answers. */
		if (!is_call(s) && s != RELAIS_JOURNEY_SELF_CHECK && s != RELAIS_JOURNEY_WAITING)
			return not_allowed(j, ev, error);
		if (ev->type == RELAIS_JOURNEY_EV_VOLUME) {
			if (ev->num < 0 || ev->num > 100)
				return bad_arg(ev, "volume outside 0..100", error);
			j->volume = ev->num;
			act = RELAIS_JOURNEY_ACT_VOLUME;
		} else if (ev->type == RELAIS_JOURNEY_EV_MUTE) {
			j->muted = !j->muted;
			act = RELAIS_JOURNEY_ACT_MUTE;
		} else {
			j->camera_off = !j->camera_off;
			act = RELAIS_JOURNEY_ACT_CAMERA;
		}
		break;
	case RELAIS_JOURNEY_EV_SCORE:
		if (s != RELAIS_JOURNEY_SATISFACTION)
			return not_allowed(j, ev, error);
		if (ev->num < 1 || ev->num > 5)
			return bad_arg(ev, "score outside 1..5", error);
		j->score = ev->num;
		next = RELAIS_JOURNEY_THANKS;
		act = RELAIS_JOURNEY_ACT_SCORE;
		break;
	case RELAIS_JOURNEY_EV_DONE:
		if (s != RELAIS_JOURNEY_THANKS && s != RELAIS_JOURNEY_NO_ADVISER && s != RELAIS_JOURNEY_BOOK_CODE)
			return not_allowed(j, ev, error);
		next = RELAIS_JOURNEY_WIPED;
		act = RELAIS_JOURNEY_ACT_WIPE;
		break;
	case RELAIS_JOURNEY_EV_STAY:
		if (s != RELAIS_JOURNEY_STILL_THERE)
			return not_allowed(j, ev, error);
		next = j->resume;
		break;
	case RELAIS_JOURNEY_EV_CHAT:
		if (s != RELAIS_JOURNEY_IN_CALL)
			return not_allowed(j, ev, error);
		if (ev->str == NULL || *ev->str == '\0')
			return bad_arg(ev, "empty message", error);
		if (strlen(ev->str) > CONFIG_RELAIS_PROTO_MAX_TEXT)
			return bad_arg(ev, "message longer than CONFIG_RELAIS_PROTO_MAX_TEXT bytes", error);
		if (!g_utf8_validate(ev->str, -1, NULL))
			return bad_arg(ev, "message is not UTF-8", error);
		act = RELAIS_JOURNEY_ACT_CHAT;
		break;
	case RELAIS_JOURNEY_EV_TIMEOUT:
		if (is_before_call(s)) {
			next = RELAIS_JOURNEY_STILL_THERE;
			j->resume = s;
		} else if (s == RELAIS_JOURNEY_STILL_THERE || s == RELAIS_JOURNEY_THANKS ||
			   s == RELAIS_JOURNEY_NO_ADVISER || s == RELAIS_JOURNEY_BOOK_CODE) {
			next = RELAIS_JOURNEY_WIPED;
			act = RELAIS_JOURNEY_ACT_WIPE;
		} else if (s == RELAIS_JOURNEY_CONFIRM_END) {
			next = RELAIS_JOURNEY_IN_CALL;
		} else if (s == RELAIS_JOURNEY_SATISFACTION) {
			next = RELAIS_JOURNEY_THANKS;
		} else {
			return not_allowed(j, ev, error);
		}
		break;
	case RELAIS_JOURNEY_EV_WIPED:
		if (s != RELAIS_JOURNEY_WIPED)
			return not_allowed(j, ev, error);
		next = RELAIS_JOURNEY_ATTRACT;
		break;
	case RELAIS_JOURNEY_EV_AVAILABILITY:
		j->on_duty = ev->num < 0 ? -1 : ev->num;
		g_free(j->next_opening);
		j->next_opening = g_strdup(ev->str);
		break;
	case RELAIS_JOURNEY_EV_LINK_LOST:
		j->link_down = TRUE;
		break;
	case RELAIS_JOURNEY_EV_LINK_UP:
		j->link_down = FALSE;
		break;
	case RELAIS_JOURNEY_EV_SESSION_QUEUED:
		if (s != RELAIS_JOURNEY_WAITING)
			return not_allowed(j, ev, error);
		break;
	case RELAIS_JOURNEY_EV_SESSION_NO_ADVISER:
		if (s != RELAIS_JOURNEY_WAITING)
			return not_allowed(j, ev, error);
		if (ev->str) {
			g_free(j->next_opening);
			j->next_opening = g_strdup(ev->str);
		}
		j->on_duty = 0;
		next = RELAIS_JOURNEY_NO_ADVISER;
		break;
	case RELAIS_JOURNEY_EV_SESSION_CONNECTING:
		if (s != RELAIS_JOURNEY_WAITING)
			return not_allowed(j, ev, error);
		next = RELAIS_JOURNEY_CONNECTING;
		break;
	case RELAIS_JOURNEY_EV_SESSION_IN_CALL:
		if (s != RELAIS_JOURNEY_CONNECTING)
			return not_allowed(j, ev, error);
		next = RELAIS_JOURNEY_IN_CALL;
		break;
	case RELAIS_JOURNEY_EV_SESSION_ENDED:
		switch (s) {
		case RELAIS_JOURNEY_WAITING:
			/* The queue went away under the visitor (no adviser
			 * took it): say so, with the next opening. */
			next = RELAIS_JOURNEY_NO_ADVISER;
			break;
		case RELAIS_JOURNEY_CONNECTING:
			next = RELAIS_JOURNEY_THANKS;
			break;
		case RELAIS_JOURNEY_IN_CALL:
		case RELAIS_JOURNEY_CONFIRM_END:
			/* neither end chose it: the satisfaction screen says so */
			j->call_lost = ev->str && g_strv_contains(call_lost_reasons, ev->str);
			next = RELAIS_JOURNEY_SATISFACTION;
			break;
		/* the end the visitor asked for, arriving after the screen moved on */
		case RELAIS_JOURNEY_SATISFACTION:
		case RELAIS_JOURNEY_THANKS:
		case RELAIS_JOURNEY_NO_ADVISER:
		case RELAIS_JOURNEY_WIPED:
			break;
		default:
			return not_allowed(j, ev, error);
		}
		break;
	case RELAIS_JOURNEY_EV_SESSION_OUT_OF_ORDER:
		g_free(j->fault);
		j->fault = g_strdup(ev->str);
		if (s != RELAIS_JOURNEY_OUT_OF_ORDER) {
			next = RELAIS_JOURNEY_OUT_OF_ORDER;
			act = RELAIS_JOURNEY_ACT_WIPE;
		}
		break;
	case RELAIS_JOURNEY_EV_SESSION_REPAIRED:
		if (s != RELAIS_JOURNEY_OUT_OF_ORDER)
			return not_allowed(j, ev, error);
		g_clear_pointer(&j->fault, g_free);
		next = RELAIS_JOURNEY_ATTRACT;
		break;
	case RELAIS_JOURNEY_EV_BOOK:
		if (s != RELAIS_JOURNEY_NO_ADVISER)
			return not_allowed(j, ev, error);
		next = RELAIS_JOURNEY_BOOK_SLOTS;
		set_slots(j, -1, NULL);
		j->slot = -1;
		set_booking_error(j, NULL);
		act = RELAIS_JOURNEY_ACT_SLOTS;
		break;
	case RELAIS_JOURNEY_EV_SLOTS:
		if (s != RELAIS_JOURNEY_BOOK_SLOTS)
			return not_allowed(j, ev, error);
		if (ev->num < 0 || ev->num > CONFIG_RELAIS_PROTO_MAX_SLOTS)
			return bad_arg(ev, "slot count outside 0..CONFIG_RELAIS_PROTO_MAX_SLOTS", error);
		set_slots(j, ev->num, ev->booking ? ev->booking->slots : NULL);
		break;
	case RELAIS_JOURNEY_EV_SLOT:
		if (s != RELAIS_JOURNEY_BOOK_SLOTS)
			return not_allowed(j, ev, error);
		if (ev->num < 0 || ev->num >= j->n_slots)
			return bad_arg(ev, "not an offered slot", error);
		j->slot = ev->num;
		set_booking_error(j, NULL);
		next = RELAIS_JOURNEY_BOOK_CONFIRM;
		break;
	case RELAIS_JOURNEY_EV_BOOK_CONFIRM:
		if (s != RELAIS_JOURNEY_BOOK_CONFIRM || j->booking_pending)
			return not_allowed(j, ev, error);
		j->booking_pending = TRUE;
		act = RELAIS_JOURNEY_ACT_BOOK;
		break;
	case RELAIS_JOURNEY_EV_BOOKED:
		if (s != RELAIS_JOURNEY_BOOK_CONFIRM || !j->booking_pending)
			return not_allowed(j, ev, error);
		if (!relais_booking_code_valid(ev->str))
			return bad_arg(ev, "not a booking code", error);
		g_strlcpy(j->code, ev->str, sizeof(j->code));
		set_string(&j->booked_start, ev->booking ? ev->booking->start : NULL);
		set_string(&j->booked_end, ev->booking ? ev->booking->end : NULL);
		set_string(&j->booked_site, ev->booking ? ev->booking->site : NULL);
		set_string(&j->booked_address, ev->booking ? ev->booking->address : NULL);
		set_string(&j->booked_made, ev->booking ? ev->booking->made : NULL);
		j->booking_pending = FALSE;
		next = RELAIS_JOURNEY_BOOK_CODE;
		break;
	case RELAIS_JOURNEY_EV_HAVE_BOOKING:
		if (s != RELAIS_JOURNEY_ATTRACT)
			return not_allowed(j, ev, error);
		relais_journey_wipe(j);
		next = RELAIS_JOURNEY_CHECK_IN;
		break;
	case RELAIS_JOURNEY_EV_CODE_CHAR: {
		if (s != RELAIS_JOURNEY_CHECK_IN || j->booking_pending)
			return not_allowed(j, ev, error);
		char c = ev->str && ev->str[0] && !ev->str[1] ? g_ascii_toupper(ev->str[0]) : '\0';
		if (!relais_booking_char_valid(c))
			return bad_arg(ev, "not a character of booking codes", error);
		gsize n = strlen(j->code);
		if (n >= RELAIS_BOOKING_CODE_LEN)
			return bad_arg(ev, "the code is complete", error);
		j->code[n] = c;
		set_booking_error(j, NULL);
		break;
	}
	case RELAIS_JOURNEY_EV_CODE_DELETE: {
		if (s != RELAIS_JOURNEY_CHECK_IN || j->booking_pending)
			return not_allowed(j, ev, error);
		gsize n = strlen(j->code);
		if (n > 0)
			j->code[n - 1] = '\0';
		set_booking_error(j, NULL);
		break;
	}
	case RELAIS_JOURNEY_EV_CHECK_IN:
		if (s != RELAIS_JOURNEY_CHECK_IN || j->booking_pending)
			return not_allowed(j, ev, error);
		if (strlen(j->code) != RELAIS_BOOKING_CODE_LEN)
			return bad_arg(ev, "the code is not complete", error);
		j->booking_pending = TRUE;
		set_booking_error(j, NULL);
		act = RELAIS_JOURNEY_ACT_CHECK_IN;
		break;
	case RELAIS_JOURNEY_EV_CHECKED_IN:
		if (s != RELAIS_JOURNEY_CHECK_IN || !j->booking_pending)
			return not_allowed(j, ev, error);
		/* the booking's language, when this booth offers it */
		if (offers_language(j, ev->str)) {
			g_free(j->language);
			j->language = g_strdup(ev->str);
		}
		set_string(&j->booked_topic, ev->booking ? ev->booking->topic : NULL);
		j->booking_pending = FALSE;
		j->booked = TRUE;
		next = RELAIS_JOURNEY_CONSENT;
		break;
	case RELAIS_JOURNEY_EV_BOOKING_FAILED:
		if (!is_booking_reason(ev->str))
			return bad_arg(ev, "not a booking_error reason", error);
		if (s == RELAIS_JOURNEY_CHECK_IN) {
			/* the code stays, to be corrected */
			j->booking_pending = FALSE;
		} else if (s == RELAIS_JOURNEY_BOOK_CONFIRM) {
			/* back to the list, asked again: the slot may be gone */
			j->booking_pending = FALSE;
			set_slots(j, -1, NULL);
			j->slot = -1;
			next = RELAIS_JOURNEY_BOOK_SLOTS;
			act = RELAIS_JOURNEY_ACT_SLOTS;
		} else if (s == RELAIS_JOURNEY_BOOK_SLOTS) {
			/* the list itself could not be had: say why, no retry loop */
			set_slots(j, 0, NULL);
		} else {
			return not_allowed(j, ev, error);
		}
		set_booking_error(j, ev->str);
		set_string(&j->retry_at, ev->booking ? ev->booking->retry_at : NULL);
		j->retry_s = ev->booking ? ev->booking->retry_s : -1;
		break;
	case RELAIS_JOURNEY_N_EVENTS:
		return not_allowed(j, ev, error);
	}

	if (act == RELAIS_JOURNEY_ACT_WIPE)
		relais_journey_wipe(j);
	if (next != s)
		g_debug("%s --%s--> %s (%s)", state_names[s], event_names[ev->type], state_names[next],
			action_names[act]);
	j->state = next;
	if (action)
		*action = act;
	return TRUE;
}

RelaisJourneyState relais_journey_get_state(const RelaisJourney *j)
{
	return j->state;
}

guint relais_journey_timeout_s(const RelaisJourney *j)
{
	switch (j->state) {
	case RELAIS_JOURNEY_LANGUAGE:
	case RELAIS_JOURNEY_QUESTION:
	case RELAIS_JOURNEY_CONSENT:
	case RELAIS_JOURNEY_SELF_CHECK:
		return j->timeouts.idle_s;
	case RELAIS_JOURNEY_STILL_THERE:
		return j->timeouts.countdown_s;
	case RELAIS_JOURNEY_CONFIRM_END:
		return j->timeouts.confirm_end_s;
	case RELAIS_JOURNEY_SATISFACTION:
		return j->timeouts.satisfaction_s;
	case RELAIS_JOURNEY_NO_ADVISER:
		return j->timeouts.no_adviser_s;
	case RELAIS_JOURNEY_THANKS:
		return j->timeouts.thanks_s;
	case RELAIS_JOURNEY_BOOK_SLOTS:
	case RELAIS_JOURNEY_BOOK_CONFIRM:
	case RELAIS_JOURNEY_CHECK_IN:
		return j->timeouts.idle_s;
	case RELAIS_JOURNEY_BOOK_CODE:
		return j->timeouts.booking_code_s;
	default:
		return 0;
	}
}

RelaisJourneyState relais_journey_get_resume_state(const RelaisJourney *j)
{
	return j->resume;
}

const char *relais_journey_get_language(const RelaisJourney *j)
{
	return j->language;
}

guint relais_journey_get_question_index(const RelaisJourney *j)
{
	return j->question;
}

const char *relais_journey_get_answer(const RelaisJourney *j, guint i)
{
	return i < G_N_ELEMENTS(j->answers) ? j->answers[i] : NULL;
}

int relais_journey_get_score(const RelaisJourney *j)
{
	return j->score;
}

gboolean relais_journey_get_call_lost(const RelaisJourney *j)
{
	return j->call_lost;
}

gboolean relais_journey_get_muted(const RelaisJourney *j)
{
	return j->muted;
}

gboolean relais_journey_get_camera_off(const RelaisJourney *j)
{
	return j->camera_off;
}

int relais_journey_get_volume(const RelaisJourney *j)
{
	return j->volume;
}

gboolean relais_journey_get_link_down(const RelaisJourney *j)
{
	return j->link_down;
}

int relais_journey_get_advisers_on_duty(const RelaisJourney *j)
{
	return j->on_duty;
}

const char *relais_journey_get_next_opening(const RelaisJourney *j)
{
	return j->next_opening;
}

const char *relais_journey_get_code(const RelaisJourney *j)
{
	return j->code;
}

int relais_journey_get_n_slots(const RelaisJourney *j)
{
	return j->n_slots;
}

int relais_journey_get_slot(const RelaisJourney *j)
{
	return j->slot;
}

const char *relais_journey_get_booking_error(const RelaisJourney *j)
{
	return j->booking_error;
}

gboolean relais_journey_get_booking_pending(const RelaisJourney *j)
{
	return j->booking_pending;
}

gboolean relais_journey_get_booked(const RelaisJourney *j)
{
	return j->booked;
}

const char *relais_journey_get_slot_start(const RelaisJourney *j, int i)
{
	return i >= 0 && (guint)i < j->slot_starts->len ? g_ptr_array_index(j->slot_starts, i) : NULL;
}

const char *relais_journey_get_slot_end(const RelaisJourney *j, int i)
{
	return i >= 0 && (guint)i < j->slot_ends->len ? g_ptr_array_index(j->slot_ends, i) : NULL;
}

const char *relais_journey_get_booked_start(const RelaisJourney *j)
{
	return j->booked_start;
}

const char *relais_journey_get_booked_end(const RelaisJourney *j)
{
	return j->booked_end;
}

const char *relais_journey_get_booked_site(const RelaisJourney *j)
{
	return j->booked_site;
}

const char *relais_journey_get_booked_address(const RelaisJourney *j)
{
	return j->booked_address;
}

const char *relais_journey_get_booked_made(const RelaisJourney *j)
{
	return j->booked_made;
}

const char *relais_journey_get_booked_topic(const RelaisJourney *j)
{
	return j->booked_topic;
}

const char *relais_journey_get_retry_at(const RelaisJourney *j)
{
	return j->retry_at;
}

int relais_journey_get_retry_s(const RelaisJourney *j)
{
	return j->retry_s;
}

const char *relais_journey_get_fault(const RelaisJourney *j)
{
	return j->fault;
}
