/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * docview: the document shown in the call (calldoc.h), on the touch
 * screen. The page and the page count show at once; each page's picture is
 * drawn off the UI thread (booth_ui_render_document() in a GTask), one at a
 * time: a page turned meanwhile is drawn next, and the previous page stays
 * on screen until then. A page that cannot be drawn is reported through the
 * booth (booth_document_failed(): the adviser is told, the call goes on).
 */
#pragma once

#include "booth.h"
#include "ui/ui.h"

G_BEGIN_DECLS

typedef struct _BoothDocView BoothDocView;

/* `booth` and `ui` (transfer none) must outlive it. */
BoothDocView *booth_doc_view_new(Booth *booth, BoothUi *ui);
/* Forgets the document (a drawing in progress is cancelled) and frees. */
void booth_doc_view_free(BoothDocView *dv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BoothDocView, booth_doc_view_free)

/* Shows the booth's document as it is now (or forgets it if none). */
void booth_doc_view_show(BoothDocView *dv);
/* Nothing of the document stays on screen. */
void booth_doc_view_forget(BoothDocView *dv);
/* The page whose picture is on screen (0: none). */
guint booth_doc_view_get_page(BoothDocView *dv);

G_END_DECLS
