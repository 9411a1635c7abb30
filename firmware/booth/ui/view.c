/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The view the UI is given (booth_ui_set_view()): compared with the one on
 * screen, so that only a change costs a frame, and copied, the visitor's
 * words (chat, booking code) erased when replaced. Leaving the call or
 * forgetting the visitor also clears the draft, pictures, document and
 * rendered texts, and a new visitor starts from the site's toggles. */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/view.h"

#include <string.h>

void booth_ui_view_from_journey(BoothUiView *view, const RelaisJourney *j)
{
	view->state = relais_journey_get_state(j);
	view->language = relais_journey_get_language(j);
	view->question = relais_journey_get_question_index(j);
	view->answer = relais_journey_get_answer(j, view->question);
	view->muted = relais_journey_get_muted(j);
	view->camera_off = relais_journey_get_camera_off(j);
	view->volume = relais_journey_get_volume(j);
	view->reconnecting = relais_journey_get_link_down(j);
	view->call_lost = relais_journey_get_call_lost(j);
	view->next_opening = relais_journey_get_next_opening(j);
	view->fault = relais_journey_get_fault(j);
	view->n_slots = relais_journey_get_n_slots(j);
	view->slot = relais_journey_get_slot(j);
	view->code = relais_journey_get_code(j);
	view->booking_error = relais_journey_get_booking_error(j);
	view->booking_pending = relais_journey_get_booking_pending(j);
	view->booked = relais_journey_get_booked(j);
	/* a site with opening hours: its slots can be booked */
	view->can_book = view->next_opening != NULL;
}

static void replace(char **slot, const char *s)
{
	char *old = *slot;
	*slot = g_strdup(s);
	g_free(old);
}

/* --- life cycle ---------------------------------------------------------- */

static void chat_clear(BoothUi *ui)
{
	for (guint i = 0; i < ui->n_chat; i++) {
		char *text = (char *)ui->chat[i].text;
		memset(text, 0, strlen(text)); /* visitor data */
		g_free(text);
		char *from = (char *)ui->chat[i].from;
		if (from) {
			memset(from, 0, strlen(from)); /* the guest's name */
			g_free(from);
		}
		ui->chat[i].from = NULL;
	}
	ui->n_chat = 0;
}

static void wipe_replace(char **slot, const char *s)
{
	if (g_strcmp0(*slot, s) == 0)
		return;
	if (*slot)
		memset(*slot, 0, strlen(*slot));
	g_free(*slot);
	*slot = g_strdup(s);
}

void booth_ui_set_guest_func(BoothUi *ui, BoothUiGuestFunc func, gpointer user_data)
{
	ui->guest_func = func;
	ui->guest_func_data = user_data;
}

/* The booking code is the visitor's: erased, not only freed. */
static void booking_clear(BoothUi *ui)
{
	if (ui->bk_code)
		memset(ui->bk_code, 0, strlen(ui->bk_code));
	g_clear_pointer(&ui->bk_code, g_free);
	g_clear_pointer(&ui->bk_slots, g_strfreev);
	g_clear_pointer(&ui->bk_start, g_free);
	g_clear_pointer(&ui->bk_when, g_free);
	g_clear_pointer(&ui->bk_site, g_free);
	g_clear_pointer(&ui->bk_end, g_free);
	g_clear_pointer(&ui->bk_address, g_free);
	g_clear_pointer(&ui->bk_made, g_free);
	g_clear_pointer(&ui->bk_error, g_free);
	g_clear_pointer(&ui->bk_retry, g_free);
}

static gboolean booking_same(BoothUi *ui, const BoothUiView *v)
{
	const BoothUiView *c = &ui->view;
	int n = MAX(v->n_slots, 0);
	if (v->n_slots != c->n_slots || v->slot != c->slot || !v->booking_pending != !c->booking_pending ||
	    !v->can_book != !c->can_book || !v->booked != !c->booked || g_strcmp0(v->code, ui->bk_code) != 0 ||
	    g_strcmp0(v->booking_start, ui->bk_start) != 0 || g_strcmp0(v->booking_when, ui->bk_when) != 0 ||
	    g_strcmp0(v->booking_site, ui->bk_site) != 0 || g_strcmp0(v->booking_error, ui->bk_error) != 0 ||
	    g_strcmp0(v->booking_end, ui->bk_end) != 0 || g_strcmp0(v->booking_address, ui->bk_address) != 0 ||
	    g_strcmp0(v->booking_made, ui->bk_made) != 0 || g_strcmp0(v->booking_retry, ui->bk_retry) != 0)
		return FALSE;
	guint have = ui->bk_slots ? g_strv_length(ui->bk_slots) : 0;
	if ((guint)(v->slots ? n : 0) != have)
		return FALSE;
	for (guint i = 0; i < have; i++)
		if (g_strcmp0(v->slots[i], ui->bk_slots[i]) != 0)
			return FALSE;
	return TRUE;
}

