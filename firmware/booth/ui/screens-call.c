/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The call: connecting, in call (with the chat keyboard, a shared screen or
 * a document shown large) and the "end the call?" dialog. */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/screens.h"

/* Returns the width of the bars' backing. */
static int quality_bars(BoothUi *ui, int x, int y, int q)
{
	int bw = MAX(4, ui_px(ui, 8)), step = bw + MAX(2, ui_px(ui, 4)), hmax = ui_px(ui, 26);
	ui_round_rect(ui, (SDL_Rect){x - bw, y - bw, 3 * step + bw, hmax + 2 * bw}, bw, (SDL_Color){0, 0, 0, 0x80});
	for (int i = 0; i < 3; i++) {
		int h = hmax * (i + 1) / 3;
		SDL_Color c = i < q ? (SDL_Color){0xff, 0xff, 0xff, 0xff} : (SDL_Color){0xff, 0xff, 0xff, 0x50};
		ui_round_rect(ui, (SDL_Rect){x + i * step, y + hmax - h, bw, h}, 2, c);
	}
	return 3 * step + bw;
}

static int quality_bars_height(BoothUi *ui)
{
	return ui_px(ui, 26) + 2 * MAX(4, ui_px(ui, 8));
}

/* Camera badge, then the link quality, in the top-left corner of the
 * adviser's picture; the bars go to the bottom corner when the picture is
 * too narrow for both. */
static void call_status(BoothUi *ui, SDL_Rect remote, int m, gboolean connecting)
{
	int w = ui_camera_badge(ui, remote.x + m, remote.y + m);
	if (connecting)
		return;
	int bw = MAX(4, ui_px(ui, 8)), bars_w = 3 * (bw + MAX(2, ui_px(ui, 4))) + bw;
	int x = remote.x + m + w + m / 2 + bw;
	int y = remote.y + m + (ui_camera_badge_height(ui) - quality_bars_height(ui)) / 2 + bw;
	if (x + bars_w > remote.x + remote.w - m) {
		x = remote.x + m + bw;
		y = remote.y + remote.h - m - quality_bars_height(ui) + bw;
	}
	quality_bars(ui, x, y, ui->view.quality);
}

/* The messages, newest at the bottom; the adviser's on the left. */
static void chat_panel(BoothUi *ui, SDL_Rect panel, int m, gboolean solid)
{
	const UiTheme *t = ui_theme(ui);
	ui_round_rect(ui, panel, ui_px(ui, 14), solid ? t->surface : (SDL_Color){0xff, 0xff, 0xff, 0xe0});
	if (solid)
		ui_round_frame(ui, panel, ui_px(ui, 14), t->border_px, t->border);
	ui_clip(ui, &panel);
	int y = panel.y + panel.h - m;
	for (guint i = ui->n_chat; i-- > 0 && y > panel.y;) {
		int bw = panel.w - 3 * m;
		const char *from = ui->chat[i].from;
		/* a guest's line says whose it is */
		int fh = from ? ui_text_height(ui, FONT_SMALL, TRUE, from, bw - 2 * m) : 0;
		int h = fh + ui_text_height(ui, FONT_SMALL, FALSE, ui->chat[i].text, bw - 2 * m);
		if (y - h - m < panel.y && i + 1 < ui->n_chat)
			break; /* whole messages only, but always the newest */
		y -= h + m;
		SDL_Rect b = {ui->chat[i].from_adviser ? panel.x + m : panel.x + 2 * m, y, bw, h + m};
		ui_round_rect(ui, b, ui_px(ui, 10), ui->chat[i].from_adviser ? t->selected : t->bg);
		if (from)
			ui_text(ui, FONT_SMALL, TRUE, from, (SDL_Rect){b.x + m, b.y + m / 2, b.w - 2 * m, fh}, -1,
				FALSE, t->ink);
		ui_text(ui, FONT_SMALL, FALSE, ui->chat[i].text,
			(SDL_Rect){b.x + m, b.y + m / 2 + fh, b.w - 2 * m, h - fh}, -1, FALSE, t->ink);
		y -= m / 2;
	}
	ui_clip(ui, NULL);
}

