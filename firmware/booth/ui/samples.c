/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/samples.h"
#include "ui/draft.h"

#include <string.h>

typedef struct {
	const char *name;
	RelaisJourneyState state;
	guint question;
	const char *answer;
	int queue_position, wait_minutes, countdown_s, quality;
	gboolean muted, camera_off, reconnecting, chat, next_opening, contrast, large;
	gboolean call_lost;		/* satisfaction: the connection ended the call */
	gboolean camera_lost, mic_lost; /* call: a device stopped (media-device.h) */
	double mic;
	const char *fault;
	int keyboard;		  /* 0: closed, else 1 + the page shown */
	gboolean sharing;	  /* the adviser shows their screen (a slide) */
	int doc_page, doc_pages;  /* a document shown in the call (0: none) */
	gboolean doc_loading;	  /* ... still being fetched */
	int booking;		  /* 0: none, else one of the BK_ variants below */
	int tech;		  /* 0: none, else one of the TECH_ variants below */
	const char *guest_role;	  /* a guest asks to join (NULL: none) */
	const char *guest_notice; /* the guest joined, left... (NULL: none) */
	const char *three_role;	  /* a guest in the call, its picture there (NULL: none) */
} Sample;

enum { TECH_PIN = 1, TECH_PIN_WRONG, TECH_LOCKED, TECH_NOT_SET_UP, TECH_REPORT };
enum { BK_SLOTS = 1, BK_SLOTS_TAKEN, BK_CONFIRM, BK_CODE, BK_CHECK_IN, BK_CHECK_IN_ERROR };