static void booking_copy(BoothUi *ui, const BoothUiView *v)
{
	booking_clear(ui);
	if (v->slots && v->n_slots > 0) {
		ui->bk_slots = g_new0(char *, v->n_slots + 1);
		for (int i = 0; i < v->n_slots; i++)
			ui->bk_slots[i] = g_strdup(v->slots[i] ? v->slots[i] : "");
	}
	ui->bk_code = g_strdup(v->code);
	ui->bk_start = g_strdup(v->booking_start);
	ui->bk_when = g_strdup(v->booking_when);
	ui->bk_site = g_strdup(v->booking_site);
	ui->bk_end = g_strdup(v->booking_end);
	ui->bk_address = g_strdup(v->booking_address);
	ui->bk_made = g_strdup(v->booking_made);
	ui->bk_error = g_strdup(v->booking_error);
	ui->bk_retry = g_strdup(v->booking_retry);
	ui->view.slots = (const char *const *)ui->bk_slots;
	ui->view.n_slots = v->slots ? v->n_slots : MIN(v->n_slots, 0);
	ui->view.code = ui->bk_code;
	ui->view.booking_start = ui->bk_start;
	ui->view.booking_when = ui->bk_when;
	ui->view.booking_site = ui->bk_site;
	ui->view.booking_end = ui->bk_end;
	ui->view.booking_address = ui->bk_address;
	ui->view.booking_made = ui->bk_made;
	ui->view.booking_error = ui->bk_error;
	ui->view.booking_retry = ui->bk_retry;
}

static gboolean is_call_screen(RelaisJourneyState s)
{
	return s == RELAIS_JOURNEY_IN_CALL || s == RELAIS_JOURNEY_CONFIRM_END;
}

/* Screens after which nothing of the visitor may stay on the GPU. */
static gboolean forgets_visitor(RelaisJourneyState s)
{
	return s == RELAIS_JOURNEY_ATTRACT || s == RELAIS_JOURNEY_WIPED || s == RELAIS_JOURNEY_OUT_OF_ORDER;
}

/* TRUE if `v` would draw exactly what is drawn now: the owner may set the
 * view as often as it likes (e.g. the mic level ten times a second), only a
 * change costs a frame. */
static gboolean same_view(BoothUi *ui, const BoothUiView *v)
{
	const BoothUiView *c = &ui->view;
	const char *lang = v->language && g_hash_table_contains(ui->catalogs, v->language) ? v->language : ui->language;
	guint question = v->question < relais_questions_count(ui->questions) ? v->question : 0;
	if (v->state != c->state || g_strcmp0(lang, ui->language) != 0 || question != c->question ||
	    g_strcmp0(v->answer, ui->answer) != 0 || v->queue_position != c->queue_position ||
	    v->wait_minutes != c->wait_minutes || g_strcmp0(v->next_opening, ui->next_opening) != 0 ||
	    v->countdown_s != c->countdown_s || !v->muted != !c->muted || !v->camera_off != !c->camera_off ||
	    v->volume != c->volume || v->quality != c->quality || !v->reconnecting != !c->reconnecting ||
	    !v->camera_lost != !c->camera_lost || !v->mic_lost != !c->mic_lost || !v->call_lost != !c->call_lost ||
	    g_strcmp0(v->fault, ui->fault) != 0 || !v->sharing != !c->sharing || !booking_same(ui, v) ||
	    g_strcmp0(v->guest_name, ui->guest_name) != 0 || g_strcmp0(v->guest_role, ui->guest_role) != 0 ||
	    v->guest_seconds != c->guest_seconds || g_strcmp0(v->guest_notice, ui->notice) != 0 ||
	    g_strcmp0(v->guest_notice_name, ui->notice_name) != 0 ||
	    g_strcmp0(v->three_guest_name, ui->three_name) != 0 ||
	    g_strcmp0(v->three_guest_role, ui->three_role) != 0 || g_strcmp0(v->adviser_name, ui->adviser_name) != 0)
		return FALSE;
	/* the meter is only drawn on self_check */
	if (v->state == RELAIS_JOURNEY_SELF_CHECK && v->mic_level != c->mic_level)
		return FALSE;
	guint first = v->n_chat > UI_MAX_CHAT ? v->n_chat - UI_MAX_CHAT : 0;
	if (v->n_chat - first != ui->n_chat)
		return FALSE;
	for (guint i = first; i < v->n_chat; i++) {
		const BoothUiChatLine *l = &v->chat[i], *mine = &ui->chat[i - first];
		if (!l->from_adviser != !mine->from_adviser || g_strcmp0(l->text ? l->text : "", mine->text) != 0 ||
		    g_strcmp0(l->from, mine->from) != 0)
			return FALSE;
	}
	return TRUE;
}

