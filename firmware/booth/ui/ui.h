/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ui: the visitor's touch UI on SDL2. Design notes: firmware/booth/ui/README.md.
 *
 * The UI only draws a view model (BoothUiView: the journey state and what the
 * booth knows: queue position, wait, countdown, chat, mic level, ...) and
 * turns touches and keys into journey events handed to the owner's callback.
 * It never changes the journey itself: the owner feeds the event to
 * relais_journey_feed(), carries out the action, and sets the new view.
 *
 * Threading: every function here runs on the UI thread (the GLib main loop
 * of relais-booth), except booth_ui_mailbox_post(), which a GStreamer
 * streaming thread may call.
 */
#pragma once

#include <glib.h>
#include <SDL.h>
#include <SDL_ttf.h>
#include "catalog.h"
#include "docfile.h"
#include "journey.h"
#include "questions.h"
#include "stamp.h"

G_BEGIN_DECLS

struct _GstSample; /* gst/gst.h stays out of the UI API */

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SDL_Surface, SDL_FreeSurface)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SDL_Texture, SDL_DestroyTexture)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SDL_Renderer, SDL_DestroyRenderer)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SDL_Window, SDL_DestroyWindow)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TTF_Font, TTF_CloseFont)

#define BOOTH_UI_ERROR (booth_ui_error_quark())
GQuark booth_ui_error_quark(void);
typedef enum { BOOTH_UI_ERROR_SDL, BOOTH_UI_ERROR_FONT, BOOTH_UI_ERROR_CATALOG } BoothUiError;

typedef struct {
	int width, height;		    /* pixels; 0: Kconfig */
	int dpi;			    /* 0: Kconfig; turns millimetres into pixels */
	gboolean high_contrast, large_text; /* defaults, restored for each visitor */
	gboolean fullscreen;
	/* Software rendering: deterministic pixels (screenshots, golden tests)
	 * and no GPU needed; an accelerated renderer otherwise. Headless
	 * (SDL_VIDEODRIVER offscreen or dummy) is always software. */
	gboolean software;
	const char *font_regular, *font_bold; /* NULL: search the Debian font packages */
	const char *locale_dir;		      /* NULL: Kconfig */
	const char *const *languages;	      /* offered, first is default; NULL: Kconfig */
	const RelaisQuestions *questions;     /* required; must outlive the UI */
} BoothUiConfig;

typedef struct {
	gboolean from_adviser; /* from the other side: the adviser or a guest */
	const char *text;
	const char *from; /* a guest's line: its name, shown above it; NULL otherwise */
} BoothUiChatLine;