static void own_picture(BoothUi *ui, SDL_Rect pip)
{
	ui_round_rect(ui, (SDL_Rect){pip.x - 3, pip.y - 3, pip.w + 6, pip.h + 6}, ui_px(ui, 16),
		      (SDL_Color){0xff, 0xff, 0xff, 0xff});
	ui_draw_video(ui, BOOTH_UI_VIDEO_LOCAL, pip, ui->view.camera_off ? ui_tr(ui, "ui.call.camera-off") : NULL);
	SDL_Rect tag = {pip.x, pip.y + pip.h - ui_px(ui, 34), pip.w, ui_px(ui, 34)};
	if (pip.h < 3 * tag.h)
		return; /* too small to label: the visitor knows their face */
	ui_round_rect(ui, tag, ui_px(ui, 8), (SDL_Color){0, 0, 0, 0x90});
	ui_text(ui, FONT_SMALL, TRUE, ui_tr(ui, "ui.call.you"), tag, 0, TRUE, (SDL_Color){0xff, 0xff, 0xff, 0xff});
}

static void reconnecting_band(BoothUi *ui, SDL_Rect remote, UiFontRole font)
{
	const UiTheme *t = ui_theme(ui);
	int h = MIN(remote.h, ui_px(ui, 100));
	SDL_Rect band = {remote.x, remote.y + remote.h / 2 - h / 2, remote.w, h};
	ui_round_rect(ui, band, 0, t->overlay);
	ui_text(ui, font, TRUE, ui_tr(ui, "ui.call.reconnecting"), band, 0, TRUE, (SDL_Color){0xff, 0xff, 0xff, 0xff});
}

/* A camera or microphone that stopped in the call (the call goes on with
 * the other): a band across the middle of the adviser's picture, as for
 * "reconnecting" (clear of the badges and the visitor's own picture), just
 * under that band when both show. */
static void device_band(BoothUi *ui, SDL_Rect remote, UiFontRole font)
{
	const char *msgid = ui->view.camera_lost && ui->view.mic_lost ? "ui.call.devices-lost"
			    : ui->view.camera_lost		      ? "ui.call.camera-lost"
			    : ui->view.mic_lost			      ? "ui.call.mic-lost"
								      : NULL;
	if (msgid == NULL)
		return;
	const UiTheme *t = ui_theme(ui);
	int h = MIN(remote.h / 3, ui_px(ui, 100));
	int y = remote.y + remote.h / 2 - h / 2;
	if (ui->view.reconnecting)
		y = MIN(y + MIN(remote.h, ui_px(ui, 100)), remote.y + remote.h - h);
	SDL_Rect band = {remote.x, y, remote.w, h};
	ui_round_rect(ui, band, 0, t->overlay);
	ui_text(ui, font, TRUE, ui_tr(ui, msgid), band, 0, TRUE, (SDL_Color){0xff, 0xff, 0xff, 0xff});
}

/* The guest let in came, or went: a few seconds at the picture's foot,
 * above the chat when the chat lies over the picture (`bottom`). */
static void guest_notice_band(BoothUi *ui, SDL_Rect remote, int m, int bottom)
{
	if (ui->notice == NULL || ui->notice_name == NULL)
		return;
	g_autofree char *id = g_strdup_printf("ui.guest.notice.%s", ui->notice);
	const char *pattern = ui_tr(ui, id);
	g_autofree char *text = strstr(pattern, "%s") ? g_strdup_printf(pattern, ui->notice_name) : g_strdup(pattern);
	int w = remote.w - 2 * m;
	int h = ui_text_height(ui, FONT_BODY, TRUE, text, w - 2 * m) + m;
	SDL_Rect band = {remote.x + m, bottom - m - h, w, h};
	ui_round_rect(ui, band, ui_px(ui, 12), (SDL_Color){0x10, 0x18, 0x1e, 0xe0});
	ui_text(ui, FONT_BODY, TRUE, text, (SDL_Rect){band.x + m, band.y, band.w - 2 * m, band.h}, 0, TRUE,
		(SDL_Color){0xff, 0xff, 0xff, 0xff});
}

/* The adviser shares their screen: shown only while they say so and a
 * frame of it is there. */
static gboolean showing_shared_screen(BoothUi *ui)
{
	return ui->view.sharing && ui->video[BOOTH_UI_VIDEO_SCREEN] != NULL;
}