void booth_ui_set_view(BoothUi *ui, const BoothUiView *view)
{
	if (same_view(ui, view))
		return;
	RelaisJourneyState before = ui->view.state;
	g_autofree char *language_before = g_strdup(ui->language);
	ui->view = *view;
	if (view->language && g_hash_table_contains(ui->catalogs, view->language))
		replace(&ui->language, view->language);
	replace(&ui->answer, view->answer);
	replace(&ui->next_opening, view->next_opening);
	replace(&ui->fault, view->fault);
	ui->view.language = ui->language;
	ui->view.answer = ui->answer;
	ui->view.next_opening = ui->next_opening;
	ui->view.fault = ui->fault;
	/* only over a call */
	gboolean asked = view->guest_name && view->guest_role &&
			 (view->state == RELAIS_JOURNEY_IN_CALL || view->state == RELAIS_JOURNEY_CONNECTING ||
			  view->state == RELAIS_JOURNEY_CONFIRM_END);
	wipe_replace(&ui->guest_name, asked ? view->guest_name : NULL);
	wipe_replace(&ui->guest_role, asked ? view->guest_role : NULL);
	ui->view.guest_name = ui->guest_name;
	ui->view.guest_role = ui->guest_role;
	gboolean notice = view->guest_notice && view->guest_notice_name &&
			  (view->state == RELAIS_JOURNEY_IN_CALL || view->state == RELAIS_JOURNEY_CONNECTING);
	wipe_replace(&ui->notice, notice ? view->guest_notice : NULL);
	wipe_replace(&ui->notice_name, notice ? view->guest_notice_name : NULL);
	ui->view.guest_notice = ui->notice;
	ui->view.guest_notice_name = ui->notice_name;
	gboolean three = view->three_guest_name && view->three_guest_role && is_call_screen(view->state);
	wipe_replace(&ui->three_name, three ? view->three_guest_name : NULL);
	wipe_replace(&ui->three_role, three ? view->three_guest_role : NULL);
	wipe_replace(&ui->adviser_name, is_call_screen(view->state) ? view->adviser_name : NULL);
	ui->view.three_guest_name = ui->three_name;
	ui->view.three_guest_role = ui->three_role;
	ui->view.adviser_name = ui->adviser_name;
	if (!three)
		booth_ui_clear_video(ui, BOOTH_UI_VIDEO_GUEST);
	booking_copy(ui, view);
	if (ui->view.question >= relais_questions_count(ui->questions))
		ui->view.question = 0;
	chat_clear(ui);
	guint first = view->n_chat > UI_MAX_CHAT ? view->n_chat - UI_MAX_CHAT : 0;
	for (guint i = first; i < view->n_chat; i++) {
		ui->chat[ui->n_chat].from_adviser = view->chat[i].from_adviser;
		ui->chat[ui->n_chat].text = g_strdup(view->chat[i].text ? view->chat[i].text : "");
		ui->chat[ui->n_chat].from = g_strdup(view->chat[i].from);
		ui->n_chat++;
	}
	ui->view.chat = ui->chat;
	ui->view.n_chat = ui->n_chat;
	ui->dirty = TRUE;
	/* the draft belongs to the call screen (and its "end?" dialog) */
	if (!is_call_screen(view->state))
		ui_kb_reset(ui);
	/* A new visitor starts from the site's defaults, not from the
	 * previous visitor's choices. */
	if (view->state == RELAIS_JOURNEY_ATTRACT && before != RELAIS_JOURNEY_ATTRACT)
		ui_set_toggles(ui, ui->default_contrast, ui->default_large);
	if (forgets_visitor(view->state)) {
		booth_ui_set_document(ui, 0, 0);
		booth_ui_clear_video(ui, BOOTH_UI_VIDEO_LOCAL);
		booth_ui_clear_video(ui, BOOTH_UI_VIDEO_REMOTE);
		booth_ui_clear_video(ui, BOOTH_UI_VIDEO_SCREEN);
		booth_ui_clear_video(ui, BOOTH_UI_VIDEO_GUEST);
		if (before != view->state)
			ui_text_cache_flush(ui); /* chat lines were rendered into textures */
	} else if (g_strcmp0(language_before, ui->language) != 0) {
		ui_text_cache_flush(ui);
	}
}

void ui_view_free(BoothUi *ui)
{
	chat_clear(ui);
	g_free(ui->language);
	g_free(ui->answer);
	g_free(ui->next_opening);
	g_free(ui->fault);
	wipe_replace(&ui->guest_name, NULL);
	wipe_replace(&ui->guest_role, NULL);
	wipe_replace(&ui->notice, NULL);
	wipe_replace(&ui->notice_name, NULL);
	wipe_replace(&ui->three_name, NULL);
	wipe_replace(&ui->three_role, NULL);
	wipe_replace(&ui->adviser_name, NULL);
	booking_clear(ui);
}
