/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Text on the screen (not an API): fonts, rendered texts, translations. */
#pragma once

#include "ui/draw.h"

typedef enum { FONT_SMALL, FONT_BODY, FONT_BUTTON, FONT_TITLE, FONT_HUGE, N_FONT_ROLES } UiFontRole;

/* The cache and the fonts' table (booth_ui_new()), and their end: cached
 * texts erased, before the renderer goes. */
void ui_text_init(BoothUi *ui);
void ui_text_destroy(BoothUi *ui);
/* Returns: (transfer full) the path of the configured font, or of the
 * first installed candidate (bold 0 or 1); NULL with BOOTH_UI_ERROR_FONT. */
char *ui_find_font(const char *configured, int bold, GError **error);
/* Draws wrapped text in box r (align: -1 left, 0 centre, 1 right; vertically
 * centred when valign_centre). Returns the height drawn. */
int ui_text(BoothUi *ui, UiFontRole role, gboolean bold, const char *text, SDL_Rect r, int align,
	    gboolean valign_centre, SDL_Color c);
int ui_text_height(BoothUi *ui, UiFontRole role, gboolean bold, const char *text, int wrap_w);
int ui_text_width(BoothUi *ui, UiFontRole role, gboolean bold, const char *text);
/* Returns: (transfer none) (nullable) the font of a role at the current text size. */
TTF_Font *ui_font(BoothUi *ui, UiFontRole role, gboolean bold);
/* Drops every cached text texture (erasing the strings). */
void ui_text_cache_flush(BoothUi *ui);
/* Drops the entries made with ui->text_private set (the draft). */
void ui_text_cache_drop_private(BoothUi *ui);
/* Drops every text the current render did not ask for: a new screen keeps
 * the textures of its own texts only. */
void ui_text_cache_drop_unused(BoothUi *ui);
const char *ui_tr(BoothUi *ui, const char *msgid);
const char *ui_tr_lang(BoothUi *ui, const char *language, const char *msgid);
/* High contrast and larger text: every text changes colour or size, so the
 * cache is flushed on a change. */
void ui_set_toggles(BoothUi *ui, gboolean high_contrast, gboolean large_text);
