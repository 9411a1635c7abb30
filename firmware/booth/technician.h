/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * technician: the technician screen on the booth (its drawing is
 * ui/screens-technician.c, its rules lib/techgate.h). Opened by the gesture
 * (two top corners held in turn) from the attract or out-of-order screen
 * only, never during a visitor's session; then the PIN (checked against the
 * settings file's hash, pinhash.h; none: "not set up" and nothing more);
 * three wrong PINs lock it; left alone it closes by itself.
 *
 * Open, it shows the diagnostics report (diag.h) refreshed every second,
 * the camera picture (the booth's preview, opened for the technician and
 * closed with the screen), the microphone level, and the speaker and TURN
 * tests (diag-tests.h). Nothing about visitors is on it.
 */
#pragma once

#include "booth.h"
#include "visitor.h"

G_BEGIN_DECLS

typedef struct _BoothTechnician BoothTechnician;

typedef struct {
	const char *pin_hash; /* nullable: no technician PIN, the screen is not set up */
	guint idle_s;	      /* closes after this long untouched (0: Kconfig) */
	guint lock_min;	      /* the lock after three wrong PINs (0: Kconfig) */
	guint hold_ms;	      /* each corner of the gesture (0: Kconfig) */
} BoothTechnicianConfig;

BoothTechnician *booth_technician_new(Booth *booth, BoothVisitor *visitor, const BoothTechnicianConfig *config);
void booth_technician_free(BoothTechnician *tech);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BoothTechnician, booth_technician_free)

/* Returns: (transfer full) {"open", "mode": closed|not_set_up|pin|report,
 * "attempts_left", "locked_s", "preview", "items": [label ids shown],
 * "report": the report shown (mode report only)}. */
JsonObject *booth_technician_status(BoothTechnician *tech);

G_END_DECLS
