/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pictures (not an API): the streams' mailboxes and textures. */
#pragma once

#include "ui/text.h"

void ui_video_destroy(BoothUi *ui);
void ui_video_poll_mailboxes(BoothUi *ui);
/* TRUE if a mailbox holds a frame not uploaded yet. */
gboolean ui_video_pending(BoothUi *ui);
/* The stream's picture letterboxed in r, or `placeholder` (nullable) on
 * the video background while there is none. */
/* After each present: the draw-side latency sample, if any. */
void ui_video_presented(BoothUi *ui);
void ui_draw_video(BoothUi *ui, BoothUiVideo which, SDL_Rect r, const char *placeholder);