/* The call while the visitor writes: the keys take the lower part, the
 * adviser (smaller) and the messages stay above, beside the draft. A shared
 * screen takes the adviser's place: it is what the visitor writes about. */
static void draw_call_typing(BoothUi *ui)
{
	int m = MAX(8, ui_px(ui, 16));
	int gap = MAX(4, ui_px(ui, 10));
	SDL_Rect keys = {m, 0, ui->w - 2 * m, ui_kb_keys_height(ui, ui->w - 2 * m)};
	keys.y = ui->h - m - keys.h;
	int top_h = keys.y - gap - m;
	SDL_Rect remote = {m, m, MIN(top_h * 4 / 3, (ui->w - 2 * m) * 2 / 5), top_h};
	ui_draw_video(ui, showing_shared_screen(ui) ? BOOTH_UI_VIDEO_SCREEN : BOOTH_UI_VIDEO_REMOTE, remote, NULL);
	int pw = remote.w / 3, ph = pw * 3 / 4, pm = MAX(4, m / 2);
	own_picture(ui, (SDL_Rect){remote.x + remote.w - pw - pm, remote.y + remote.h - ph - pm, pw, ph});
	call_status(ui, remote, pm, FALSE);
	if (ui->view.reconnecting)
		reconnecting_band(ui, remote, FONT_SMALL);
	device_band(ui, remote, FONT_SMALL);

	SDL_Rect col = {remote.x + remote.w + m, m, 0, top_h};
	col.w = ui->w - m - col.x;
	SDL_Rect row = {col.x, col.y + col.h - ui_kb_field_height(ui), col.w, ui_kb_field_height(ui)};
	SDL_Rect msgs = {col.x, col.y, col.w, row.y - gap - col.y};
	if (ui->n_chat && msgs.h > 0)
		chat_panel(ui, msgs, MAX(4, ui_px(ui, 10)), TRUE);
	ui_kb_draw_keys(ui, keys);
	ui_kb_draw_field(ui, row);
	/* Escape closes the keyboard (ui.c): no journey event */
}

/* The call's controls along `bar`: the words say the state ("Mic off"),
 * not the action; "Write" only once someone is there to read. */
static void call_controls(BoothUi *ui, SDL_Rect bar, gboolean connecting)
{
	UiFrame f = ui_frame(ui);
	int bar_h = bar.h;
	int gap = MAX(6, ui_px(ui, 14));
	int end_w = MAX(bar.w / 5, f.target);
	int vol_w = f.target;
	int n_wide = connecting ? 2 : 3;
	int toggle_w = (bar.w - end_w - 2 * vol_w - (n_wide + 2) * gap) / n_wide;
	int x = bar.x;
	ui_button(ui, (SDL_Rect){x, bar.y, toggle_w, bar_h},
		  ui_tr(ui, ui->view.muted ? "ui.call.mic-off" : "ui.call.mic-on"), BTN_SECONDARY, ui->view.muted,
		  TARGET_JOURNEY, EV(RELAIS_JOURNEY_EV_MUTE));
	x += toggle_w + gap;
	ui_button(ui, (SDL_Rect){x, bar.y, toggle_w, bar_h},
		  ui_tr(ui, ui->view.camera_off ? "ui.call.camera-off" : "ui.call.camera-on"), BTN_SECONDARY,
		  ui->view.camera_off, TARGET_JOURNEY, EV(RELAIS_JOURNEY_EV_CAMERA));
	x += toggle_w + gap;
	if (!connecting) {
		ui_key(ui, (SDL_Rect){x, bar.y, toggle_w, bar_h}, ui_tr(ui, "ui.chat.open"), FONT_BUTTON, BTN_SECONDARY,
		       FALSE, BOOTH_UI_KEY_OPEN, NULL);
		x += toggle_w + gap;
	}
	ui_button(ui, (SDL_Rect){x, bar.y, vol_w, bar_h}, "\u2212", BTN_SECONDARY, FALSE, TARGET_JOURNEY,
		  EV_NUM(RELAIS_JOURNEY_EV_VOLUME, MAX(0, ui->view.volume - 10)));
	x += vol_w + gap;
	ui_button(ui, (SDL_Rect){x, bar.y, vol_w, bar_h}, "+", BTN_SECONDARY, FALSE, TARGET_JOURNEY,
		  EV_NUM(RELAIS_JOURNEY_EV_VOLUME, MIN(100, ui->view.volume + 10)));
	x += vol_w + gap;
	ui_button(ui, (SDL_Rect){bar.x + bar.w - end_w, bar.y, end_w, bar_h}, ui_tr(ui, "ui.call.end"), BTN_DANGER,
		  FALSE, TARGET_JOURNEY, EV(RELAIS_JOURNEY_EV_END));
}

