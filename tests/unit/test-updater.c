/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The booth's decisions about an update sent from afar (updater.h's
 * booth_update_step): the download and the reboot happen only while no
 * visitor is at the booth; a failure ends the update and says so; a second
 * offer while one is under way is refused; nothing happens on an event
 * that has no meaning. Every (state, event, idle) is tried. */
#include "updater.h"

typedef struct {
	BoothUpdateState state;
	BoothUpdateEvent event;
	gboolean idle;
	BoothUpdateState next;
	BoothUpdateAction action;
} Row;

static const Row rows[] = {
	/* an offer: at once when idle, later otherwise */
	{BOOTH_UPDATE_NONE, BOOTH_UPDATE_EV_OFFER, TRUE, BOOTH_UPDATE_DOWNLOADING, BOOTH_UPDATE_DO_DOWNLOAD},
	{BOOTH_UPDATE_NONE, BOOTH_UPDATE_EV_OFFER, FALSE, BOOTH_UPDATE_WAITING, BOOTH_UPDATE_DO_TELL_BUSY},
	{BOOTH_UPDATE_WAITING, BOOTH_UPDATE_EV_IDLE, TRUE, BOOTH_UPDATE_DOWNLOADING, BOOTH_UPDATE_DO_DOWNLOAD},
	{BOOTH_UPDATE_WAITING, BOOTH_UPDATE_EV_IDLE, FALSE, BOOTH_UPDATE_WAITING, BOOTH_UPDATE_DO_NOTHING},
	{BOOTH_UPDATE_WAITING, BOOTH_UPDATE_EV_OFFER, FALSE, BOOTH_UPDATE_WAITING, BOOTH_UPDATE_DO_TELL_BUSY},
	{BOOTH_UPDATE_WAITING, BOOTH_UPDATE_EV_OFFER, TRUE, BOOTH_UPDATE_DOWNLOADING, BOOTH_UPDATE_DO_DOWNLOAD},
	/* downloaded, installed */
	{BOOTH_UPDATE_DOWNLOADING, BOOTH_UPDATE_EV_DOWNLOADED, TRUE, BOOTH_UPDATE_INSTALLING, BOOTH_UPDATE_DO_INSTALL},
	{BOOTH_UPDATE_DOWNLOADING, BOOTH_UPDATE_EV_DOWNLOADED, FALSE, BOOTH_UPDATE_INSTALLING, BOOTH_UPDATE_DO_INSTALL},
	{BOOTH_UPDATE_INSTALLING, BOOTH_UPDATE_EV_INSTALLED, TRUE, BOOTH_UPDATE_REBOOTING, BOOTH_UPDATE_DO_REBOOT},
	/* a visitor came meanwhile: the reboot waits */
	{BOOTH_UPDATE_INSTALLING, BOOTH_UPDATE_EV_INSTALLED, FALSE, BOOTH_UPDATE_INSTALLED,
	 BOOTH_UPDATE_DO_TELL_INSTALLED},
	{BOOTH_UPDATE_INSTALLED, BOOTH_UPDATE_EV_IDLE, FALSE, BOOTH_UPDATE_INSTALLED, BOOTH_UPDATE_DO_NOTHING},
	{BOOTH_UPDATE_INSTALLED, BOOTH_UPDATE_EV_IDLE, TRUE, BOOTH_UPDATE_REBOOTING, BOOTH_UPDATE_DO_REBOOT},
	{BOOTH_UPDATE_REBOOTING, BOOTH_UPDATE_EV_REBOOT_FAILED, TRUE, BOOTH_UPDATE_INSTALLED, BOOTH_UPDATE_DO_NOTHING},
	/* failures end it and say so */
	{BOOTH_UPDATE_DOWNLOADING, BOOTH_UPDATE_EV_FAILED, TRUE, BOOTH_UPDATE_NONE, BOOTH_UPDATE_DO_REPORT_FAILURE},
	{BOOTH_UPDATE_DOWNLOADING, BOOTH_UPDATE_EV_FAILED, FALSE, BOOTH_UPDATE_NONE, BOOTH_UPDATE_DO_REPORT_FAILURE},
	{BOOTH_UPDATE_INSTALLING, BOOTH_UPDATE_EV_FAILED, TRUE, BOOTH_UPDATE_NONE, BOOTH_UPDATE_DO_REPORT_FAILURE},
	/* one update at a time */
	{BOOTH_UPDATE_DOWNLOADING, BOOTH_UPDATE_EV_OFFER, TRUE, BOOTH_UPDATE_DOWNLOADING, BOOTH_UPDATE_DO_REFUSE},
	{BOOTH_UPDATE_INSTALLING, BOOTH_UPDATE_EV_OFFER, TRUE, BOOTH_UPDATE_INSTALLING, BOOTH_UPDATE_DO_REFUSE},
	{BOOTH_UPDATE_INSTALLED, BOOTH_UPDATE_EV_OFFER, TRUE, BOOTH_UPDATE_INSTALLED, BOOTH_UPDATE_DO_REFUSE},
	{BOOTH_UPDATE_REBOOTING, BOOTH_UPDATE_EV_OFFER, TRUE, BOOTH_UPDATE_REBOOTING, BOOTH_UPDATE_DO_REFUSE},
};

