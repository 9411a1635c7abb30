/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * visitor: the booth's screen side. Owns the visitor journey (journey.h),
 * the touch UI (ui/ui.h) and the journey's timers, and joins them to the
 * booth (booth.h):
 *
 *   touch ─► BoothUi ─► journey event ─► relais_journey_feed() ─► action
 *                                                                   │
 *     booth_request / booth_end / booth_chat / booth_send_feedback ◄─┘
 *     booth_preview_start/stop, booth_set_controls, wipe
 *
 *   Booth observer (session transitions, queue, chat, link, availability,
 *   typed booking answers) ─► journey RELAIS_JOURNEY_EV_SESSION_* / view
 *   fields ─► BoothUi
 *
 * The journey decides, this module carries out and keeps the view; the UI
 * only draws. Privacy: the camera and microphone are the booth's alone
 * (booth.h): this module asks it for the self-check preview and the call's
 * controls and receives frames and figures. On every wipe the chat lines,
 * queue figures and pictures held here are erased, the journey erases the
 * answers and bookings, and the booth forgets the call.
 */
#pragma once

#include "booth.h"
#include "questions.h"
#include "ui/ui.h"

G_BEGIN_DECLS

typedef struct _BoothVisitor BoothVisitor;

typedef struct {
	BoothUiConfig ui;		       /* .questions is required */
	guint wiped_screen_ms;		       /* how long "everything has been erased" shows; 0: 3000 */
	const RelaisJourneyTimeouts *timeouts; /* NULL: Kconfig */
} BoothVisitorConfig;

/* Opens the UI (fails clearly: no display, no font, no catalog) and starts
 * following `booth`. */
BoothVisitor *booth_visitor_new(Booth *booth, const BoothVisitorConfig *config,
				GError **error) G_GNUC_WARN_UNUSED_RESULT;
void booth_visitor_free(BoothVisitor *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BoothVisitor, booth_visitor_free)

BoothUi *booth_visitor_get_ui(BoothVisitor *v);
/* Glass-to-glass latency of the adviser's video where the screen draws it
 * (booth_ui_set_stamp_stats()), since the last visitor was wiped; FALSE
 * when the booth runs without RELAIS_MEDIA_STAMP=1. */
gboolean booth_visitor_get_stamp_drawn(BoothVisitor *v, RelaisStampSummary *out);
RelaisJourneyState booth_visitor_get_state(BoothVisitor *v);

/* For the control socket (tests, technicians): press the on-screen target
 * that sends `type` (+ str/num for answers, languages, scores) with a
 * synthetic touch at its centre, through SDL's event queue like a finger.
 * Fails if the current screen has no such target. */
gboolean booth_visitor_tap(BoothVisitor *v, RelaisJourneyEventType type, const char *str, int num,
			   GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Touches a key of the on-screen chat keyboard: "open" (the Write button),
 * "space", "backspace", "shift", "letters", "accents", "symbols", "send",
 * "close", or the character itself ("a", "é", "?"). */
gboolean booth_visitor_tap_key(BoothVisitor *v, const char *key, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Touches a button of the document shown in the call: "prev", "next",
 * "close". */
gboolean booth_visitor_tap_document(BoothVisitor *v, const char *button, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* "yes" / "no" on the guest's ask, as a finger would */
gboolean booth_visitor_tap_guest(BoothVisitor *v, const char *button, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Presses a key (SDL key name: "Tab", "Return", "Escape", "Space", ...). */
gboolean booth_visitor_key(BoothVisitor *v, const char *key_name, GError **error) G_GNUC_WARN_UNUSED_RESULT;

/* Returns: (transfer full) screen, view figures and what the booth still
 * holds about a visitor (for the privacy test). */
JsonObject *booth_visitor_status(BoothVisitor *v);

G_END_DECLS