/* The call with something large to look at together (a document, the
 * adviser's shared screen): `draw_content` fills the left part; the
 * adviser's face and, smaller, the visitor's own picture (camera badge and
 * link quality on the face, as always) and the chat stand in a column on the
 * right, over nothing; the controls stay where they always are. */
static UiLargeContentLayout draw_call_large_content(BoothUi *ui, void (*draw_content)(BoothUi *ui, SDL_Rect area))
{
	UiLargeContentLayout l;
	ui_call_large_content_layout(ui, &l);
	draw_content(ui, l.content);
	ui_draw_video(ui, BOOTH_UI_VIDEO_REMOTE, l.face, NULL);
	/* the camera badge stays in sight while the visitor looks */
	call_status(ui, l.face, MAX(4, l.m / 2), FALSE);
	own_picture(ui, l.own);
	if (ui->n_chat && l.chat.h > 3 * l.m)
		chat_panel(ui, l.chat, MAX(4, l.m / 2), TRUE);
	call_controls(ui, l.bar, FALSE);
	ui->escape = EV(RELAIS_JOURNEY_EV_END);
	if (ui->view.reconnecting)
		reconnecting_band(ui, l.face, FONT_SMALL);
	device_band(ui, l.face, FONT_SMALL);
	return l;
}

/* The adviser's screen under a caption band that says what it is. */
static void draw_shared_screen(BoothUi *ui, SDL_Rect area)
{
	const char *caption = ui_tr(ui, "ui.call.sharing");
	int m = MAX(8, ui_px(ui, 16));
	int cap_h = MAX(ui_text_height(ui, FONT_BODY, TRUE, caption, area.w - 2 * m) + m, ui_px(ui, 52));
	SDL_Rect cap = {area.x, area.y, area.w, cap_h};
	ui_round_rect(ui, cap, ui_px(ui, 12), (SDL_Color){0x10, 0x18, 0x1e, 0xff});
	ui_text(ui, FONT_BODY, TRUE, caption, (SDL_Rect){cap.x + m, cap.y, cap.w - 2 * m, cap.h}, 0, TRUE,
		(SDL_Color){0xff, 0xff, 0xff, 0xff});
	SDL_Rect screen = {area.x, area.y + cap_h + MAX(4, m / 2), area.w, area.h - cap_h - MAX(4, m / 2)};
	ui_draw_video(ui, BOOTH_UI_VIDEO_SCREEN, screen, NULL);
	ui->stats.screen_rect = screen;
}

/* The call while the adviser shows their screen; the status tells tests
 * where things went. */
static void draw_call_shared_screen(BoothUi *ui)
{
	UiLargeContentLayout l = draw_call_large_content(ui, draw_shared_screen);
	ui->stats.screen_shown = TRUE;
	ui->stats.face_rect = l.face;
	ui->stats.own_rect = l.own;
}

/* A name under a picture, on a dark band as wide as the picture. */
static void name_band(BoothUi *ui, SDL_Rect pic, int h, const char *name)
{
	if (name == NULL || *name == '\0')
		return;
	SDL_Rect band = {pic.x, pic.y + pic.h, pic.w, h};
	ui_round_rect(ui, band, ui_px(ui, 8), (SDL_Color){0x10, 0x18, 0x1e, 0xff});
	ui_text(ui, FONT_BODY, TRUE, name, (SDL_Rect){band.x + h / 4, band.y, band.w - h / 2, band.h}, 0, TRUE,
		(SDL_Color){0xff, 0xff, 0xff, 0xff});
}

/* The largest 4:3 rectangle in w x h. */
static SDL_Rect fit_4_3(int x, int y, int w, int h)
{
	int pw = MIN(w, h * 4 / 3);
	return (SDL_Rect){x, y, pw, pw * 3 / 4};
}

