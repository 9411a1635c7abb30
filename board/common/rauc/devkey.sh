#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The development signing pair, made once: devkey.sh BUILD_DIR prints the
# certificate's path, BUILD_DIR/keys/dev/relais-dev.crt (key beside it,
# 0600 in a 0700 folder). For development images and bundles only.
set -eu
[ $# -eq 1 ] || {
	echo "usage: devkey.sh BUILD_DIR" >&2
	exit 2
}
dev=$1/keys/dev
key=$dev/relais-dev.key cert=$dev/relais-dev.crt
if [ ! -f "$key" ] || [ ! -f "$cert" ]; then
	mkdir -p "$dev"
	chmod 700 "$dev"
	# EC P-256, self-signed: it is its own keyring
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$key.tmp" -out "$cert.tmp" -days 3650 \
		-subj "/O=Relais development/CN=Relais development bundle key (never ship)" \
		-addext keyUsage=critical,digitalSignature,keyCertSign >/dev/null 2>&1 || {
		rm -f "$key.tmp" "$cert.tmp"
		echo "devkey: openssl could not make the development key pair in $dev" >&2
		exit 1
	}
	mv "$key.tmp" "$key"
	mv "$cert.tmp" "$cert"
fi
echo "$cert"
