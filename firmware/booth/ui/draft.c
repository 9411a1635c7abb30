/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The chat draft of the call screen and its keyboard's state (open, page,
 * shift): what the keys do, not how they look (keyboard.c). The draft is
 * the visitor's words: it lives in one buffer of CONFIG_RELAIS_PROTO_MAX_TEXT
 * + 1 bytes allocated when the keyboard opens (never grown, so no stale copy
 * is left in freed memory), is measured in place, and is erased with memset
 * when sent or closed.
 */
#define G_LOG_DOMAIN "relais-ui"

#include "ui/draft.h"
#include "relais-config.h"

#include <string.h>

static void draft_changed(BoothUi *ui)
{
	gsize n = ui->draft_len;
	/* capitals by themselves at the start of a sentence, as phones do */
	while (n > 0 && ui->draft[n - 1] == ' ')
		n--;
	ui->kb_shift = n == 0 || (n < ui->draft_len && strchr(".!?", ui->draft[n - 1]) != NULL);
	ui->draft_gen++;
	ui->dirty = TRUE;
}

static void draft_erase(BoothUi *ui)
{
	if (ui->draft == NULL)
		return;
	memset(ui->draft, 0, CONFIG_RELAIS_PROTO_MAX_TEXT + 1);
	ui->draft_len = 0;
	g_array_set_size(ui->draft_lines, 0);
	/* the field's textures held it too */
	ui_text_cache_drop_private(ui);
	draft_changed(ui);
}

void ui_kb_open(BoothUi *ui)
{
	if (ui->kb_open)
		return;
	ui->draft = g_malloc0(CONFIG_RELAIS_PROTO_MAX_TEXT + 1);
	ui->draft_len = 0;
	ui->kb_open = TRUE;
	ui->kb_page = KB_LETTERS;
	draft_changed(ui);
}

void ui_kb_reset(BoothUi *ui)
{
	draft_erase(ui);
	g_clear_pointer(&ui->draft, g_free);
	if (ui->kb_open)
		ui->dirty = TRUE;
	ui->kb_open = FALSE;
	ui->kb_page = KB_LETTERS;
}

void ui_kb_insert(BoothUi *ui, const char *utf8)
{
	if (!ui->kb_open || utf8 == NULL || !g_utf8_validate(utf8, -1, NULL))
		return;
	for (const char *p = utf8; *p; p = g_utf8_next_char(p)) {
		gsize n = g_utf8_next_char(p) - p;
		if (g_unichar_iscntrl(g_utf8_get_char(p)))
			continue; /* one line of chat: no newline, no tab */
		if (ui->draft_len + n > CONFIG_RELAIS_PROTO_MAX_TEXT)
			break; /* full: whole characters only */
		memcpy(ui->draft + ui->draft_len, p, n);
		ui->draft_len += n;
	}
	ui->draft[ui->draft_len] = '\0';
	draft_changed(ui);
}

void ui_kb_backspace(BoothUi *ui)
{
	if (!ui->kb_open || ui->draft_len == 0)
		return;
	char *end = ui->draft + ui->draft_len, *prev = g_utf8_find_prev_char(ui->draft, end);
	if (prev == NULL)
		prev = ui->draft;
	memset(prev, 0, end - prev);
	ui->draft_len = prev - ui->draft;
	draft_changed(ui);
}

void ui_kb_send(BoothUi *ui)
{
	if (!ui->kb_open)
		return;
	gsize start = 0, end = ui->draft_len;
	while (start < end && ui->draft[start] == ' ')
		start++;
	while (end > start && ui->draft[end - 1] == ' ')
		end--;
	if (start == end)
		return; /* nothing to say yet */
	ui->draft[end] = '\0';
	RelaisJourneyEvent ev = {RELAIS_JOURNEY_EV_CHAT, ui->draft + start, 0};
	if (ui->func)
		ui->func(&ev, ui->func_data);
	/* the owner has its copy (and the callback may have closed us) */
	draft_erase(ui);
}

void ui_kb_set_page(BoothUi *ui, UiKbPage page)
{
	ui->kb_page = page;
	ui->dirty = TRUE;
}

void ui_kb_press(BoothUi *ui, const UiTarget *t, gboolean by_keys)
{
	switch (t->key) {
	case BOOTH_UI_KEY_OPEN:
		if (ui->view.state != RELAIS_JOURNEY_IN_CALL)
			return;
		ui_kb_open(ui);
		ui->focus = -1;
		if (by_keys)
			ui->focus_want = BOOTH_UI_KEY_CHAR; /* the first letter */
		break;
	case BOOTH_UI_KEY_CLOSE:
		ui_kb_reset(ui);
		ui->focus = -1;
		if (by_keys)
			ui->focus_want = BOOTH_UI_KEY_OPEN;
		break;
	case BOOTH_UI_KEY_CHAR:
		if (ui->kb_shift) {
			g_autofree char *upper = g_utf8_strup(t->text, -1);
			ui_kb_insert(ui, upper);
		} else {
			ui_kb_insert(ui, t->text);
		}
		break;
	case BOOTH_UI_KEY_SPACE:
		ui_kb_insert(ui, " ");
		break;
	case BOOTH_UI_KEY_BACKSPACE:
		ui_kb_backspace(ui);
		break;
	case BOOTH_UI_KEY_SHIFT:
		ui->kb_shift = !ui->kb_shift;
		break;
	case BOOTH_UI_KEY_LETTERS:
		ui_kb_set_page(ui, KB_LETTERS);
		break;
	case BOOTH_UI_KEY_ACCENTS:
		ui_kb_set_page(ui, KB_ACCENTS);
		break;
	case BOOTH_UI_KEY_SYMBOLS:
		ui_kb_set_page(ui, KB_SYMBOLS);
		break;
	case BOOTH_UI_KEY_SEND:
		ui_kb_send(ui);
		break;
	}
	ui->dirty = TRUE;
}

/* --- API -------------------------------------------------------------------- */

void booth_ui_set_keyboard(BoothUi *ui, gboolean open, const char *draft)
{
	ui_kb_reset(ui);
	if (!open)
		return;
	if (ui->view.state != RELAIS_JOURNEY_IN_CALL && ui->view.state != RELAIS_JOURNEY_CONFIRM_END) {
		g_debug("no keyboard on %s", relais_journey_state_name(ui->view.state));
		return;
	}
	ui_kb_open(ui);
	ui_kb_insert(ui, draft);
}

gboolean booth_ui_get_keyboard_open(BoothUi *ui)
{
	return ui->kb_open;
}

const char *booth_ui_get_draft(BoothUi *ui)
{
	return ui->draft;
}
