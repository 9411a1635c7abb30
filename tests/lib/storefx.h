/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A real store for a test: a fresh SQLite store in a temp dir (or a fresh
 * PostgreSQL database: rt_store_fx_on_pg, tests/lib/pgfx.h), its clock
 * injected (fx->now), one site "Médiathèque" in Europe/Paris with the week
 * of opening half-days the test gives. */
#pragma once

#include "store.h"

typedef struct {
	char *tmp;
	char *uri; /* set (PostgreSQL's database) by rt_store_fx_on_pg; NULL: SQLite */
	SbStore *store;
	gint64 now; /* the store's clock; starts at RT_MON(9, 10) */
	gint64 site;
} RtStoreFx;

/* Monday 2024-03-04, Europe/Paris (UTC+1): local hh:mm as unix seconds. */
#define RT_MON(h, m) (1709535600 + ((h)-8) * 3600 + (m)*60)

void rt_store_fx_setup(RtStoreFx *fx, const char *name, const SbSlot *week, guint n_week);
void rt_store_fx_teardown(RtStoreFx *fx);
/* The fixture data that makes a test's store PostgreSQL's (g_test_add's
 * test_data: setup passes it to rt_store_fx_setup_for). */
extern const int rt_store_fx_on_pg;
void rt_store_fx_setup_for(RtStoreFx *fx, gconstpointer data, const char *name, const SbSlot *week, guint n_week);
