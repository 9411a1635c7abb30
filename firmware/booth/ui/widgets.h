/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Widgets (not an API): buttons and keys, and what every screen is made of. */
#pragma once

#include "ui/input.h"
#include "ui/video.h"

#define EV(t)	     ((RelaisJourneyEvent){.type = (t)})
#define EV_STR(t, s) ((RelaisJourneyEvent){.type = (t), .str = (s)})
#define EV_NUM(t, n) ((RelaisJourneyEvent){.type = (t), .num = (n)})

typedef enum { BTN_PRIMARY, BTN_SECONDARY, BTN_CHOICE, BTN_DANGER, BTN_QUIET } UiButtonStyle;

/* Draws a button and registers its touch target. */
void ui_button(BoothUi *ui, SDL_Rect r, const char *label, UiButtonStyle style, gboolean selected, UiTargetKind kind,
	       RelaisJourneyEvent ev);
/* The face of a button whose target is already registered at `index`. */
void ui_button_face(BoothUi *ui, SDL_Rect r, const char *label, UiButtonStyle style, guint index);
/* A key of the on-screen keyboard (label in `font`), registered as a key
 * target. */
void ui_key(BoothUi *ui, SDL_Rect r, const char *label, UiFontRole font, UiButtonStyle style, gboolean selected,
	    BoothUiKey key, const char *text);

/* A screen's frame: margins, gaps, the footer row, and where the content
 * starts under the title. */
typedef struct {
	int m; /* outer margin */
	int gap;
	int target;	 /* smallest touch target */
	SDL_Rect footer; /* bottom row */
	int top;	 /* first free y under the title */
} UiFrame;

int ui_margin(BoothUi *ui);
UiFrame ui_frame(BoothUi *ui);
/* Step label (nullable) and title, left-aligned at the top. */
void ui_title(BoothUi *ui, UiFrame *f, const char *step, const char *text);
/* A button's width for `label`, within the target size and half the screen. */
int ui_button_w(BoothUi *ui, const UiFrame *f, const char *label);
/* Back (optional), the main action (nullable label) and the accessibility
 * toggles along the bottom. */
void ui_footer(BoothUi *ui, const UiFrame *f, gboolean back, const char *right_label, RelaisJourneyEvent right_ev,
	       UiButtonStyle right_style);
SDL_Color ui_rgb(guint32 hex);
void ui_icon_disc(BoothUi *ui, int cx, int cy, int radius, SDL_Color bg, const char *glyph, SDL_Color fg);
void ui_ring(BoothUi *ui, int cx, int cy, int r, SDL_Color c, SDL_Color inside);
/* The camera's state ("Camera on"/"Camera off") at x, y; returns its width. */
int ui_camera_badge(BoothUi *ui, int x, int y);
int ui_camera_badge_height(BoothUi *ui);

/* The call with something shown large (a document; a shared screen fits
 * the same layout): the content on the left, the adviser's face small at
 * the top right, the visitor's own picture smaller under it, the messages
 * under them, the call's controls along the bottom. */
typedef struct {
	int m; /* margin */
	SDL_Rect content, face, own, chat, bar;
} UiLargeContentLayout;
void ui_call_large_content_layout(BoothUi *ui, UiLargeContentLayout *l);
