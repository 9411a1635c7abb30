/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diag: the booth's diagnostics report, what a technician needs to know
 * about the machine and nothing about a visitor (no topic, language, chat,
 * booking code, call id). Shown on the technician screen and, fetched
 * through the booth's link, to an administrator.
 *
 *   {"software":{"version","build","running","slot"}, "board", "booth_id", "site", "uptime_s",
 *    "addresses":["eth0 192.0.2.7/24", ...],
 *    "link":{"state":"connected|connecting|offline", "switchboard":URL,
 *            "certificate_state":"valid|renew|expired|none|clock_unset",
 *            "certificate_expires":ISO-8601|null},
 *    "camera":{"state":"ok|missing|error", "detail", "self_test":"ok|failed|unknown"},
 *    "microphone":{"state":"ok|error", "level_db":number|null, "self_test"},
 *    "speaker":{"state":"untested|testing|ok|error", "detail"},
 *    "turn":{"state":"reachable|unreachable|not_configured|untested|testing", "detail"},
 *    "errors":[{"time":ISO-8601, "message"}]}
 */
#pragma once

#include "booth.h"

G_BEGIN_DECLS

/* Returns: (transfer full) the report now. Cheap enough to call every few
 * seconds (reads booth.crt and the interfaces' addresses). */
JsonObject *booth_diag_report(Booth *booth);

/* "2026-12-06T19:03:31Z" for a Unix time in microseconds. Returns: (transfer full). */
char *booth_diag_iso_time(gint64 unix_us);

/* The software this booth runs as its hello tells it: RELAIS_VERSION-
 * RELAIS_BUILD_ID as `make bundle` names a bundle's version ("0.10-abc1234",
 * "-dirty" as ".dirty"), made a protocol id: the image's /etc/relais-release
 * when there is one (RELAIS_RELEASE_FILE for tests), else this program's
 * build. Returns: (transfer none) */
const char *booth_diag_software(void);

/* The health check (relais-boothctl health; the health service polls it
 * before it keeps an update):
 *   {"healthy":bool, "service":"up", "link":"up"|"down",
 *    "camera":"ok"|"failed"|"unknown", "microphone":"ok"|"failed"|"unknown",
 *    "reasons":["link down", "camera: ...", ...], "state", "software", "slot"}
 * healthy = the link is up (greeted) and the start-up check (booth.h)
 * opened the camera and the microphone. Returns: (transfer full) */
JsonObject *booth_diag_health(Booth *booth, gboolean *healthy);

G_END_DECLS
