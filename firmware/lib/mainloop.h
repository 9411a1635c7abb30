/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mainloop: run a program's GMainLoop until SIGINT or SIGTERM. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs `loop`; SIGINT and SIGTERM quit it cleanly (g_message "stopping"),
 * so that cleanup (closing sockets, stopping pipelines) always runs. */
void relais_main_loop_run(GMainLoop *loop);

G_END_DECLS
