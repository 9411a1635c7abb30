#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The demo: a switchboard, one simulated booth (test pattern camera and
# tone microphone), and a simulated visitor who asks for an adviser again
# whenever the booth is idle. Open the printed URL in Chromium/Firefox.
#
#   RELAIS_PORT=8080            switchboard port (adviser console)
#   RELAIS_BOOTH_PORT=8443      booth listener (TLS, client certificates)
#   RELAIS_DEMO_SECONDS=0       stop after N seconds (0: until Ctrl-C)
#   RELAIS_DEMO_VISITOR=1       0: no automatic visitor (use relais-boothctl)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
port=${RELAIS_PORT:-8080}
booth_port=${RELAIS_BOOTH_PORT:-8443}
seconds=${RELAIS_DEMO_SECONDS:-0}
visitor=${RELAIS_DEMO_VISITOR:-1}
run=$(mktemp -d /tmp/relais-demo.XXXXXX)
sock=$run/booth.sock
pids=()

cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	echo "demo stopped; logs were in $run (removed)"
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# The store (accounts, sessions) lives with the run and goes with it. No
# account exists by default: the demo's adviser gets a one-time password.
data=$run/data
if ! password=$("$build/bin/relais-switchboard" --data "$data" user add adviser --role adviser \
	--name "Demo Adviser" --generate 2>"$run/user-add.log"); then
	echo "could not create the demo's adviser account:" >&2
	cat "$run/user-add.log" >&2
	exit 1
fi
if ! admin_password=$("$build/bin/relais-switchboard" --data "$data" user add admin --role admin \
	--name "Demo Administrator" --generate 2>>"$run/user-add.log"); then
	echo "could not create the demo's administrator account:" >&2
	cat "$run/user-add.log" >&2
	exit 1
fi
# The touch booth's site is open every weekday (the pilot's half-days,
# here all of them): with nobody signed in, its visitors may book a time.
all_week=mon-am,mon-pm,tue-am,tue-pm,wed-am,wed-pm,thu-am,thu-pm,fri-am,fri-pm,sat-am
for site in "Médiathèque (demo)" "Bibliothèque (écran tactile)"; do
	"$build/bin/relais-switchboard" --data "$data" hours set "$site" "$all_week" >/dev/null 2>>"$run/user-add.log"
done
"$build/bin/relais-switchboard" --data "$data" --port "$port" --booth-port "$booth_port" \
	--assets "$top/assets/web" >"$run/switchboard.out" 2>"$run/switchboard.log" &
pids+=($!)
for _ in $(seq 50); do grep -q "booth listener" "$run/switchboard.out" 2>/dev/null && break; sleep 0.1; done
if ! grep -q "booth listener" "$run/switchboard.out"; then
	echo "relais-switchboard did not start:" >&2
	cat "$run/switchboard.log" >&2
	exit 1
fi

# Each booth enrols as a real one does (ENROL.md): the administrator's
# `booth add` gives a one-time token, the booth makes its own key, asks the
# switchboard's booth CA for a certificate over TLS checked against the
# listener's certificate, and from then on presents it (mutual TLS).
booth_ca=$data/booth-listener/switchboard.crt
booth_url=wss://127.0.0.1:$booth_port/ws/booth
token() {
	"$build/bin/relais-switchboard" --data "$data" booth add "$1" --site "$2" 2>>"$run/user-add.log"
}
"$build/bin/relais-booth" --switchboard "$booth_url" --ca-file "$booth_ca" --state-dir "$run/state-sim-1" \
	--enrol-token "$(token sim-1 "Médiathèque (demo)")" --booth-id sim-1 \
	--site "Médiathèque (demo)" --board sim --pipelines "$top/pipelines" --control "$sock" 2>"$run/booth.log" &
pids+=($!)

# A second booth with the visitor's touch UI: a window when there is a
# display, else drawn off screen (drive it with tap, look with screenshot).
sock2=$run/booth-ui.sock
[[ -n ${DISPLAY:-}${WAYLAND_DISPLAY:-} ]] || export SDL_VIDEODRIVER=offscreen
"$build/bin/relais-booth" --switchboard "$booth_url" --ca-file "$booth_ca" --state-dir "$run/state-sim-touch" \
	--enrol-token "$(token sim-touch "Bibliothèque (écran tactile)")" --booth-id sim-touch \
	--site "Bibliothèque (écran tactile)" --board sim --pipelines "$top/pipelines" --control "$sock2" \
	--ui --questions "$top/assets/questions/default.ini" --locale-dir "$build/locale" 2>"$run/booth-ui.log" &
pids+=($!)
for _ in $(seq 50); do [[ -S $sock && -S $sock2 ]] && break; sleep 0.1; done

ctl() { "$build/bin/relais-boothctl" --control "$sock" "$@"; }

cat <<MSG

  Relais demo is running.

  Adviser console:  http://127.0.0.1:$port/   (sign in as adviser / $password)
  Administration:   http://127.0.0.1:$port/admin.html   (admin / $admin_password)
  Statistics:       http://127.0.0.1:$port/stats.html   Staff: /staff.html
  Metrics:          http://127.0.0.1:$port/metrics
  Booth listener:   https://127.0.0.1:$booth_port/  (booths only: enrolled, mutual TLS)

  The simulated visitor at booth sim-1 asks for an adviser (topic job-search,
  French) and asks again after every call. Drive it yourself with:
    $build/bin/relais-boothctl --control $sock status|request|end|chat TEXT

  Booth sim-touch has the visitor's touch screen (${SDL_VIDEODRIVER:-a window}).
  Walk its journey and look at it:
    ctl2() { $build/bin/relais-boothctl --control $sock2 "\$@"; }
    ctl2 tap language en; ctl2 tap answer job-search; ctl2 tap skip
    ctl2 tap accept; ctl2 tap ready; ctl2 screenshot /tmp/booth.png
  With nobody signed in, its "no adviser" screen offers "Book a time" (both
  sites open every weekday): ctl2 tap book; ctl2 tap slot 0; ctl2 tap book-confirm

  Logs: $run   (Ctrl-C stops everything)

MSG

start=$SECONDS
while :; do
	if ((seconds > 0 && SECONDS - start >= seconds)); then break; fi
	for p in "${pids[@]}"; do
		if ! kill -0 "$p" 2>/dev/null; then
			echo "a demo process exited; its log:" >&2
			tail -20 "$run"/*.log >&2
			exit 1
		fi
	done
	if ((visitor)) && ctl status 2>/dev/null | grep -q '"state":"idle".*"link":"up"'; then
		ctl request --topic job-search --language fr --answer situation=job-seeker --answer first_visit=yes >/dev/null &&
			echo "  [$(date +%T)] simulated visitor is waiting for an adviser"
	fi
	sleep 1
done