typedef struct {
	RelaisJourneyState state;
	const char *language;	  /* current catalog */
	guint question;		  /* index, in question */
	const char *answer;	  /* current answer of that question, highlighted; nullable */
	int queue_position;	  /* 0: not known yet */
	int wait_minutes;	  /* < 0: unknown */
	const char *next_opening; /* nullable, formatted for display (booth_ui_format_when) */
	int countdown_s;	  /* still_there */
	gboolean muted, camera_off;
	int volume;	       /* 0..100 */
	double mic_level;      /* 0..1, self-check and call */
	int quality;	       /* 0..3 bars, call */
	gboolean reconnecting; /* link lost during waiting or the call */
	/* the booth's camera / microphone stopped in the call (media-device.h):
	 * a band says so over the adviser's picture */
	gboolean camera_lost, mic_lost;
	gboolean call_lost;	     /* satisfaction: the call ended as the connection was lost */
	const BoothUiChatLine *chat; /* newest last */
	guint n_chat;
	const char *fault; /* out of order: a short code for the technician */
	/* the adviser shares their screen (call): the call screen shows it
	 * large once a BOOTH_UI_VIDEO_SCREEN frame is there, with a caption */
	gboolean sharing;
	/* bookings (book_slots, book_confirm, book_code, check_in) */
	const char *const *slots;  /* the offered slots in the visitor's words */
	int n_slots;		   /* < 0: still asking */
	int slot;		   /* book_confirm: the one chosen */
	const char *code;	   /* check_in: typed so far; book_code: the booking's */
	const char *booking_start; /* book_code: its ISO time (QR text) */
	const char *booking_when;  /* book_code: its time in words */
	const char *booking_end;   /* book_code: the slot's ISO end (calendar QR) */
	const char *booking_site;
	const char *booking_address; /* book_code: the site's address (nullable) */
	const char *booking_made;    /* book_code: when it was booked (ISO; NULL: now) */
	const char *booking_error;   /* a booking_error reason (PROTOCOL.md), or NULL */
	const char *booking_retry;   /* too_early: when, in words; wait: minutes */
	gboolean booking_pending;    /* an answer is awaited */
	gboolean can_book;	     /* no_adviser: "Book a time" */
	gboolean booked;	     /* consent: checked in, no way back */
	/* a guest asks to join the call (connecting, in_call): "<role> <name>
	 * wants to join" with "Let them in" / "Not now" over the call, which
	 * goes on behind it; NULL: nobody asks */
	const char *guest_name;
	const char *guest_role; /* interpreter, relative, adviser, colleague */
	int guest_seconds;	/* left to answer */
	/* a short notice over the call when the guest let in changes:
	 * joining, joined, left, removed (NULL: none); with its name */
	const char *guest_notice;
	const char *guest_notice_name;
	/* a guest in the call (joining, joined: in_call): once a
	 * BOOTH_UI_VIDEO_GUEST frame is there, the three-way layout, with the
	 * names under the pictures; an interpreter's picture large (NULL: two
	 * people, today's layout) */
	const char *three_guest_name;
	const char *three_guest_role;
	const char *adviser_name; /* under the adviser's picture (nullable) */
} BoothUiView;

/* Fills the journey-owned part of `view` (state, language, question, answer,
 * mute, camera, volume, reconnecting, next opening, fault); the rest stays.
 * next_opening is the switchboard's raw ISO 8601 text: the owner replaces it
 * with booth_ui_format_when()'s words before showing it. */
void booth_ui_view_from_journey(BoothUiView *view, const RelaisJourney *j);

typedef struct _BoothUi BoothUi;

/* Called for each journey event the visitor produces. */
typedef void (*BoothUiEventFunc)(const RelaisJourneyEvent *ev, gpointer user_data);

/* Opens the window (SDL_VIDEODRIVER=offscreen works headless), the fonts and
 * every language's catalog. Returns: (transfer full) or NULL with a clear
 * error (no display, font package missing, catalog missing or corrupt). */
BoothUi *booth_ui_new(const BoothUiConfig *config, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void booth_ui_free(BoothUi *ui);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BoothUi, booth_ui_free)

void booth_ui_set_event_func(BoothUi *ui, BoothUiEventFunc func, gpointer user_data);
/* Copies what it needs from view. */
void booth_ui_set_view(BoothUi *ui, const BoothUiView *view);
/* Draws the current view into the renderer and presents it. */
void booth_ui_render(BoothUi *ui);
/* Handles one SDL event (touch, mouse, key): may call the event func.
 * Returns TRUE if the event was used. */
gboolean booth_ui_handle_event(BoothUi *ui, const SDL_Event *event);
/* Drains SDL's event queue through booth_ui_handle_event(). */
void booth_ui_pump(BoothUi *ui);
/* Adds a GSource to `context` (NULL: default) that pumps events every 16 ms
 * (SDL2 exposes no pollable fd, so the UI polls, cheaply) and draws only
 * when something changed: a different view, input, a focus move, a new
 * video frame in a mailbox (at most CONFIG_RELAIS_UI_VIDEO_FPS), or the
 * waiting screen's animation (CONFIG_RELAIS_UI_ANIMATION_FPS). A static
 * screen costs no drawing at all. Returns the source id. */