static const Sample samples[] = {
	{"attract", RELAIS_JOURNEY_ATTRACT},
	{"language", RELAIS_JOURNEY_LANGUAGE},
	{"question-topic", RELAIS_JOURNEY_QUESTION, 0},
	{"question-situation", RELAIS_JOURNEY_QUESTION, 1, "job-seeker"},
	{"consent", RELAIS_JOURNEY_CONSENT},
	{"self-check", RELAIS_JOURNEY_SELF_CHECK, .mic = 0.62},
	{"waiting", RELAIS_JOURNEY_WAITING, .queue_position = 2, .wait_minutes = 4},
	{"waiting-searching", RELAIS_JOURNEY_WAITING, .wait_minutes = -1},
	{"waiting-reconnecting", RELAIS_JOURNEY_WAITING, .queue_position = 1, .wait_minutes = 3, .reconnecting = TRUE},
	{"no-adviser", RELAIS_JOURNEY_NO_ADVISER, .next_opening = TRUE},
	{"connecting", RELAIS_JOURNEY_CONNECTING},
	{"in-call", RELAIS_JOURNEY_IN_CALL, .quality = 3, .chat = TRUE, .mic = 0.4},
	{"in-call-muted", RELAIS_JOURNEY_IN_CALL, .quality = 2, .muted = TRUE, .camera_off = TRUE},
	{"in-call-reconnecting", RELAIS_JOURNEY_IN_CALL, .quality = 0, .reconnecting = TRUE},
	{"in-call-camera-lost", RELAIS_JOURNEY_IN_CALL, .quality = 3, .chat = TRUE, .camera_lost = TRUE},
	{"in-call-devices-lost", RELAIS_JOURNEY_IN_CALL, .quality = 3, .camera_lost = TRUE, .mic_lost = TRUE},
	{"in-call-keyboard", RELAIS_JOURNEY_IN_CALL, .quality = 3, .chat = TRUE, .keyboard = 1 + KB_LETTERS},
	{"in-call-keyboard-accents", RELAIS_JOURNEY_IN_CALL, .quality = 3, .chat = TRUE, .keyboard = 1 + KB_ACCENTS},
	{"in-call-sharing", RELAIS_JOURNEY_IN_CALL, .quality = 3, .chat = TRUE, .sharing = TRUE},
	{"in-call-document", RELAIS_JOURNEY_IN_CALL, .quality = 3, .chat = TRUE, .doc_page = 2, .doc_pages = 5},
	{"in-call-document-image", RELAIS_JOURNEY_IN_CALL, .quality = 3, .doc_page = 1, .doc_pages = 1},
	{"in-call-document-loading", RELAIS_JOURNEY_IN_CALL, .quality = 3, .doc_page = 1, .doc_pages = 3,
	 .doc_loading = TRUE},
	{"confirm-end", RELAIS_JOURNEY_CONFIRM_END, .quality = 3},
	{"in-call-guest-ask", RELAIS_JOURNEY_IN_CALL, .quality = 3, .chat = TRUE, .guest_role = "interpreter"},
	{"in-call-guest-ask-relative", RELAIS_JOURNEY_IN_CALL, .quality = 3, .guest_role = "relative"},
	{"in-call-guest-joined", RELAIS_JOURNEY_IN_CALL, .quality = 3, .chat = TRUE, .guest_notice = "joined"},
	{"in-call-three-side", RELAIS_JOURNEY_IN_CALL, .quality = 3, .three_role = "relative"},
	{"in-call-three-interpreter", RELAIS_JOURNEY_IN_CALL, .quality = 3, .three_role = "interpreter"},
	{"satisfaction", RELAIS_JOURNEY_SATISFACTION},
	{"satisfaction-call-lost", RELAIS_JOURNEY_SATISFACTION, .call_lost = TRUE},
	{"thanks", RELAIS_JOURNEY_THANKS},
	{"wiped", RELAIS_JOURNEY_WIPED},
	{"still-there", RELAIS_JOURNEY_STILL_THERE, .countdown_s = 17},
	{"out-of-order", RELAIS_JOURNEY_OUT_OF_ORDER, .fault = "E-CAMERA: /dev/video0"},
	{"question-high-contrast", RELAIS_JOURNEY_QUESTION, 0, "training", .contrast = TRUE},
	{"consent-large-text", RELAIS_JOURNEY_CONSENT, .large = TRUE},
	{"book-slots", RELAIS_JOURNEY_BOOK_SLOTS, .booking = BK_SLOTS},
	{"book-slots-taken", RELAIS_JOURNEY_BOOK_SLOTS, .booking = BK_SLOTS_TAKEN},
	{"book-confirm", RELAIS_JOURNEY_BOOK_CONFIRM, .booking = BK_CONFIRM},
	{"book-code", RELAIS_JOURNEY_BOOK_CODE, .booking = BK_CODE},
	{"check-in", RELAIS_JOURNEY_CHECK_IN, .booking = BK_CHECK_IN},
	{"check-in-error", RELAIS_JOURNEY_CHECK_IN, .booking = BK_CHECK_IN_ERROR},
	{"technician-pin", RELAIS_JOURNEY_ATTRACT, .tech = TECH_PIN},
	{"technician-pin-wrong", RELAIS_JOURNEY_ATTRACT, .tech = TECH_PIN_WRONG},
	{"technician-locked", RELAIS_JOURNEY_ATTRACT, .tech = TECH_LOCKED},
	{"technician-not-set-up", RELAIS_JOURNEY_OUT_OF_ORDER, .fault = "E-SETUP", .tech = TECH_NOT_SET_UP},
	{"technician-report", RELAIS_JOURNEY_ATTRACT, .tech = TECH_REPORT},
};

static gboolean push_synthetic(BoothUi *ui, BoothUiVideo which, int hue, GError **error);

/* The technician screen with fixed figures (times, addresses, uptime), so
 * that its golden image never moves. */
