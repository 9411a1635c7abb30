/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais-questions"

#include "questions.h"
#include "fail.h"

#include <string.h>

G_DEFINE_QUARK(relais - questions - error - quark, relais_questions_error)

struct _RelaisQuestions {
	char *id;
	guint n;
	RelaisQuestion q[RELAIS_QUESTIONS_MAX];
};

#define MAX_ID	  32
#define MAX_MSGID 96

/* Ids end up in JSON answers and in CSS-ish places on the console: keep them
 * boring. */
static gboolean check_id(const char *where, const char *s, GError **error)
{
	gsize len = s ? strlen(s) : 0;
	if (len == 0 || len > MAX_ID)
		return relais_fail(error, RELAIS_QUESTIONS_ERROR, RELAIS_QUESTIONS_ERROR_INVALID,
				   "%s: id '%s' must be 1 to %d characters", where, s ? s : "", MAX_ID);
	for (const char *p = s; *p; p++)
		if (!g_ascii_islower(*p) && !g_ascii_isdigit(*p) && *p != '-')
			return relais_fail(error, RELAIS_QUESTIONS_ERROR, RELAIS_QUESTIONS_ERROR_INVALID,
					   "%s: id '%s' may only hold a-z, 0-9 and '-'", where, s);
	return TRUE;
}

static gboolean check_msgid(const char *where, const char *s, GError **error)
{
	gsize len = s ? strlen(s) : 0;
	if (len == 0 || len > MAX_MSGID)
		return relais_fail(error, RELAIS_QUESTIONS_ERROR, RELAIS_QUESTIONS_ERROR_INVALID,
				   "%s: message id must be 1 to %d characters", where, MAX_MSGID);
	for (const char *p = s; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("-_.", *p))
			return relais_fail(error, RELAIS_QUESTIONS_ERROR, RELAIS_QUESTIONS_ERROR_INVALID,
					   "%s: message id '%s' may only hold letters, digits, '-', '_', '.'", where,
					   s);
	return TRUE;
}

static void question_clear(RelaisQuestion *q)
{
	g_clear_pointer(&q->id, g_free);
	g_clear_pointer(&q->title, g_free);
	for (guint i = 0; i < q->n_choices; i++) {
		g_free(q->choices[i].id);
		g_free(q->choices[i].label);
	}
	g_clear_pointer(&q->choices, g_free);
	q->n_choices = 0;
}

void relais_questions_free(RelaisQuestions *qs)
{
	if (qs == NULL)
		return;
	for (guint i = 0; i < qs->n; i++)
		question_clear(&qs->q[i]);
	g_free(qs->id);
	g_free(qs);
}

static gboolean load_question(GKeyFile *kf, const char *id, RelaisQuestion *q, GError **error)
{
	g_autofree char *group = g_strdup_printf("question %s", id);
	g_autoptr(GError) local = NULL;
	if (!g_key_file_has_group(kf, group))
		return relais_fail(error, RELAIS_QUESTIONS_ERROR, RELAIS_QUESTIONS_ERROR_INVALID,
				   "[set] questions lists '%s' but there is no [%s] group", id, group);

	q->id = g_strdup(id);
	q->title = g_key_file_get_string(kf, group, "title", &local);
	if (q->title == NULL)
		return relais_fail(error, RELAIS_QUESTIONS_ERROR, RELAIS_QUESTIONS_ERROR_INVALID, "[%s]: %s", group,
				   local->message);
	if (!check_msgid(group, q->title, error))
		return FALSE;

	gsize n_ids = 0, n_labels = 0;
	g_auto(GStrv) ids = g_key_file_get_string_list(kf, group, "choices", &n_ids, &local);
	if (ids == NULL)
		return relais_fail(error, RELAIS_QUESTIONS_ERROR, RELAIS_QUESTIONS_ERROR_INVALID, "[%s]: %s", group,
				   local->message);
	g_auto(GStrv) labels = g_key_file_get_string_list(kf, group, "labels", &n_labels, &local);
	if (labels == NULL)
		return relais_fail(error, RELAIS_QUESTIONS_ERROR, RELAIS_QUESTIONS_ERROR_INVALID, "[%s]: %s", group,
				   local->message);
	if (n_ids < 2 || n_ids > RELAIS_QUESTIONS_MAX_CHOICES)
		return relais_fail(error, RELAIS_QUESTIONS_ERROR, RELAIS_QUESTIONS_ERROR_INVALID,
				   "[%s]: %zu choices, expected 2 to %d", group, n_ids, RELAIS_QUESTIONS_MAX_CHOICES);
	if (n_labels != n_ids)
		return relais_fail(error, RELAIS_QUESTIONS_ERROR, RELAIS_QUESTIONS_ERROR_INVALID,
				   "[%s]: %zu choices but %zu labels", group, n_ids, n_labels);

	q->choices = g_new0(RelaisChoice, n_ids);
	for (gsize i = 0; i < n_ids; i++) {
		q->n_choices++;
		q->choices[i].id = g_strdup(ids[i]);
		q->choices[i].label = g_strdup(labels[i]);
		if (!check_id(group, ids[i], error) || !check_msgid(group, labels[i], error))
			return FALSE;
		for (gsize j = 0; j < i; j++)
			if (g_str_equal(ids[i], ids[j]))
				return relais_fail(error, RELAIS_QUESTIONS_ERROR, RELAIS_QUESTIONS_ERROR_INVALID,
						   "[%s]: choice '%s' listed twice", group, ids[i]);
	}
	return TRUE;
}

