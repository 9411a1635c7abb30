/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define G_LOG_DOMAIN "relais"

#include "mainloop.h"

#include <glib-unix.h>
#include <signal.h>

static gboolean on_signal(gpointer loop)
{
	g_message("stopping");
	g_main_loop_quit(loop);
	return G_SOURCE_CONTINUE;
}

void relais_main_loop_run(GMainLoop *loop)
{
	guint term = g_unix_signal_add(SIGTERM, on_signal, loop);
	guint intr = g_unix_signal_add(SIGINT, on_signal, loop);
	g_main_loop_run(loop);
	g_source_remove(term);
	g_source_remove(intr);
}
