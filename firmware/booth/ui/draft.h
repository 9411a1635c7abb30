/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The chat draft and the keyboard's state (not an API): what its keys do. */
#pragma once

#include "ui/text.h"

/* A key target was activated (by touch, or by Enter when by_keys). */
void ui_kb_press(BoothUi *ui, const UiTarget *t, gboolean by_keys);
/* Typed on a physical keyboard: whole characters while they fit. */
void ui_kb_insert(BoothUi *ui, const char *utf8);
void ui_kb_backspace(BoothUi *ui);
/* Hands the draft to the event func (RELAIS_JOURNEY_EV_CHAT), then erases it. */
void ui_kb_send(BoothUi *ui);
void ui_kb_open(BoothUi *ui);
/* Closes the keyboard and erases the draft. */
void ui_kb_reset(BoothUi *ui);
void ui_kb_set_page(BoothUi *ui, UiKbPage page);