/* Three in the call (THREEWAY.md "Booth layouts"): side by side, two
 * equal pictures, for a relative or a second adviser; an interpreter's
 * picture large (signs must be read: at least CIF, as large as the screen
 * allows) with the adviser's beside it. Names under the pictures, the
 * visitor's own picture small in the bottom right corner in both, clear of
 * the pictures and their names; the controls where they always are; the
 * chat in the room left free, or over the foot. */
static void draw_call_three(BoothUi *ui)
{
	UiFrame f = ui_frame(ui);
	int m = MAX(8, ui_px(ui, 16));
	int bar_h = f.target;
	int name_h = MAX(ui_px(ui, 34), ui_text_height(ui, FONT_BODY, TRUE, "Ag", ui->w) + ui_px(ui, 6));
	SDL_Rect area = {m, m, ui->w - 2 * m, ui->h - 3 * m - bar_h};
	gboolean interpreter = g_strcmp0(ui->view.three_guest_role, "interpreter") == 0;
	/* the visitor's own picture, in the corner */
	int pw = area.w / 6, ph = pw * 3 / 4;
	SDL_Rect own = {area.x + area.w - pw, area.y + area.h - ph, pw, ph};
	SDL_Rect guest, face;
	if (interpreter) {
		/* the interpreter takes two thirds of the width (or all the
		 * height), the adviser what is left beside it, above the
		 * visitor's own picture */
		guest = fit_4_3(area.x, area.y, MIN((area.w - m) * 2 / 3, own.x - m - area.x), area.h - name_h);
		int rest = area.x + area.w - (guest.x + guest.w + m);
		face = fit_4_3(guest.x + guest.w + m, area.y, rest,
			       MIN((area.h - name_h) / 2, own.y - m - name_h - area.y));
	} else {
		/* two equal pictures, as large as they can be with the own
		 * picture either in a column beside them or in a band under
		 * them, whichever leaves them larger; centred in what they
		 * take */
		SDL_Rect beside = fit_4_3(0, 0, (own.x - m - area.x - m) / 2, area.h - name_h);
		SDL_Rect above = fit_4_3(0, 0, (area.w - m) / 2, own.y - m - name_h - area.y);
		SDL_Rect pic = beside.w >= above.w ? beside : above;
		int span = beside.w >= above.w ? own.x - m - area.x : area.w;
		int x = area.x + (span - 2 * pic.w - m) / 2;
		face = (SDL_Rect){x, area.y, pic.w, pic.h};
		guest = (SDL_Rect){x + pic.w + m, area.y, pic.w, pic.h};
	}
	ui_draw_video(ui, BOOTH_UI_VIDEO_REMOTE, face, NULL);
	ui_draw_video(ui, BOOTH_UI_VIDEO_GUEST, guest, NULL);
	name_band(ui, face, name_h, ui->view.adviser_name);
	name_band(ui, guest, name_h, ui->view.three_guest_name);
	call_status(ui, face, MAX(4, m / 2), FALSE);

	own_picture(ui, own);

	/* the chat in the room the pictures leave when there is enough of
	 * it (under both side by side, under the adviser's beside an
	 * interpreter: the names stay readable), over the pictures' foot
	 * otherwise */
	int foot = MAX(face.y + face.h, guest.y + guest.h);
	SDL_Rect under = {area.x, foot + name_h + m, own.x - m - area.x, area.y + area.h - (foot + name_h + m)};
	SDL_Rect column = {face.x, face.y + face.h + name_h + m, area.x + area.w - face.x,
			   own.y - m - (face.y + face.h + name_h + m)};
	SDL_Rect room = under.w * under.h >= column.w * column.h ? under : column;
	gboolean chat_free = room.h >= ui_px(ui, 90) && room.w >= area.w / 4;
	if (ui->n_chat)
		chat_panel(ui,
			   chat_free ? room
				     : (SDL_Rect){area.x + m, area.y + area.h * 3 / 5, area.w - pw - 3 * m,
						  area.h * 2 / 5 - m},
			   m, chat_free);
	SDL_Rect bar = {m, ui->h - m - bar_h, ui->w - 2 * m, bar_h};
	call_controls(ui, bar, FALSE);
	ui->escape = EV(RELAIS_JOURNEY_EV_END);
	if (ui->view.reconnecting)
		reconnecting_band(ui, face, FONT_SMALL);
	device_band(ui, face, FONT_SMALL);
	/* the notice at the pictures' foot (the interpreter's), clear of the
	 * names */
	SDL_Rect pics = interpreter ? guest : (SDL_Rect){face.x, area.y, guest.x + guest.w - face.x, area.h};
	guest_notice_band(ui, pics, m, ui->n_chat && !chat_free ? MIN(foot, area.y + area.h * 3 / 5) : foot);
	ui->stats.three_layout = interpreter ? "interpreter" : "side";
	ui->stats.guest_rect = guest;
	ui->stats.face_rect = face;
	ui->stats.own_rect = own;
}

