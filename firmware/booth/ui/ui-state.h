/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The UI's state, shared by its layers; not an API, and no functions. The
 * layers, each a header that includes only those below it:
 *
 *   ui.c            life cycle, when to draw, the tick         (ui/ui.h)
 *   taps.c          synthetic touches for the control socket   (ui/ui.h)
 *   view.c          the view given: compared, copied, erased   view.h
 *   screens*.c      one function per screen, by phase          screens.h
 *   keyboard.c      the chat keyboard, drawn                   keyboard.h
 *   document.c      the document shown in a call               document.h
 *   widgets.c       buttons, keys, frame, footer, badges        widgets.h
 *   input.c         targets, focus, touches and keys           input.h
 *   draft.c         the chat draft and the keyboard's state    draft.h
 *   video.c         pictures: mailboxes and textures           video.h
 *   text.c          fonts, rendered texts, words, toggles      text.h
 *   draw.c          theme, lengths, shapes                     draw.h
 *   ui-state.h      this struct (and ui/ui.h's public types)
 */
#pragma once

#include "ui/ui.h"

typedef enum {
	TARGET_JOURNEY,
	TARGET_LARGE_TEXT,
	TARGET_CONTRAST,
	TARGET_KEY,
	TARGET_DOC,
	TARGET_CODE_PAGE,
	TARGET_TECH,
	TARGET_GUEST
} UiTargetKind;

typedef struct {
	SDL_Rect rect;
	UiTargetKind kind;
	RelaisJourneyEvent ev; /* TARGET_JOURNEY */
	gboolean focusable;
	BoothUiKey key;		     /* TARGET_KEY */
	const char *text;	     /* TARGET_KEY, BOOTH_UI_KEY_CHAR: static, lower case */
	BoothUiDocAction doc_action; /* TARGET_DOC */
	BoothUiTechInput tech;	     /* TARGET_TECH */
	gboolean accept;	     /* TARGET_GUEST */
} UiTarget;

typedef struct {
	char *label, *value;
	gboolean bad;
} UiTechItem;

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
	char *bk_code, *bk_start, *bk_end, *bk_when, *bk_site, *bk_address, *bk_made, *bk_error, *bk_retry;
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
	guint64 text_render;   /* the render asking: entries remember the last that drew them */

	/* redraw on change */
	gboolean dirty;
	gint64 last_render_us;
	gint64 last_remote_us; /* last upload of the adviser's picture or screen */
	gint64 fixed_time_us;  /* >= 0: the animation clock (samples), else live */
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
	GSource *wake; /* made ready by a posted frame (attached with the tick) */
	GMainContext *context;

	SDL_Texture *video[BOOTH_UI_N_VIDEO];
	int video_w[BOOTH_UI_N_VIDEO], video_h[BOOTH_UI_N_VIDEO];
	Uint32 video_format[BOOTH_UI_N_VIDEO]; /* the texture's: IYUV, or the window's (video.c) */
	int video_tex_w[BOOTH_UI_N_VIDEO], video_tex_h[BOOTH_UI_N_VIDEO]; /* the frame's size, or half of it */
	guint8 *video_half[BOOTH_UI_N_VIDEO]; /* the frame halved (I420), when drawn at half its size or less */
	BoothUiMailbox *mailbox[BOOTH_UI_N_VIDEO];
	gboolean video_drawn[BOOTH_UI_N_VIDEO]; /* by the render in progress (then the last) */
	SDL_Rect video_rect[BOOTH_UI_N_VIDEO];	/* where, when drawn */

	/* partial redraws: the streams with a new frame since the last render;
	 * when nothing else changed, a software renderer (whose pixels stay
	 * between presents) redraws only where those pictures are */
	guint video_fresh;	    /* bit per BoothUiVideo */
	gboolean software_renderer; /* pixels made by the CPU: scaling costs it */
	gboolean keeps_pixels;
	gboolean damage_on;
	SDL_Rect damage;
	SDL_Rect damage_hole; /* the largest picture of the last render: not cleared */

	/* glass-to-glass at the draw (booth_ui_set_stamp_stats; NULL: off):
	 * the stamp of the adviser's picture uploaded and not presented yet */
	RelaisStampStats *stamp_stats;
	enum { STAMP_NONE, STAMP_READ, STAMP_UNREADABLE } stamp_state;
	guint32 stamp;

	/* the document shown in the call (document.c) */
	guint doc_page, doc_pages; /* doc_pages 0: none */
	SDL_Texture *doc_tex;
	int doc_w, doc_h;
	/* the guest asking (view.guest_name, guest_role): session data,
	 * zeroed when it goes */
	char *guest_name, *guest_role;
	char *notice, *notice_name;		      /* view.guest_notice, guest_notice_name */
	char *three_name, *three_role, *adviser_name; /* view.three_guest_*, adviser_name */
	BoothUiGuestFunc guest_func;
	gpointer guest_func_data;
	BoothUiDocFunc doc_func;
	gpointer doc_func_data;

	/* the technician screen (screens-technician.c), over the journey's */
	BoothUiTechView tech; /* items: see tech_items */
	GArray *tech_items;   /* UiTechItem */
	BoothUiTechFunc tech_func;
	gpointer tech_func_data;
	/* the press in progress (a finger or the mouse), for the gesture */
	gboolean press_down;
	int press_x, press_y;
	gint64 press_us;
};
