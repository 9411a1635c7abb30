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
typedef enum {
	TARGET_JOURNEY,
	TARGET_LARGE_TEXT,
	TARGET_CONTRAST,
	TARGET_KEY,
	TARGET_DOC,
	TARGET_CODE_PAGE
} UiTargetKind;
typedef enum { FONT_SMALL, FONT_BODY, FONT_BUTTON, FONT_TITLE, FONT_HUGE, N_FONT_ROLES } UiFontRole;

typedef struct {
	SDL_Rect rect;
	UiTargetKind kind;
	RelaisJourneyEvent ev; /* TARGET_JOURNEY */
	gboolean focusable;
	BoothUiKey key;		     /* TARGET_KEY */
	const char *text;	     /* TARGET_KEY, BOOTH_UI_KEY_CHAR: static, lower case */
	BoothUiDocAction doc_action; /* TARGET_DOC */
} UiTarget;

#define UI_MAX_CHAT 64

typedef enum { KB_LETTERS, KB_ACCENTS, KB_SYMBOLS, KB_N_PAGES } UiKbPage;

typedef struct _UiTextEntry UiTextEntry;

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
	/* the booking part of the view, copied */
	GStrv bk_slots;
	char *bk_code, *bk_start, *bk_when, *bk_site, *bk_error, *bk_retry;
	int code_page; /* check_in on a small screen: the keypad's page shown */
	BoothUiChatLine chat[UI_MAX_CHAT];
	guint n_chat;

	/* on-screen keyboard (in_call): the draft is visitor data, kept
	 * only here, in one buffer of CONFIG_RELAIS_PROTO_MAX_TEXT + 1
	 * bytes (never reallocated, so no copy is left behind), erased with
	 * memset when sent, closed, or the call screen goes */
	gboolean kb_open, kb_shift;
	UiKbPage kb_page;
	char *draft;
	gsize draft_len;
	guint draft_gen; /* bumped on each edit: the field's cached texture goes */
	guint drawn_draft_gen;
	GArray *draft_lines; /* gsize: where each line of the field starts */
	guint lines_gen;
	int lines_w;
	TTF_Font *lines_font;

	/* rendered text, as textures: LRU, flushed with the visitor */
	GHashTable *text_cache; /* UiTextEntry -> itself */
	GQueue text_lru;	/* most recent first */
	gsize text_pixels;
	gboolean text_private; /* entries made now hold the draft */

	/* redraw on change */
	gboolean dirty;
	gint64 last_render_us;
	gint64 fixed_time_us; /* >= 0: the animation clock (samples), else live */
	BoothUiStats stats;

	/* last render */
	GArray *targets;	   /* UiTarget */
	int focus;		   /* index into targets, -1: none */
	int focus_want;		   /* a BoothUiKey to focus after the next render, -1: none */
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

	/* the document shown in the call (document.c) */
	guint doc_page, doc_pages; /* doc_pages 0: none */
	SDL_Texture *doc_tex;
	int doc_w, doc_h;
	BoothUiDocFunc doc_func;
	gpointer doc_func_data;
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
/* Returns: (transfer none) (nullable) the font of a role at the current text size. */
TTF_Font *ui_font(BoothUi *ui, UiFontRole role, gboolean bold);
const char *ui_tr(BoothUi *ui, const char *msgid);
const char *ui_tr_lang(BoothUi *ui, const char *language, const char *msgid);
/* Draws a button and registers its touch target. */
void ui_button(BoothUi *ui, SDL_Rect r, const char *label, UiButtonStyle style, gboolean selected, UiTargetKind kind,
	       RelaisJourneyEvent ev);
/* The face of a button whose target is already registered at `index`. */
void ui_button_face(BoothUi *ui, SDL_Rect r, const char *label, UiButtonStyle style, guint index);
/* A key of the on-screen keyboard (label in `font`), registered as a key
 * target. */
void ui_key(BoothUi *ui, SDL_Rect r, const char *label, UiFontRole font, UiButtonStyle style, gboolean selected,
	    BoothUiKey key, const char *text);
void ui_add_target(BoothUi *ui, SDL_Rect r, UiTargetKind kind, RelaisJourneyEvent ev, gboolean focusable);
/* A filled polygon drawn as a fan from its first point (convex, or any
 * shape whose every edge that point sees). */
void ui_polygon(BoothUi *ui, const SDL_FPoint *p, int n, SDL_Color c);
/* Something changed: the attached source draws at its next tick. */
void ui_mark_dirty(BoothUi *ui);
/* The animation clock in microseconds (frozen for screenshots). */
gint64 ui_now_us(BoothUi *ui);
/* Drops every cached text texture (erasing the strings). */
void ui_text_cache_flush(BoothUi *ui);
/* Drops the entries made with ui->text_private set (the draft). */
void ui_text_cache_drop_private(BoothUi *ui);
void ui_draw_video(BoothUi *ui, BoothUiVideo which, SDL_Rect r, const char *placeholder);

/* screens.c */
void ui_draw_screen(BoothUi *ui);

/* The call with something shown large (a document; a shared screen fits
 * the same layout): the content on the left, the adviser's face small at
 * the top right, the visitor's own picture smaller under it, the messages
 * under them, the call's controls along the bottom. */
typedef struct {
	int m; /* margin */
	SDL_Rect content, face, own, chat, bar;
} UiLargeContentLayout;
void ui_call_large_content_layout(BoothUi *ui, UiLargeContentLayout *l);

/* document.c */
/* Draws the document (caption, page, buttons) into `area`. */
void ui_doc_draw(BoothUi *ui, SDL_Rect area);
/* Drops the page's texture. */
void ui_doc_clear(BoothUi *ui);

/* video.c */
void ui_video_destroy(BoothUi *ui);
void ui_video_poll_mailboxes(BoothUi *ui);
/* TRUE if a mailbox holds a frame not uploaded yet. */
gboolean ui_video_pending(BoothUi *ui);

/* keyboard.c: the chat keyboard of the call screen */
/* Height of the key block (rows and gaps) laid out `width` pixels wide. */
int ui_kb_keys_height(BoothUi *ui, int width);
/* Height of the draft row (the field, Send and Close). */
int ui_kb_field_height(BoothUi *ui);
void ui_kb_draw_keys(BoothUi *ui, SDL_Rect area);
void ui_kb_draw_field(BoothUi *ui, SDL_Rect row);
/* A key target was activated (by touch, or by Enter when by_keys). */
void ui_kb_press(BoothUi *ui, const UiTarget *t, gboolean by_keys);
/* Typed on a physical keyboard: whole characters while they fit. */
void ui_kb_insert(BoothUi *ui, const char *utf8);
void ui_kb_backspace(BoothUi *ui);
void ui_kb_send(BoothUi *ui);
void ui_kb_open(BoothUi *ui);
/* Closes the keyboard and erases the draft. */
void ui_kb_reset(BoothUi *ui);
void ui_kb_set_page(BoothUi *ui, UiKbPage page);