guint booth_ui_attach(BoothUi *ui, GMainContext *context);

/* Accessibility toggles, per visitor (reset on the attract screen). */
void booth_ui_set_large_text(BoothUi *ui, gboolean on);
void booth_ui_set_high_contrast(BoothUi *ui, gboolean on);
gboolean booth_ui_get_large_text(BoothUi *ui);
gboolean booth_ui_get_high_contrast(BoothUi *ui);
/* Returns: (transfer none) the UI's window (its size turns a target's
 * rectangle into a touch position). */
SDL_Window *booth_ui_get_window(BoothUi *ui);
/* Monotonic time (us) of the last touch or key: the owner's inactivity timer. */
gint64 booth_ui_get_last_input_us(BoothUi *ui);

/* Touch targets of the last render, for tests and the switch-access layer:
 * the rectangle of the target that sends `type` (first match; for ANSWER,
 * LANGUAGE and SCORE also matching str / num), FALSE if none. */
gboolean booth_ui_find_target(BoothUi *ui, RelaisJourneyEventType type, const char *str, int num, SDL_Rect *rect);
/* Size in pixels of the smallest touch target of the last render. */
int booth_ui_min_target_px(BoothUi *ui);
/* CONFIG min target size in pixels at this UI's density. */
int booth_ui_mm_to_px(BoothUi *ui, double mm);

