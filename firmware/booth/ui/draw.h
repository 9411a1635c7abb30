/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bottom of the UI (not an API): colours, lengths and shapes. */
#pragma once

#include "ui/ui-state.h"

typedef struct {
	SDL_Color bg, surface, ink, muted_ink, primary, on_primary, border, danger, on_danger, focus, selected,
		video_bg, overlay;
	int border_px;
} UiTheme;

/* The calm theme, or black on white when high contrast is on. */
const UiTheme *ui_theme(BoothUi *ui);
int ui_px(BoothUi *ui, double base); /* scales a length designed for 1280x800 */
int ui_target_px(BoothUi *ui);	     /* the smallest touch target, in pixels */
void ui_fill(BoothUi *ui, SDL_Color c);
/* Clips what follows to r (NULL: nothing), and always to the part of the
 * screen being redrawn (ui->damage) when a render redraws only that. */
void ui_clip(BoothUi *ui, const SDL_Rect *r);
void ui_round_rect(BoothUi *ui, SDL_Rect r, int radius, SDL_Color c);
void ui_round_frame(BoothUi *ui, SDL_Rect r, int radius, int width, SDL_Color c);
void ui_circle(BoothUi *ui, float cx, float cy, float radius, SDL_Color c);
/* A filled polygon drawn as a fan from its first point (convex, or any
 * shape whose every edge that point sees). */
void ui_polygon(BoothUi *ui, const SDL_FPoint *p, int n, SDL_Color c);
/* Something changed: the attached source draws at its next tick. */
void ui_mark_dirty(BoothUi *ui);
/* The animation clock in microseconds (frozen for screenshots). */
gint64 ui_now_us(BoothUi *ui);
