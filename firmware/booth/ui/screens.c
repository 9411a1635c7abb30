/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One screen per journey state: which function draws it. The screens only
 * draw the view and register touch targets; what a target does is a
 * journey event. */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/screens.h"

void ui_draw_screen(BoothUi *ui)
{
	ui_fill(ui, ui_theme(ui)->bg);
	switch (ui->view.state) {
	case RELAIS_JOURNEY_ATTRACT:
		ui_screen_attract(ui);
		break;
	case RELAIS_JOURNEY_LANGUAGE:
		ui_screen_language(ui);
		break;
	case RELAIS_JOURNEY_QUESTION:
		ui_screen_question(ui);
		break;
	case RELAIS_JOURNEY_CONSENT:
		ui_screen_consent(ui);
		break;
	case RELAIS_JOURNEY_SELF_CHECK:
		ui_screen_self_check(ui);
		break;
	case RELAIS_JOURNEY_WAITING:
		ui_screen_waiting(ui);
		break;
	case RELAIS_JOURNEY_NO_ADVISER:
		ui_screen_no_adviser(ui);
		break;
	case RELAIS_JOURNEY_CONNECTING:
		ui_screen_call(ui, TRUE);
		ui_screen_guest_ask(ui);
		break;
	case RELAIS_JOURNEY_IN_CALL:
		ui_screen_call(ui, FALSE);
		ui_screen_guest_ask(ui);
		break;
	case RELAIS_JOURNEY_CONFIRM_END:
		ui_screen_confirm_end(ui);
		ui_screen_guest_ask(ui);
		break;
	case RELAIS_JOURNEY_SATISFACTION:
		ui_screen_satisfaction(ui);
		break;
	case RELAIS_JOURNEY_THANKS:
		ui_screen_thanks(ui);
		break;
	case RELAIS_JOURNEY_WIPED:
		ui_screen_wiped(ui);
		break;
	case RELAIS_JOURNEY_STILL_THERE:
		ui_screen_still_there(ui);
		break;
	case RELAIS_JOURNEY_BOOK_SLOTS:
		ui_screen_book_slots(ui);
		break;
	case RELAIS_JOURNEY_BOOK_CONFIRM:
		ui_screen_book_confirm(ui);
		break;
	case RELAIS_JOURNEY_BOOK_CODE:
		ui_screen_book_code(ui);
		break;
	case RELAIS_JOURNEY_CHECK_IN:
		ui_screen_check_in(ui);
		break;
	case RELAIS_JOURNEY_OUT_OF_ORDER:
	default:
		ui_screen_out_of_order(ui);
		break;
	}
}