void ui_screen_call(BoothUi *ui, gboolean connecting)
{
	if (ui->kb_open && !connecting) {
		draw_call_typing(ui);
		return;
	}
	if (ui->doc_pages && !connecting) {
		draw_call_large_content(ui, ui_doc_draw);
		return;
	}
	if (!connecting && showing_shared_screen(ui)) {
		draw_call_shared_screen(ui);
		return;
	}
	/* a guest in the call, once its picture is there */
	if (!connecting && ui->view.three_guest_name && ui->video[BOOTH_UI_VIDEO_GUEST] != NULL) {
		draw_call_three(ui);
		return;
	}
	UiFrame f = ui_frame(ui);
	int m = MAX(8, ui_px(ui, 16));
	int bar_h = f.target;
	gboolean chat_side = ui->w >= 1100;
	int chat_w = chat_side ? ui->w * 27 / 100 : 0;
	SDL_Rect remote = {m, m, ui->w - 2 * m - (chat_w ? chat_w + m : 0), ui->h - 3 * m - bar_h};
	ui_draw_video(ui, BOOTH_UI_VIDEO_REMOTE, remote, connecting ? ui_tr(ui, "ui.connecting.title") : NULL);
	call_status(ui, remote, m, connecting);

	/* own picture, always visible: the visitor knows what is shown */
	int pw = remote.w / 4, ph = pw * 3 / 4;
	own_picture(ui, (SDL_Rect){remote.x + remote.w - pw - m, remote.y + m, pw, ph});

	/* chat: beside the video when there is room, over its foot otherwise */
	if (ui->n_chat)
		chat_panel(ui,
			   chat_side ? (SDL_Rect){ui->w - m - chat_w, m, chat_w, remote.h}
				     : (SDL_Rect){remote.x + m, remote.y + remote.h * 3 / 5, remote.w - 2 * m,
						  remote.h * 2 / 5 - m},
			   m, chat_side);

	SDL_Rect bar = {m, ui->h - m - bar_h, ui->w - 2 * m, bar_h};
	call_controls(ui, bar, connecting);
	ui->escape = EV(RELAIS_JOURNEY_EV_END);

	if (ui->view.reconnecting)
		reconnecting_band(ui, remote, FONT_TITLE);
	device_band(ui, remote, FONT_SMALL);
	guest_notice_band(ui, remote, m, ui->n_chat && !chat_side ? remote.y + remote.h * 3 / 5 : remote.y + remote.h);
}

/* A dialog over a dimmed screen; the screen under it takes no input. */
static SDL_Rect dialog(BoothUi *ui, const char *text, int *content_y)
{
	const UiTheme *t = ui_theme(ui);
	g_array_set_size(ui->targets, 0);
	SDL_SetRenderDrawBlendMode(ui->renderer, SDL_BLENDMODE_BLEND);
	SDL_SetRenderDrawColor(ui->renderer, t->overlay.r, t->overlay.g, t->overlay.b, t->overlay.a);
	SDL_RenderFillRect(ui->renderer, NULL);
	int w = MIN(ui->w - 2 * ui_margin(ui), ui_px(ui, 760));
	int h = MIN(ui->h - 2 * ui_margin(ui), ui_px(ui, 420));
	SDL_Rect d = {(ui->w - w) / 2, (ui->h - h) / 2, w, h};
	ui_round_rect(ui, d, ui_px(ui, 24), t->surface);
	ui_round_frame(ui, d, ui_px(ui, 24), t->border_px, t->border);
	SDL_Rect r = {d.x + ui_margin(ui), d.y + ui_margin(ui), d.w - 2 * ui_margin(ui), d.h};
	*content_y = r.y + ui_text(ui, FONT_TITLE, TRUE, text, r, 0, FALSE, t->ink);
	return d;
}

