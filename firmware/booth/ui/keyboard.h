/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The chat keyboard of the call screen, drawn (not an API). */
#pragma once

#include "ui/widgets.h"

/* Height of the key block (rows and gaps) laid out `width` pixels wide. */
int ui_kb_keys_height(BoothUi *ui, int width);
/* Height of the draft row (the field, Send and Close). */
int ui_kb_field_height(BoothUi *ui);
void ui_kb_draw_keys(BoothUi *ui, SDL_Rect area);
void ui_kb_draw_field(BoothUi *ui, SDL_Rect row);
