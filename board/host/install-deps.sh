#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs what building and testing Relais needs on Debian 12.
# Skips everything already present, so it is cheap to run on every `make`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

mapfile -t wanted < <(grep -Ev '^\s*(#|$)' "$here/packages.txt")
missing=()
for p in "${wanted[@]}"; do
	# node and npm may come from elsewhere (nvm, NodeSource); accept any on PATH
	if [[ $p == nodejs ]] && command -v node >/dev/null; then continue; fi
	if [[ $p == npm ]] && command -v npm >/dev/null; then continue; fi
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing+=("$p")
	fi
done

if ((${#missing[@]})); then
	if [[ $(id -u) -ne 0 ]]; then
		echo "install-deps: missing Debian packages: ${missing[*]}" >&2
		echo "install-deps: run as root (or: sudo apt-get install ${missing[*]})" >&2
		exit 1
	fi
	echo "install-deps: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# playwright-core needs Node.js 20 or later. Debian 12's own nodejs is 18:
# say so plainly instead of failing later inside the e2e tests.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ((node_major < 20)); then
	echo "install-deps: Node.js $(node --version 2>/dev/null || echo '(none)') found; the e2e tests need Node.js >= 20" >&2
	echo "install-deps: (Debian 12 ships 18; install nodejs 20 from bookworm-backports or NodeSource)" >&2
	exit 1
fi

# playwright-core drives Debian's Chromium; it never downloads a browser.
if [[ ! -d "$top/tests/e2e/node_modules/playwright-core" ]]; then
	echo "install-deps: npm install in tests/e2e"
	(cd "$top/tests/e2e" && npm install --no-audit --no-fund --silent)
fi