static gboolean sample_technician(BoothUi *ui, int variant, GError **error)
{
	static const BoothUiTechItem items[] = {
		{"ui.tech.item.software", "0.10 (1a2b3c4)"},
		{"ui.tech.item.board", "rpi5"},
		{"ui.tech.item.booth", "mediatheque-1"},
		{"ui.tech.item.site", "Médiathèque Jean-Macé"},
		{"ui.tech.item.uptime", "3 d 04:12:09"},
		{"ui.tech.item.addresses", "eth0 192.0.2.7/24, wlan0 198.51.100.20/24"},
		{"ui.tech.item.switchboard", "wss://relais.example.org:8443/ws/booth"},
		{"ui.tech.item.link", "connected"},
		{"ui.tech.item.certificate", "valid, 2027-01-05T10:00:00Z"},
		{"ui.tech.item.camera", "ok: /dev/video0"},
		{"ui.tech.item.microphone", "ok, -23 dB"},
		{"ui.tech.item.speaker", "ok: 1 s tone played"},
		{"ui.tech.item.turn", "unreachable: no relayed candidate within 5 s", TRUE},
		{"ui.tech.item.errors", "2026-12-06T19:02:11Z link: connection refused (2)", TRUE},
	};
	BoothUiTechView v = {.attempts_left = 3};
	switch (variant) {
	case TECH_PIN:
		v.mode = BOOTH_UI_TECH_PIN;
		v.pin_len = 3;
		break;
	case TECH_PIN_WRONG:
		v.mode = BOOTH_UI_TECH_PIN;
		v.pin_wrong = TRUE;
		v.attempts_left = 2;
		break;
	case TECH_LOCKED:
		v.mode = BOOTH_UI_TECH_PIN;
		v.attempts_left = 0;
		v.locked_s = 272;
		break;
	case TECH_NOT_SET_UP:
		v.mode = BOOTH_UI_TECH_NOT_SET_UP;
		break;
	default:
		v.mode = BOOTH_UI_TECH_REPORT;
		v.items = items;
		v.n_items = G_N_ELEMENTS(items);
		v.mic_level = 0.45;
		v.camera = TRUE;
		if (!push_synthetic(ui, BOOTH_UI_VIDEO_LOCAL, 1, error))
			return FALSE;
		break;
	}
	booth_ui_set_technician(ui, &v);
	return TRUE;
}

guint booth_ui_samples_count(void)
{
	return G_N_ELEMENTS(samples);
}

const char *booth_ui_sample_name(guint i)
{
	g_return_val_if_fail(i < G_N_ELEMENTS(samples), NULL);
	return samples[i].name;
}

/* Soft background, a head and shoulders: enough to judge framing and
 * colour without a camera. */
void booth_ui_synthetic_i420(guint8 *buf, int w, int h, int hue)
{
	guint8 *y = buf, *u = buf + w * h, *v = u + (w / 2) * (h / 2);
	for (int j = 0; j < h; j++)
		for (int i = 0; i < w; i++) {
			double dx = (i - w * 0.5) / (w * 0.13), dy = (j - h * 0.42) / (h * 0.2);
			double bx = (i - w * 0.5) / (w * 0.3), by = (j - h * 1.05) / (h * 0.45);
			gboolean body = dx * dx + dy * dy < 1.0 || bx * bx + by * by < 1.0;
			y[j * w + i] = body ? 70 : (guint8)(150 + 60 * j / h);
		}
	for (int j = 0; j < h / 2; j++)
		for (int i = 0; i < w / 2; i++) {
			gboolean body = y[(2 * j) * w + 2 * i] == 70;
			/* hue 2: a third person (the guest in a three-way call) */
			u[j * (w / 2) + i] = hue == 2 ? (body ? 150 : 112)
					     : body   ? (hue ? 110 : 140)
						      : (hue ? 120 : 138);
			v[j * (w / 2) + i] = hue == 2 ? (body ? 140 : 132)
					     : body   ? (hue ? 160 : 110)
						      : (hue ? 140 : 120);
		}
}

static gboolean push_synthetic(BoothUi *ui, BoothUiVideo which, int hue, GError **error)
{
	const int w = 640, h = 480;
	g_autofree guint8 *buf = g_malloc(w * h * 3 / 2);
	booth_ui_synthetic_i420(buf, w, h, hue);
	return booth_ui_push_i420(ui, which, w, h, buf, w, buf + w * h, w / 2, buf + w * h + w * h / 4, w / 2, error);
}

/* A 16:9 slide, as an adviser would share: white page, a blue title band,
 * grey lines of text and a bar chart. */