void ui_screen_confirm_end(BoothUi *ui)
{
	ui_screen_call(ui, FALSE);
	UiFrame f = ui_frame(ui);
	int y;
	SDL_Rect d = dialog(ui, ui_tr(ui, "ui.confirm.title"), &y);
	/* the camera still runs: its badge stays bright over the dimming */
	int m = MAX(8, ui_px(ui, 16));
	ui_camera_badge(ui, m + (ui->kb_open ? MAX(4, m / 2) : m), m + (ui->kb_open ? MAX(4, m / 2) : m));
	m = ui_margin(ui);
	int bh = f.target + ui_px(ui, 6);
	int bw = (d.w - 2 * m - f.gap) / 2;
	SDL_Rect no = {d.x + m, d.y + d.h - m - bh, bw, bh};
	SDL_Rect yes = {no.x + bw + f.gap, no.y, bw, bh};
	/* "keep talking" first: Enter on a fresh dialog must not hang up */
	ui_button(ui, no, ui_tr(ui, "ui.confirm.no"), BTN_PRIMARY, FALSE, TARGET_JOURNEY,
		  EV(RELAIS_JOURNEY_EV_KEEP_TALKING));
	ui_button(ui, yes, ui_tr(ui, "ui.confirm.yes"), BTN_DANGER, FALSE, TARGET_JOURNEY,
		  EV(RELAIS_JOURNEY_EV_CONFIRM_END));
	ui->escape = EV(RELAIS_JOURNEY_EV_KEEP_TALKING);
}

/* A guest asks to join: the visitor's yes or no, over the call (which goes
 * on behind it). "Not now" first: Enter or Escape on a fresh dialog lets
 * nobody in. */
void ui_screen_guest_ask(BoothUi *ui)
{
	if (ui->guest_name == NULL || ui->guest_role == NULL)
		return;
	UiFrame f = ui_frame(ui);
	g_autofree char *id = g_strdup_printf("ui.guest.ask.%s", ui->guest_role);
	const char *pattern = ui_tr(ui, id);
	/* msgfmt --check holds the catalogs to one %s (relais-booth.pot) */
	g_autofree char *title = strstr(pattern, "%s") ? g_strdup_printf(pattern, ui->guest_name) : g_strdup(pattern);
	int y;
	SDL_Rect d = dialog(ui, title, &y);
	/* the camera still runs: its badge stays bright over the dimming */
	int m = MAX(8, ui_px(ui, 16));
	ui_camera_badge(ui, m + (ui->kb_open ? MAX(4, m / 2) : m), m + (ui->kb_open ? MAX(4, m / 2) : m));
	m = ui_margin(ui);
	const UiTheme *t = ui_theme(ui);
	g_autofree char *left = g_strdup_printf(ui_tr(ui, "ui.guest.ask.hint"), ui->view.guest_seconds);
	ui_text(ui, FONT_BODY, FALSE, left, (SDL_Rect){d.x + m, y + m / 2, d.w - 2 * m, d.h}, 0, FALSE, t->ink);
	int bh = f.target + ui_px(ui, 6);
	int bw = (d.w - 2 * m - f.gap) / 2;
	SDL_Rect no = {d.x + m, d.y + d.h - m - bh, bw, bh};
	SDL_Rect yes = {no.x + bw + f.gap, no.y, bw, bh};
	ui_button(ui, no, ui_tr(ui, "ui.guest.ask.no"), BTN_SECONDARY, FALSE, TARGET_GUEST,
		  (RelaisJourneyEvent){.type = RELAIS_JOURNEY_N_EVENTS});
	g_array_index(ui->targets, UiTarget, ui->targets->len - 1).accept = FALSE;
	ui_button(ui, yes, ui_tr(ui, "ui.guest.ask.yes"), BTN_PRIMARY, FALSE, TARGET_GUEST,
		  (RelaisJourneyEvent){.type = RELAIS_JOURNEY_N_EVENTS});
	g_array_index(ui->targets, UiTarget, ui->targets->len - 1).accept = TRUE;
	ui->escape = (RelaisJourneyEvent){.type = RELAIS_JOURNEY_N_EVENTS};
}
