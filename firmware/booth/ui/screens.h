/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The screens (not an API): one function per journey state, by phase. */
#pragma once

#include "ui/document.h"
#include "ui/keyboard.h"

/* The view's screen, from the background up (screens.c). */
void ui_draw_screen(BoothUi *ui);

/* screens-intake.c */
void ui_screen_attract(BoothUi *ui);
void ui_screen_language(BoothUi *ui);
void ui_screen_question(BoothUi *ui);
void ui_screen_consent(BoothUi *ui);
void ui_screen_self_check(BoothUi *ui);
void ui_screen_waiting(BoothUi *ui);
void ui_screen_no_adviser(BoothUi *ui);
/* screens-call.c */
void ui_screen_call(BoothUi *ui, gboolean connecting);
void ui_screen_confirm_end(BoothUi *ui);
/* Over a call screen: the guest asking to join, if one does. */
void ui_screen_guest_ask(BoothUi *ui);
/* screens-end.c */
void ui_screen_satisfaction(BoothUi *ui);
void ui_screen_thanks(BoothUi *ui);
void ui_screen_wiped(BoothUi *ui);
void ui_screen_still_there(BoothUi *ui);
void ui_screen_out_of_order(BoothUi *ui);
/* screens-technician.c: over the journey's screen while open */
void ui_screen_technician(BoothUi *ui);
void ui_tech_clear(BoothUi *ui); /* booth_ui_free() */
/* screens-booking.c */
void ui_screen_book_slots(BoothUi *ui);
void ui_screen_book_confirm(BoothUi *ui);
void ui_screen_book_code(BoothUi *ui);
void ui_screen_check_in(BoothUi *ui);