static gboolean push_synthetic_screen(BoothUi *ui, GError **error)
{
	const int w = 1280, h = 720;
	g_autofree guint8 *buf = g_malloc(w * h * 3 / 2);
	guint8 *y = buf, *u = buf + w * h, *v = u + (w / 2) * (h / 2);
	static const int bars[] = {260, 380, 300, 450};
	for (int j = 0; j < h; j++)
		for (int i = 0; i < w; i++) {
			guint8 luma = 235; /* page */
			if (j < 110)
				luma = 60; /* title band */
			else if (i > 80 && i < 620 && j > 180 && j < 560 && (j - 180) % 60 < 22 &&
				 i < 620 - ((j - 180) / 60 % 3) * 90)
				luma = 120; /* lines of text */
			else
				for (guint b = 0; b < G_N_ELEMENTS(bars); b++)
					if (i > 720 + (int)b * 120 && i < 800 + (int)b * 120 && j > 620 - bars[b] &&
					    j < 620)
						luma = 110; /* chart */
			y[j * w + i] = luma;
		}
	for (int j = 0; j < h / 2; j++)
		for (int i = 0; i < w / 2; i++) {
			gboolean band = 2 * j<110, chart = i * 2> 720 && y[(2 * j) * w + 2 * i] == 110;
			u[j * (w / 2) + i] = band ? 170 : chart ? 90 : 128;
			v[j * (w / 2) + i] = band ? 110 : chart ? 180 : 128;
		}
	return booth_ui_push_i420(ui, BOOTH_UI_VIDEO_SCREEN, w, h, buf, w, u, w / 2, v, w / 2, error);
}

