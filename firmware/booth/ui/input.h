/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Input (not an API): the touch targets of the last frame and the focus. */
#pragma once

#include "ui/draft.h"

/* Registers a touch target of the frame being drawn. */
void ui_add_target(BoothUi *ui, SDL_Rect r, UiTargetKind kind, RelaisJourneyEvent ev, gboolean focusable);
/* TRUE if the focus ring is on target `index`. */
gboolean ui_is_focused(BoothUi *ui, guint index);
/* After opening or closing the keyboard from a keyboard, the ring goes to
 * the key asked for (ui->focus_want); TRUE if it moved. */
gboolean ui_resolve_focus_want(BoothUi *ui);
