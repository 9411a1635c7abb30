/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A question set (assets/questions/, read by firmware/lib/questions.c): a
 * site ships its own, and an update bundle carries it. Beyond "no crash,
 * no leak": an accepted set keeps its caps and every id is one the
 * protocol accepts as an answer key.
 */
#include "fuzz.h"
#include "protocol.h"
#include "questions.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	relais_fuzz_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisQuestions) qs = relais_questions_load_data((const char *)data, size, &error);
	if (qs == NULL) {
		g_assert(error != NULL);
		return 0;
	}
	g_assert(relais_questions_get_id(qs) != NULL);
	guint n = relais_questions_count(qs);
	g_assert_cmpuint(n, <=, RELAIS_QUESTIONS_MAX);
	for (guint i = 0; i < n; i++) {
		const RelaisQuestion *q = relais_questions_get(qs, i);
		g_assert_true(relais_proto_valid_id(q->id));
		g_assert(q->title != NULL);
		g_assert_cmpuint(q->n_choices, <=, RELAIS_QUESTIONS_MAX_CHOICES);
		for (guint c = 0; c < q->n_choices; c++) {
			g_assert_true(relais_proto_valid_id(q->choices[c].id));
			g_assert(q->choices[c].label != NULL);
			g_assert_cmpint(relais_question_find_choice(q, q->choices[c].id), >=, 0);
		}
	}
	return 0;
}