/* Video. Frames are I420 and go into SDL streaming textures (IYUV). */
typedef enum {
	BOOTH_UI_VIDEO_LOCAL,
	BOOTH_UI_VIDEO_REMOTE,
	BOOTH_UI_VIDEO_SCREEN, /* the adviser's shared screen */
	BOOTH_UI_VIDEO_GUEST,  /* a third party's camera (three-way call) */
	BOOTH_UI_N_VIDEO
} BoothUiVideo;
/* Uploads one I420 frame (UI thread). */
gboolean booth_ui_push_i420(BoothUi *ui, BoothUiVideo which, int width, int height, const guint8 *y, int y_stride,
			    const guint8 *u, int u_stride, const guint8 *v, int v_stride,
			    GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Uploads an I420 GstSample (UI thread), e.g. from
 * relais_media_pull_remote_video(). */
gboolean booth_ui_push_sample(BoothUi *ui, BoothUiVideo which, struct _GstSample *sample,
			      GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Forgets a stream's picture (end of call, camera off): nothing of a visitor
 * stays in a texture. */
void booth_ui_clear_video(BoothUi *ui, BoothUiVideo which);
/* Glass-to-glass latency where the screen shows the adviser's picture
 * (benchmarks only, stamp.h): the stamp of each BOOTH_UI_VIDEO_REMOTE frame
 * is read when the frame is uploaded, and now - stamp goes into stats once
 * a render that drew that picture has been presented (after
 * SDL_RenderPresent). A frame replaced before any render drew it gives no
 * sample; a drawn frame without a stamp counts as unreadable. NULL (the
 * default) turns it off: no frame is then read. The UI keeps a reference. */
void booth_ui_set_stamp_stats(BoothUi *ui, RelaisStampStats *stats);

/* Counters since booth_ui_new() (the benchmark's frame rate, tests), and
 * what is on screen now. */
typedef struct {
	guint64 frames_rendered;		 /* drawn and presented */
	guint64 frames_partial;			 /* of which only where a new video frame is */
	guint64 video_uploads[BOOTH_UI_N_VIDEO]; /* frames copied into each stream's texture */
	gboolean has_picture[BOOTH_UI_N_VIDEO];	 /* a stream's texture holds a frame now */
	guint64 text_hits, text_misses;		 /* the rendered-text cache */
	guint text_entries;			 /* textures in that cache now */
	gsize text_pixels;			 /* and their size */
	/* the last render drew the shared-screen layout, and where: the
	 * screen, the adviser's face, the visitor's own picture */
	gboolean screen_shown;
	SDL_Rect screen_rect, face_rect, own_rect;
	/* the last render drew a three-way layout ("side" or "interpreter",
	 * static; NULL: none), and where: the guest's picture (face_rect and
	 * own_rect as above) */
	const char *three_layout;
	SDL_Rect guest_rect;
	gboolean has_document; /* a document's page is drawn (its texture) */
} BoothUiStats;
void booth_ui_get_stats(BoothUi *ui, BoothUiStats *st);
/* The next render draws the whole screen (a render after only new video
 * frames redraws just where they are, with a software renderer). */
void booth_ui_invalidate(BoothUi *ui);

/* The chat keyboard of the call screen. "Write" opens it over the lower
 * part of the screen (the adviser stays visible above, with the messages);
 * Send hands the draft to the event func as RELAIS_JOURNEY_EV_CHAT (the
 * owner sends it and adds it to view.chat, from_adviser FALSE). The draft
 * lives only in the UI, capped at CONFIG_RELAIS_PROTO_MAX_TEXT bytes, and is
 * erased when sent, when the keyboard closes, and when the view leaves
 * in_call / confirm_end. Letters follow the view's language (AZERTY for fr,
 * QWERTY otherwise); accented letters and digits/punctuation are pages.
 * Typing on a physical keyboard (SDL text input) also fills the draft, and
 * Enter sends it when no key has the focus ring. */
typedef enum {
	BOOTH_UI_KEY_OPEN, /* "Write", in the call's controls */
	BOOTH_UI_KEY_CHAR, /* text: the character as on the lower-case page */
	BOOTH_UI_KEY_SPACE,
	BOOTH_UI_KEY_BACKSPACE,
	BOOTH_UI_KEY_SHIFT, /* next letter in capitals (on by itself at a sentence's start) */
	BOOTH_UI_KEY_LETTERS,
	BOOTH_UI_KEY_ACCENTS,
	BOOTH_UI_KEY_SYMBOLS, /* digits and punctuation */
	BOOTH_UI_KEY_SEND,
	BOOTH_UI_KEY_CLOSE,
} BoothUiKey;
/* The rectangle of a keyboard key in the last render (for CHAR, the key of
 * `text`), FALSE if not on screen. */
gboolean booth_ui_find_key(BoothUi *ui, BoothUiKey key, const char *text, SDL_Rect *rect);
/* Opens the keyboard with `draft` (nullable; cut to the cap on a character
 * boundary) in in_call, or closes it, erasing the draft. */
void booth_ui_set_keyboard(BoothUi *ui, gboolean open, const char *draft);
gboolean booth_ui_get_keyboard_open(BoothUi *ui);
/* Returns: (transfer none) (nullable) the draft, NULL when closed. */
const char *booth_ui_get_draft(BoothUi *ui);

/* Hand-over of frames from a streaming thread: the mailbox holds the latest
 * sample only (older ones are dropped, never queued), under a mutex held for
 * a pointer swap; the UI thread takes it when it draws. */
typedef struct _BoothUiMailbox BoothUiMailbox;
BoothUiMailbox *booth_ui_mailbox_new(void);
void booth_ui_mailbox_free(BoothUiMailbox *mb);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BoothUiMailbox, booth_ui_mailbox_free)
/* Any thread. Takes a reference. */
void booth_ui_mailbox_post(BoothUiMailbox *mb, struct _GstSample *sample);
/* Returns: (transfer full) (nullable) the latest sample, once. */
struct _GstSample *booth_ui_mailbox_take(BoothUiMailbox *mb);
/* The attached source uploads from it before each draw. */
void booth_ui_set_mailbox(BoothUi *ui, BoothUiVideo which, BoothUiMailbox *mb);

/* A document the adviser shows in the call (booth.h BoothDocument). While
 * one is set, the call screen shows it large (aspect kept) with the
 * adviser's face small in a corner, the visitor's own picture smaller
 * (camera badge kept), "previous page" / "next page" with "page k of n",
 * and "close". The visitor's buttons go to the document func; the owner
 * turns the page through the booth and sets it back here. */
typedef enum { BOOTH_UI_DOC_PREV, BOOTH_UI_DOC_NEXT, BOOTH_UI_DOC_CLOSE } BoothUiDocAction;
/* The visitor's answer to the guest asking (view.guest_name). */
typedef void (*BoothUiGuestFunc)(gboolean accept, gpointer user_data);
void booth_ui_set_guest_func(BoothUi *ui, BoothUiGuestFunc func, gpointer user_data);

typedef void (*BoothUiDocFunc)(BoothUiDocAction action, gpointer user_data);
void booth_ui_set_document_func(BoothUi *ui, BoothUiDocFunc func, gpointer user_data);
/* Page k (1..pages) of n; pages 0: no document (its picture is dropped). */
void booth_ui_set_document(BoothUi *ui, guint page, guint pages);
/* The picture of the page shown (copied into a texture; NULL: none yet,
 * "opening the document" is shown). */
gboolean booth_ui_set_document_picture(BoothUi *ui, SDL_Surface *picture, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The size in pixels a page's picture is drawn at on this screen. */
void booth_ui_document_size(BoothUi *ui, int *w, int *h);
/* The rectangle of a document button in the last render, FALSE if none. */
gboolean booth_ui_find_document_target(BoothUi *ui, BoothUiDocAction action, SDL_Rect *rect);
/* Draws page `page` (1-based) of a checked document (relais_doc_check) to
 * fit w x h, aspect kept: PDF pages with poppler and cairo on white,
 * images decoded with SDL2_image and scaled with cairo. Slow for big
 * files: any thread, not the UI's. Returns: (transfer full) an ARGB8888
 * surface, or NULL with an error. */
SDL_Surface *booth_ui_render_document(GBytes *bytes, RelaisDocKind kind, guint page, int w, int h,
				      GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* A deterministic page (title, lines of "text", a table) for samples. */
SDL_Surface *booth_ui_synthetic_page(int w, int h);

/* Returns: (transfer full) the last rendered frame as an RGB24 surface. */
SDL_Surface *booth_ui_snapshot(BoothUi *ui, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean booth_ui_save_png(BoothUi *ui, const char *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Translation in the view's language, for the owner (e.g. chat notices). */
const char *booth_ui_tr(BoothUi *ui, const char *msgid);

/* `iso` (ISO 8601 with its offset, availability.next_opening:
 * "2026-11-24T09:00:00+01:00") in plain words for a visitor speaking
 * `language`, relative to `now`, days counted in the offset of `iso` (the
 * site's zone): "demain à 9 h 00", "Tuesday at 1:30 pm" (catalog ids
 * ui.when.*, ui.weekday.1..7). Returns: (transfer full) or NULL when `iso` is
 * NULL, not ISO 8601 with an offset, or in the past. */
char *booth_ui_format_when(BoothUi *ui, const char *language, const char *iso, GDateTime *now);

/* For the control socket (tests, technicians), on the frame drawn now:
 * press the target that sends `type` (+ str, or num for scores and slots)
 * with a finger down and up at its centre; touch a key of the chat keyboard
 * ("open", "space", "backspace", "shift", "letters", "accents", "symbols",
 * "send", "close", or the character itself); touch a document button
 * ("prev", "next", "close"); press a key by its SDL name ("Tab",
 * "Return"...). Each goes through SDL's event queue and is handled at once;
 * FALSE with BOOTH_UI_ERROR_SDL when the screen has no such target. */
gboolean booth_ui_tap(BoothUi *ui, RelaisJourneyEventType type, const char *str, int num,
		      GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean booth_ui_tap_key(BoothUi *ui, const char *key, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean booth_ui_tap_document(BoothUi *ui, const char *button, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean booth_ui_press_key(BoothUi *ui, const char *key_name, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* "Let them in" ("yes") or "Not now" ("no") on the guest's ask. */
gboolean booth_ui_tap_guest(BoothUi *ui, const char *button, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* --- the technician screen (screens-technician.c) ----------------------
 * Not a visitor's screen: the owner (firmware/booth/technician.c) opens it
 * over whatever the journey shows after the technician's gesture, and it
 * hides the journey's targets while open. It shows only what the owner
 * gives: the PIN pad, "not set up", or the diagnostics report's items (no
 * visitor data is ever among them), the camera picture (the local stream's
 * mailbox) and the microphone level. */
typedef enum {
	BOOTH_UI_TECH_CLOSED,
	BOOTH_UI_TECH_NOT_SET_UP, /* no technician PIN in the settings */
	BOOTH_UI_TECH_PIN,	  /* the PIN pad (also while locked: locked_s > 0) */
	BOOTH_UI_TECH_REPORT,
} BoothUiTechMode;

typedef struct {
	const char *label; /* a catalog id: "ui.tech.board" */
	const char *value; /* shown as is */
	gboolean bad;	   /* drawn in the danger colour */
} BoothUiTechItem;

typedef struct {
	BoothUiTechMode mode;
	guint pin_len;	     /* digits typed, shown as dots */
	gboolean pin_wrong;  /* the last PIN was wrong */
	guint attempts_left; /* before the lock */
	guint locked_s;	     /* > 0: PINs refused for this long still */
	const BoothUiTechItem *items;
	guint n_items;
	double mic_level; /* 0..1 */
	gboolean camera;  /* the camera runs for the technician: its badge on the picture */
} BoothUiTechView;

/* Copies `view`; NULL or BOOTH_UI_TECH_CLOSED closes the screen (the
 * journey's screen is back; the local picture is the owner's to drop). */
void booth_ui_set_technician(BoothUi *ui, const BoothUiTechView *view);
BoothUiTechMode booth_ui_get_technician_mode(BoothUi *ui);

typedef enum {
	BOOTH_UI_TECH_DIGIT, /* .digit 0..9 */
	BOOTH_UI_TECH_BACKSPACE,
	BOOTH_UI_TECH_OK,
	BOOTH_UI_TECH_CLOSE,
	BOOTH_UI_TECH_SPEAKER,
	BOOTH_UI_TECH_TURN,
	/* any press on any screen, when it ends: .corner (-1 elsewhere, 0
	 * top-left, 1 top-right; techgate.h's RelaisTechCorner) and how
	 * long it was held. A press held a second or more in a corner is
	 * not a tap: it never reaches the journey. */
	BOOTH_UI_TECH_PRESS,
} BoothUiTechAction;

typedef struct {
	BoothUiTechAction action;
	int digit;
	int corner;
	guint held_ms;
} BoothUiTechInput;
typedef void (*BoothUiTechFunc)(const BoothUiTechInput *input, gpointer user_data);
void booth_ui_set_technician_func(BoothUi *ui, BoothUiTechFunc func, gpointer user_data);
/* The rectangle of a technician button ("0".."9", "back", "ok", "close",
 * "speaker", "turn") in the last render, FALSE if none. */
gboolean booth_ui_find_technician_target(BoothUi *ui, const char *button, SDL_Rect *rect);
/* For the control socket: touch that button (a finger down and up at its
 * centre, through SDL's event queue). */
gboolean booth_ui_tap_technician(BoothUi *ui, const char *button, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* For the control socket: a finger down (or up) at pixel x, y, handled at
 * once; a press is the time between the two, as for a real finger. */
gboolean booth_ui_touch(BoothUi *ui, gboolean down, int x, int y, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Returns: (transfer none) (nullable) the mailbox a stream's frames come
 * from (booth_ui_set_mailbox()). */
BoothUiMailbox *booth_ui_get_mailbox(BoothUi *ui, BoothUiVideo which);

G_END_DECLS
