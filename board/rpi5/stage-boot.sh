#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The FAT partitions' contents of this board (build.sh, step 5):
# stage-boot.sh ROOT STAGE; the Pi boards share the recipe.
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../common/image/stage-boot-rpi.sh" "$here" "$@"
