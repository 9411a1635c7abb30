/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * questions: the touch questions asked before a call, loaded from a GKeyFile
 * (assets/questions/default.ini documents the format). Ids travel to the
 * adviser as answers; titles and labels are message ids looked up in the
 * visitor's language catalog (catalog.h), so a site can ship its own set
 * without touching C.
 *
 * A set is validated completely on load: a corrupt or hand-edited file is
 * refused with an error naming the group and key, never half-used.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RELAIS_QUESTIONS_MAX	     8 /* screens before the call: keep the start short */
#define RELAIS_QUESTIONS_MAX_CHOICES 8 /* what fits as touch targets on 800x480 */

typedef struct {
	char *id;    /* [a-z0-9-], sent to the adviser */
	char *label; /* message id */
} RelaisChoice;

typedef struct {
	char *id;
	char *title; /* message id */
	guint n_choices;
	RelaisChoice *choices;
} RelaisQuestion;

typedef struct _RelaisQuestions RelaisQuestions;

#define RELAIS_QUESTIONS_ERROR (relais_questions_error_quark())
GQuark relais_questions_error_quark(void);
typedef enum { RELAIS_QUESTIONS_ERROR_INVALID } RelaisQuestionsError;

/* Returns: (transfer full) the set, or NULL with an error. */
RelaisQuestions *relais_questions_load_file(const char *path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
RelaisQuestions *relais_questions_load_data(const char *data, gsize len, GError **error) G_GNUC_WARN_UNUSED_RESULT;
void relais_questions_free(RelaisQuestions *qs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RelaisQuestions, relais_questions_free)

const char *relais_questions_get_id(const RelaisQuestions *qs);
guint relais_questions_count(const RelaisQuestions *qs);
/* Returns: (transfer none) question i (< count). */
const RelaisQuestion *relais_questions_get(const RelaisQuestions *qs, guint i);
/* Returns the index of choice `id` in q, or -1. */
int relais_question_find_choice(const RelaisQuestion *q, const char *id);

G_END_DECLS
