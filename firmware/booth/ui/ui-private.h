/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared between the UI's files: not an API. */
#pragma once

#include "ui/ui.h"

typedef struct {
	SDL_Color bg, surface, ink, muted_ink, primary, on_primary, border, danger, on_danger, focus, selected,
		video_bg, overlay;
	int border_px;
} UiTheme;

typedef enum { BTN_PRIMARY, BTN_SECONDARY, BTN_CHOICE, BTN_DANGER, BTN_QUIET } UiButtonStyle;
typedef enum { TARGET_JOURNEY, TARGET_LARGE_TEXT, TARGET_CONTRAST } UiTargetKind;
typedef enum { FONT_SMALL, FONT_BODY, FONT_BUTTON, FONT_TITLE, FONT_HUGE, N_FONT_ROLES } UiFontRole;

typedef struct {
	SDL_Rect rect;
	UiTargetKind kind;
	RelaisJourneyEvent ev;
	gboolean focusable;
} UiTarget;

#define UI_MAX_CHAT 64

struct _BoothUi {
	SDL_Window *window;
	SDL_Renderer *renderer;
	int w, h, dpi;
	gboolean default_contrast, default_large;
	gboolean high_contrast, large_text;
	char *font_paths[2];  /* regular, bold */
	GHashTable *fonts;    /* (bold << 16 | px) -> TTF_Font* */
	GHashTable *catalogs; /* language -> RelaisCatalog* */
	GStrv languages;
	const RelaisQuestions *questions;

	/* the view, copied */
	BoothUiView view;
	char *language, *answer, *next_opening, *fault;
	BoothUiChatLine chat[UI_MAX_CHAT];
	guint n_chat;

	/* last render */
	GArray *targets;	   /* UiTarget */
	int focus;		   /* index into targets, -1: none */
	RelaisJourneyEvent escape; /* what Escape sends; type N_EVENTS: nothing */
	RelaisJourneyState drawn_state;
	guint drawn_question;

	BoothUiEventFunc func;
	gpointer func_data;
	gint64 last_input_us;
	guint source_id;
	GMainContext *context;

	SDL_Texture *video[BOOTH_UI_N_VIDEO];
	int video_w[BOOTH_UI_N_VIDEO], video_h[BOOTH_UI_N_VIDEO];
	BoothUiMailbox *mailbox[BOOTH_UI_N_VIDEO];
};

/* ui.c: drawing primitives */
const UiTheme *ui_theme(BoothUi *ui);
int ui_px(BoothUi *ui, double base); /* scales a length designed for 1280x800 */
int ui_target_px(BoothUi *ui);
void ui_fill(BoothUi *ui, SDL_Color c);
void ui_round_rect(BoothUi *ui, SDL_Rect r, int radius, SDL_Color c);
void ui_round_frame(BoothUi *ui, SDL_Rect r, int radius, int width, SDL_Color c);
void ui_circle(BoothUi *ui, float cx, float cy, float radius, SDL_Color c);
/* Draws wrapped text in box r (align: -1 left, 0 centre, 1 right; vertically
 * centred when valign_centre). Returns the height drawn. */
int ui_text(BoothUi *ui, UiFontRole role, gboolean bold, const char *text, SDL_Rect r, int align,
	    gboolean valign_centre, SDL_Color c);
int ui_text_height(BoothUi *ui, UiFontRole role, gboolean bold, const char *text, int wrap_w);
int ui_text_width(BoothUi *ui, UiFontRole role, gboolean bold, const char *text);
const char *ui_tr(BoothUi *ui, const char *msgid);
const char *ui_tr_lang(BoothUi *ui, const char *language, const char *msgid);
/* Draws a button and registers its touch target. */
void ui_button(BoothUi *ui, SDL_Rect r, const char *label, UiButtonStyle style, gboolean selected, UiTargetKind kind,
	       RelaisJourneyEvent ev);
void ui_add_target(BoothUi *ui, SDL_Rect r, UiTargetKind kind, RelaisJourneyEvent ev, gboolean focusable);
void ui_draw_video(BoothUi *ui, BoothUiVideo which, SDL_Rect r, const char *placeholder);

/* screens.c */
void ui_draw_screen(BoothUi *ui);

/* video.c */
void ui_video_destroy(BoothUi *ui);
void ui_video_poll_mailboxes(BoothUi *ui);
