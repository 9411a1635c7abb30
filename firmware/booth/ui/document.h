/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The document shown in a call, on the screen (not an API). */
#pragma once

#include "ui/widgets.h"

/* Draws the document (caption, page, buttons) into `area`. */
void ui_doc_draw(BoothUi *ui, SDL_Rect area);
/* Drops the page's texture. */
void ui_doc_clear(BoothUi *ui);
