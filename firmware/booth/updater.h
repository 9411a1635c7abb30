/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * updater: the booth's side of an update sent from afar (PROTOCOL.md
 * "Updates sent from afar", ../switchboard/README.md).
 *
 *   none --offer, idle--> downloading --checked--> installing --rauc ok--> installed
 *     |  \--offer, busy--> waiting --idle--/           |                      |
 *     ^                                                | failure              | idle
 *     +------------------ failed <---------------------+                  rebooting
 *
 * An offer (update_offer) is taken only while no visitor is at the booth;
 * otherwise the booth says "busy" and takes it when idle. Before
 * downloading, the bundle's size is checked against the free room of the
 * update folder (on the data partition): a bundle that does not fit is
 * refused with nothing else touched ("data partition full: the bundle needs
 * N MiB, M MiB free"). The download (over the link's HTTPS, the booth's
 * certificate) goes to a temporary file, its length and SHA-256 checked
 * against the offer's; then `rauc install FILE` (RAUC checks the signature
 * and the compatible), its percentages reported. The file is deleted
 * whatever happened. Installed, the booth reboots with the configured
 * command as soon as it is idle: never during a visitor's session. A
 * failure is an update_status "failed" and an update_report
 * "install-failed" (the switchboard's page shows it), with RAUC's words.
 *
 * The decisions are a pure function (booth_update_step), unit-tested: the
 * rule "reboot only when idle" is in it.
 */
#pragma once

#include "link.h"
#include "protocol.h"

G_BEGIN_DECLS

typedef enum {
	BOOTH_UPDATE_NONE,
	BOOTH_UPDATE_WAITING, /* offered while a visitor was there */
	BOOTH_UPDATE_DOWNLOADING,
	BOOTH_UPDATE_INSTALLING,
	BOOTH_UPDATE_INSTALLED, /* waiting for the booth to be idle to reboot */
	BOOTH_UPDATE_REBOOTING,
} BoothUpdateState;

typedef enum {
	BOOTH_UPDATE_EV_OFFER,	       /* an update_offer of a new update */
	BOOTH_UPDATE_EV_IDLE,	       /* the booth became idle (no visitor) */
	BOOTH_UPDATE_EV_DOWNLOADED,    /* the file is complete and checked */
	BOOTH_UPDATE_EV_INSTALLED,     /* rauc install succeeded */
	BOOTH_UPDATE_EV_FAILED,	       /* no room, download, check or install failed */
	BOOTH_UPDATE_EV_REBOOT_FAILED, /* the reboot command failed: try again when next idle */
} BoothUpdateEvent;

/* What to do on a step. */
typedef enum {
	BOOTH_UPDATE_DO_NOTHING,
	BOOTH_UPDATE_DO_TELL_BUSY,	/* update_status busy */
	BOOTH_UPDATE_DO_DOWNLOAD,	/* check the room, start the download */
	BOOTH_UPDATE_DO_INSTALL,	/* run rauc install */
	BOOTH_UPDATE_DO_TELL_INSTALLED, /* update_status installed; reboot later */
	BOOTH_UPDATE_DO_REBOOT,		/* (update_status installed if not said yet) and reboot now */
	BOOTH_UPDATE_DO_REPORT_FAILURE, /* update_status failed, update_report install-failed */
	BOOTH_UPDATE_DO_REFUSE,		/* another update is under way: update_status failed for the new one */
} BoothUpdateAction;

const char *booth_update_state_name(BoothUpdateState state);

/* The one transition function: from `state` on `event`, with the booth
 * `idle` (no visitor) or not. FALSE (nothing changes) when the event has
 * no meaning in that state. */
gboolean booth_update_step(BoothUpdateState state, BoothUpdateEvent event, gboolean idle, BoothUpdateState *next,
			   BoothUpdateAction *action);

typedef struct _BoothUpdater BoothUpdater;

typedef struct {
	const char *dir;	/* the download folder, on the data partition (made 0700) */
	const char *rauc;	/* RAUC's command */
	const char *reboot_cmd; /* a command line (no shell): `systemctl reboot` */
	const char *software;	/* nullable: the version running (the report's `from`) */
	const char *slot;	/* nullable: the slot running ("A", "B") */
} BoothUpdaterConfig;

/* Whether no visitor is at the booth now. */
typedef gboolean (*BoothUpdaterIdleFunc)(gpointer user_data);

/* `link` (not owned) must outlive the updater. */
BoothUpdater *booth_updater_new(BoothLink *link, const BoothUpdaterConfig *config, BoothUpdaterIdleFunc idle,
				gpointer user_data);
void booth_updater_free(BoothUpdater *updater);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BoothUpdater, booth_updater_free)

/* An update_offer (validated by the protocol). */
void booth_updater_offer(BoothUpdater *updater, RelaisMsg *offer);
/* The booth became idle: a waiting offer starts, an installed update
 * reboots. */
void booth_updater_idle(BoothUpdater *updater);
/* {state, update, progress, message} for the booth's status. Returns: (transfer full) */
JsonObject *booth_updater_status(BoothUpdater *updater);

G_END_DECLS
