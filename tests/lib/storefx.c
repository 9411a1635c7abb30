/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "storefx.h"
#include "harness.h"
#include "pgfx.h"

const int rt_store_fx_on_pg = 1;

static gint64 fx_clock(gpointer user_data)
{
	return ((RtStoreFx *)user_data)->now;
}

void rt_store_fx_setup_for(RtStoreFx *fx, gconstpointer data, const char *name, const SbSlot *week, guint n_week)
{
	if (data == &rt_store_fx_on_pg)
		fx->uri = rt_pg_new_database();
	rt_store_fx_setup(fx, name, week, n_week);
}

void rt_store_fx_setup(RtStoreFx *fx, const char *name, const SbSlot *week, guint n_week)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *tmpl = g_strdup_printf("relais-%s-XXXXXX", name);
	fx->tmp = g_dir_make_tmp(tmpl, &error);
	g_assert_no_error(error);
	g_autofree char *dir = g_build_filename(fx->tmp, "data", NULL);
	fx->store = sb_store_open(fx->uri ? fx->uri : dir, &error);
	g_assert_no_error(error);
	fx->now = RT_MON(9, 10);
	sb_store_set_clock(fx->store, fx_clock, fx);
	fx->site = sb_store_site_upsert(fx->store, 0, "Médiathèque", "Europe/Paris", &error);
	g_assert_no_error(error);
	g_assert_true(sb_store_slots_set(fx->store, fx->site, week, n_week, &error));
	g_assert_no_error(error);
}

void rt_store_fx_teardown(RtStoreFx *fx)
{
	g_clear_pointer(&fx->store, sb_store_free);
	rt_pg_drop_database(fx->uri);
	g_clear_pointer(&fx->uri, g_free);
	rt_rm_rf(fx->tmp);
	g_free(fx->tmp);
}
