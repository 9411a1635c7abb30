/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The view the UI is given, copied and compared (not an API; the setter is
 * booth_ui_set_view() in ui/ui.h). */
#pragma once

#include "ui/document.h"

/* Frees the copies of the view's strings, erasing the visitor's. */
void ui_view_free(BoothUi *ui);