gboolean booth_ui_render_sample(BoothUi *ui, guint i, const char *language, GError **error)
{
	g_return_val_if_fail(i < G_N_ELEMENTS(samples), FALSE);
	const Sample *s = &samples[i];
	gboolean fr = g_strcmp0(language, "fr") == 0;
	const BoothUiChatLine chat[] = {
		{TRUE, fr ? "Bonjour ! Je m'appelle Claire. Je vous entends bien ?"
			  : "Hello! I'm Claire. Can you hear me well?"},
		{FALSE, fr ? "Oui, très bien, merci." : "Yes, very well, thank you."},
		{TRUE, fr ? "Parfait. Parlons de votre projet de formation."
			  : "Great. Let's talk about your training plans."},
	};
	const BoothUiChatLine guest_chat[] = {
		chat[0],
		chat[1],
		{TRUE, fr ? "Bonjour, je traduis pour vous." : "Hello, I will interpret for you.", "Inès"},
	};
	BoothUiView view = {
		.state = s->state,
		.language = language,
		.question = s->question,
		.answer = s->answer,
		.queue_position = s->queue_position,
		.wait_minutes = s->wait_minutes,
		.next_opening = s->next_opening ? (fr ? "mardi à 9 h 30" : "Tuesday at 9:30 am") : NULL,
		.countdown_s = s->countdown_s,
		.muted = s->muted,
		.camera_off = s->camera_off,
		.volume = 80,
		.mic_level = s->mic,
		.quality = s->quality,
		.reconnecting = s->reconnecting,
		.camera_lost = s->camera_lost,
		.mic_lost = s->mic_lost,
		.call_lost = s->call_lost,
		.chat = s->guest_notice ? guest_chat
			: s->chat	? chat
					: NULL,
		.n_chat = s->guest_notice ? G_N_ELEMENTS(guest_chat)
			  : s->chat	  ? G_N_ELEMENTS(chat)
					  : 0,
		.fault = s->fault,
		.sharing = s->sharing,
		.guest_name = s->guest_role ? "Inès" : NULL,
		.guest_role = s->guest_role,
		.guest_seconds = 42,
		.guest_notice = s->guest_notice,
		.guest_notice_name = s->guest_notice ? "Inès" : NULL,
		.three_guest_name = s->three_role ? "Inès" : NULL,
		.three_guest_role = s->three_role,
		.adviser_name = s->three_role ? "Claire" : NULL,
		.can_book = s->next_opening,
		.n_slots = -1,
		.slot = -1,
	};
	/* bookings: the times in the visitor's words, as visitor.c gives them */
	const char *const slots_fr[] = {"aujourd'hui à 16 h 30",
					"aujourd'hui à 17 h 00",
					"demain à 9 h 00",
					"demain à 9 h 30",
					"demain à 10 h 00",
					"mardi à 14 h 00",
					NULL};
	const char *const slots_en[] = {"today at 4:30 pm",
					"today at 5:00 pm",
					"tomorrow at 9:00 am",
					"tomorrow at 9:30 am",
					"tomorrow at 10:00 am",
					"Tuesday at 2:00 pm",
					NULL};
	if (s->booking) {
		view.slots = fr ? slots_fr : slots_en;
		view.n_slots = 6;
	}
	switch (s->booking) {
	case BK_SLOTS_TAKEN:
		view.booking_error = "taken";
		break;
	case BK_CONFIRM:
		view.slot = 2;
		break;
	case BK_CODE:
		view.code = "7KQ2MZ";
		view.booking_start = "2026-11-24T09:00:00+01:00";
		view.booking_when = view.slots[2];
		view.booking_end = "2026-11-24T09:30:00+01:00";
		view.booking_site = "Médiathèque Jean-Macé";
		view.booking_address = "4 rue Jean-Macé, 69007 Lyon";
		view.booking_made = "2026-11-23T14:05:09Z";
		break;
	case BK_CHECK_IN:
		view.code = "7KQ2";
		break;
	case BK_CHECK_IN_ERROR:
		view.code = "7KQ2MZ";
		view.booking_error = "too_early";
		view.booking_retry = fr ? "aujourd'hui à 16 h 00" : "today at 4:00 pm";
		break;
	default:
		break;
	}
	/* through attract first, as a real visitor would arrive: resets the
	 * toggles and forgets the previous sample's pictures */
	BoothUiView attract = {.state = RELAIS_JOURNEY_ATTRACT, .language = language};
	booth_ui_set_technician(ui, NULL);
	booth_ui_set_view(ui, &attract);
	booth_ui_set_view(ui, &view);
	booth_ui_set_high_contrast(ui, s->contrast);
	booth_ui_set_large_text(ui, s->large);
	gboolean local = s->state == RELAIS_JOURNEY_SELF_CHECK ||
			 ((s->state == RELAIS_JOURNEY_IN_CALL || s->state == RELAIS_JOURNEY_CONNECTING ||
			   s->state == RELAIS_JOURNEY_CONFIRM_END) &&
			  !s->camera_off);
	gboolean remote = s->state == RELAIS_JOURNEY_IN_CALL || s->state == RELAIS_JOURNEY_CONFIRM_END;
	if ((local && !push_synthetic(ui, BOOTH_UI_VIDEO_LOCAL, 1, error)) ||
	    (remote && !push_synthetic(ui, BOOTH_UI_VIDEO_REMOTE, 0, error)) ||
	    (s->sharing && !push_synthetic_screen(ui, error)) ||
	    (s->three_role && !push_synthetic(ui, BOOTH_UI_VIDEO_GUEST, 2, error)))
		return FALSE;
	booth_ui_set_document(ui, s->doc_page, s->doc_pages);
	if (s->doc_pages && !s->doc_loading) {
		int w, h;
		booth_ui_document_size(ui, &w, &h);
		g_autoptr(SDL_Surface) page = booth_ui_synthetic_page(w, h);
		if (!booth_ui_set_document_picture(ui, page, error))
			return FALSE;
	}
	if (s->tech && !sample_technician(ui, s->tech, error))
		return FALSE;
	if (s->keyboard) {
		booth_ui_set_keyboard(ui, TRUE, fr ? "Bonjour, j'ai une question" : "Hello, I have a question");
		ui_kb_set_page(ui, s->keyboard - 1);
	}
	/* the waiting screen's motion, stopped at its start */
	ui->fixed_time_us = 0;
	booth_ui_render(ui);
	ui->fixed_time_us = -1;
	return TRUE;
}