RelaisQuestions *relais_questions_load_data(const char *data, gsize len, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) local = NULL;
	if (!g_utf8_validate(data, len, NULL)) {
		relais_fail(error, RELAIS_QUESTIONS_ERROR, RELAIS_QUESTIONS_ERROR_INVALID, "not UTF-8 text");
		return NULL;
	}
	if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, &local)) {
		relais_fail(error, RELAIS_QUESTIONS_ERROR, RELAIS_QUESTIONS_ERROR_INVALID, "%s", local->message);
		return NULL;
	}
	g_autoptr(RelaisQuestions) qs = g_new0(RelaisQuestions, 1);
	qs->id = g_key_file_get_string(kf, "set", "id", &local);
	if (qs->id == NULL) {
		relais_fail(error, RELAIS_QUESTIONS_ERROR, RELAIS_QUESTIONS_ERROR_INVALID, "[set]: %s", local->message);
		return NULL;
	}
	if (!check_id("[set]", qs->id, error))
		return NULL;
	gsize n = 0;
	g_auto(GStrv) ids = g_key_file_get_string_list(kf, "set", "questions", &n, &local);
	if (ids == NULL) {
		relais_fail(error, RELAIS_QUESTIONS_ERROR, RELAIS_QUESTIONS_ERROR_INVALID, "[set]: %s", local->message);
		return NULL;
	}
	if (n < 1 || n > RELAIS_QUESTIONS_MAX) {
		relais_fail(error, RELAIS_QUESTIONS_ERROR, RELAIS_QUESTIONS_ERROR_INVALID,
			    "[set]: %zu questions, expected 1 to %d", n, RELAIS_QUESTIONS_MAX);
		return NULL;
	}
	for (gsize i = 0; i < n; i++) {
		if (!check_id("[set] questions", ids[i], error))
			return NULL;
		for (gsize j = 0; j < i; j++)
			if (g_str_equal(ids[i], ids[j])) {
				relais_fail(error, RELAIS_QUESTIONS_ERROR, RELAIS_QUESTIONS_ERROR_INVALID,
					    "[set]: question '%s' listed twice", ids[i]);
				return NULL;
			}
		qs->n++;
		if (!load_question(kf, ids[i], &qs->q[i], error))
			return NULL;
	}
	return g_steal_pointer(&qs);
}

RelaisQuestions *relais_questions_load_file(const char *path, GError **error)
{
	g_autofree char *data = NULL;
	gsize len = 0;
	if (!g_file_get_contents(path, &data, &len, error)) {
		g_prefix_error(error, "questions: ");
		return NULL;
	}
	RelaisQuestions *qs = relais_questions_load_data(data, len, error);
	if (qs == NULL)
		g_prefix_error(error, "questions: %s: ", path);
	return qs;
}

const char *relais_questions_get_id(const RelaisQuestions *qs)
{
	return qs->id;
}

guint relais_questions_count(const RelaisQuestions *qs)
{
	return qs->n;
}

const RelaisQuestion *relais_questions_get(const RelaisQuestions *qs, guint i)
{
	g_return_val_if_fail(i < qs->n, NULL);
	return &qs->q[i];
}

int relais_question_find_choice(const RelaisQuestion *q, const char *id)
{
	for (guint i = 0; id != NULL && i < q->n_choices; i++)
		if (g_str_equal(q->choices[i].id, id))
			return (int)i;
	return -1;
}