static void test_table(void)
{
	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		const Row *r = &rows[i];
		BoothUpdateState next = 99;
		BoothUpdateAction action = 99;
		if (!booth_update_step(r->state, r->event, r->idle, &next, &action))
			g_error("row %u: %s + event %d refused", i, booth_update_state_name(r->state), r->event);
		if (next != r->next || action != r->action)
			g_error("row %u: %s + event %d (idle %d) gave %s/%d, expected %s/%d", i,
				booth_update_state_name(r->state), r->event, r->idle, booth_update_state_name(next),
				action, booth_update_state_name(r->next), r->action);
	}
}

/* Every combination: a reboot or a download is never decided while a
 * visitor is at the booth; an event without meaning changes nothing. */
static void test_never_with_a_visitor(void)
{
	guint refused = 0;
	for (int s = BOOTH_UPDATE_NONE; s <= BOOTH_UPDATE_REBOOTING; s++)
		for (int e = BOOTH_UPDATE_EV_OFFER; e <= BOOTH_UPDATE_EV_REBOOT_FAILED; e++)
			for (int idle = 0; idle <= 1; idle++) {
				BoothUpdateState next = s;
				BoothUpdateAction action = BOOTH_UPDATE_DO_NOTHING;
				if (!booth_update_step(s, e, idle, &next, &action)) {
					refused++;
					continue;
				}
				if (!idle) {
					g_assert_cmpint(action, !=, BOOTH_UPDATE_DO_REBOOT);
					g_assert_cmpint(action, !=, BOOTH_UPDATE_DO_DOWNLOAD);
					/* never into rebooting (one already rebooting stays) */
					if (s != BOOTH_UPDATE_REBOOTING)
						g_assert_cmpint(next, !=, BOOTH_UPDATE_REBOOTING);
				}
				if (action == BOOTH_UPDATE_DO_REBOOT)
					g_assert_cmpint(next, ==, BOOTH_UPDATE_REBOOTING);
			}
	/* e.g. "downloaded" while nothing is downloaded, "idle" with nothing to do */
	g_assert_cmpuint(refused, >, 0);
	BoothUpdateState next;
	BoothUpdateAction action;
	g_assert_false(booth_update_step(BOOTH_UPDATE_NONE, BOOTH_UPDATE_EV_IDLE, TRUE, &next, &action));
	g_assert_false(booth_update_step(BOOTH_UPDATE_NONE, BOOTH_UPDATE_EV_DOWNLOADED, TRUE, &next, &action));
	g_assert_false(booth_update_step(BOOTH_UPDATE_INSTALLED, BOOTH_UPDATE_EV_INSTALLED, TRUE, &next, &action));
	g_assert_false(booth_update_step(BOOTH_UPDATE_WAITING, BOOTH_UPDATE_EV_FAILED, TRUE, &next, &action));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/updater/table", test_table);
	g_test_add_func("/updater/never-with-a-visitor", test_never_with_a_visitor);
	return g_test_run();
}
