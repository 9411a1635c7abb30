/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pictures (not an API): the streams' mailboxes and textures. */
#pragma once

#include "ui/text.h"

void ui_video_destroy(BoothUi *ui);
/* The source the mailboxes make ready when a frame is posted (NULL: none). */
void ui_video_set_wake(BoothUi *ui, GSource *wake);
void ui_video_poll_mailboxes(BoothUi *ui);
/* TRUE if a mailbox holds a frame not uploaded yet. */
gboolean ui_video_pending(BoothUi *ui);
guint ui_video_pending_mask(BoothUi *ui);
/* When the pending frames should be drawn (G_MAXINT64: none pending). */
gint64 ui_video_due_us(BoothUi *ui);
/* The stream's picture letterboxed in r, or `placeholder` (nullable) on
 * the video background while there is none. */
/* After each present: the draw-side latency sample, if any. */
void ui_video_presented(BoothUi *ui);
void ui_draw_video(BoothUi *ui, BoothUiVideo which, SDL_Rect r, const char *placeholder);
