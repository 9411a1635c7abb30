/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * samples: every screen with believable data and synthetic video, for
 * relais-ui-shots (screenshots, contact sheet) and the golden-image test, so
 * that both render exactly the same thing.
 */
#pragma once

#include "ui/ui.h"

G_BEGIN_DECLS

guint booth_ui_samples_count(void);
/* A file-name-safe name: "attract", "question-topic", ... */
const char *booth_ui_sample_name(guint i);
/* Sets the view, toggles and video of sample i in `language`, and renders. */
gboolean booth_ui_render_sample(BoothUi *ui, guint i, const char *language, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* Fills an I420 frame (w, h even) with a deterministic picture of a person:
 * `hue` 0 for the adviser, 1 for the visitor. */
void booth_ui_synthetic_i420(guint8 *buf, int w, int h, int hue);

G_END_DECLS
