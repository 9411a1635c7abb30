# SPDX-License-Identifier: GPL-2.0-or-later
# Relais top-level Makefile. Out-of-tree: everything generated goes to $(O).

O ?= build
BOARD ?= sim
KPY ?= /usr/bin/python3
KCONFIG_CONFIG := $(O)/.config
CONFIG_H := $(O)/include/relais-config.h
export KCONFIG_CONFIG

# Build tiers (firmware/README.md): each program gets only the packages it
# uses, so that a switchboard file including GStreamer or SDL does not build.
CORE_PKGS := glib-2.0 gio-2.0 gio-unix-2.0 json-glib-1.0
MEDIA_PKGS := $(CORE_PKGS) gstreamer-1.0 gstreamer-webrtc-1.0 gstreamer-sdp-1.0 gstreamer-app-1.0 \
              gstreamer-video-1.0 gstreamer-audio-1.0 gstreamer-rtp-1.0 nice
# libsystemd: both programs tell systemd they are ready and feed its watchdog
# (sdnotify.c); openssl in the booth: its settings file (boothconf.c, pinhash.c)
# and its enrolment key and request (enrol-client.c, pki.c)
SB_PKGS := $(CORE_PKGS) libsoup-3.0 openssl sqlite3 libpq poppler-glib libsystemd
BOOTH_PKGS := $(MEDIA_PKGS) libsoup-3.0 sdl2 SDL2_ttf SDL2_image libqrencode poppler-glib cairo openssl libsystemd
# tests link every tier
TEST_PKGS := $(sort $(SB_PKGS) $(BOOTH_PKGS))
# the library modules with a package of their own
POPPLER_PKGS := $(CORE_PKGS) poppler-glib
QR_PKGS := $(CORE_PKGS) libqrencode
SSL_PKGS := $(CORE_PKGS) openssl
SYSTEMD_PKGS := $(CORE_PKGS) libsystemd
# relaisctl diag's HTTP client (diagclient.c)
SOUP_PKGS := $(CORE_PKGS) libsoup-3.0

CC ?= cc
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
GLIB_PIN := -DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74 -DGLIB_VERSION_MAX_ALLOWED=GLIB_VERSION_2_74
SAN ?=
OPT ?= -O2 -g
# pkg-config runs once per tier, when something of that tier is built, and
# a missing package stops the build with its name (never empty flags).
pkg_check = $(foreach p,$(1),$(if $(shell pkg-config --exists $(p) && echo y),,$(error pkg-config finds no '$(p)' (needed by $(2)): run 'make deps' (board/host/packages.txt))))
pkg_memo = $(or $($(2)_$(1)_memo),$(eval $(2)_$(1)_memo := $(call pkg_check,$($(1)),$(1))$(shell pkg-config --$(2) $($(1))) )$($(2)_$(1)_memo))
TIER_PKGS = CORE_PKGS
TIER_INC = -Ifirmware/lib
ALL_CFLAGS = $(OPT) $(SAN) $(WARN) $(GLIB_PIN) -std=gnu11 -MMD -MP \
             -I$(O)/include $(TIER_INC) $(OBJ_DEFS) $(call pkg_memo,$(TIER_PKGS),cflags) $(CFLAGS)
# --as-needed: only what a program calls is loaded
ALL_LDFLAGS = $(SAN) -Wl,--as-needed $(LDFLAGS)
LIBS = $(call pkg_memo,$(TIER_PKGS),libs) -lm

# the GStreamer tier of the shared library: the media engine and its helpers
MEDIA_SRC := $(wildcard firmware/lib/media*.c) firmware/lib/preview.c firmware/lib/mediaconf.c firmware/lib/stamp.c
LIB_SRC := $(filter-out $(MEDIA_SRC),$(wildcard firmware/lib/*.c))
BOOTH_SRC := $(wildcard firmware/booth/*.c firmware/booth/ui/*.c)
SB_SRC := $(wildcard firmware/switchboard/*.c)
TOOLS_SRC := $(wildcard firmware/tools/*.c)
TEST_SRC := $(wildcard tests/unit/*.c tests/integration/*.c)
TESTLIB_SRC := $(wildcard tests/lib/*.c)

obj = $(patsubst %.c,$(O)/obj/%.o,$(1))
LIBCORE := $(O)/librelais-core.a
LIBMEDIA := $(O)/librelais-media.a
# Each program's modules except main.c form a static library, so that tests
# link the same code the program runs (as RAUC links its tests to librauc.a).
LIBBOOTH := $(O)/libbooth.a
LIBSB := $(O)/libswitchboard.a
LIBTEST := $(O)/libtesthelp.a
BOOTH := $(O)/bin/relais-booth
SWITCHBOARD := $(O)/bin/relais-switchboard
TOOLS := $(patsubst firmware/tools/%.c,$(O)/bin/%,$(TOOLS_SRC))
# Translations: assets/i18n/<lang>.po -> $(O)/locale/<lang>/LC_MESSAGES/relais-booth.mo
# (I18N: another folder of .po files, for the test that a bad one is refused)
I18N ?= assets/i18n
PO := $(wildcard $(I18N)/*.po)
LOCALES := $(patsubst $(I18N)/%.po,$(O)/locale/%/LC_MESSAGES/relais-booth.mo,$(PO))
TESTS := $(patsubst tests/%.c,$(O)/tests/%,$(TEST_SRC))
# the switchboard's load generator (tests/bench/README-load.md)
SBLOAD := $(O)/tests/bench/relais-sbload

.SECONDARY:

.PHONY: bench-load bench-soak bench-threeway
.PHONY: all deps check check-unit check-integration check-e2e check-network asan asan-build check-asan demo clean \
        menuconfig savedefconfig olddefconfig bench bench-quick help format format-check \
        screenshots update-goldens bundle image check-image fuzz fuzz-build check-fuzz

all: $(O)/.layers-ok $(BOOTH) $(SWITCHBOARD) $(TOOLS) $(TESTS) $(SBLOAD) $(LOCALES)

help:
	@echo "make deps        install Debian packages and npm modules (root)"
	@echo "make             build into $(O)/ (board $(BOARD) unless configured)"
	@echo "make check       install, build and run every test"
	@echo "make demo        switchboard + simulated booth + adviser URL"
	@echo "make bench-load  the switchboard under load: booth connections held, relay latency (BENCH_QUICK=1: small N)"
	@echo "make bench-soak  500 calls on one booth and one switchboard: RSS and fds (BENCH_QUICK=1: 25 calls)"
	@echo "make bench-threeway  the booth's CPU, PSS and uplink with two and with three parties"
	@echo "make asan        AddressSanitizer/UBSan build in $(ASAN_O)/ and unit tests"
	@echo "make check-asan  the sanitizer pass of make check: integration + e2e on $(ASAN_O)/, LSan on"
	@echo "make fuzz        each libFuzzer harness for FUZZ_SECONDS (tests/fuzz/README.md)"
	@echo "make check-fuzz  the fuzz suite of make check: regressions, then 5 s per harness"
	@echo "make <board>_defconfig | menuconfig | savedefconfig"
	@echo "make bench       relais-booth against a Chromium kiosk side by side, and the other benchmarks: one table (<= 20 min)"
	@echo "make bench-quick the same, one case and few calls, while developing (<= 3 min)"
	@echo "make screenshots every UI screen, fr and en, in $(O)/screenshots/"
	@echo "make update-goldens  re-render tests/golden/ (after a deliberate UI change)"
	@echo "make image BOARD=qemu-arm64  booth disk image in $(O)/<board>/ (root, slow)"
	@echo "make bundle BOARD=qemu-arm64|rpi4|rpi5  signed RAUC update bundle in $(O)/<board>/"
	@echo "make check-image the qemu-arm64 image under QEMU: enrolment, update, rollback, power cut (root, slow)"

# --- configuration -------------------------------------------------------
%_defconfig:
	@test -f board/$*/defconfig || { echo "no board/$*/defconfig" >&2; exit 1; }
	@mkdir -p $(O)
	$(KPY) -m defconfig --kconfig Kconfig board/$*/defconfig

$(KCONFIG_CONFIG):
	@mkdir -p $(O)
	$(KPY) -m defconfig --kconfig Kconfig board/$(BOARD)/defconfig

menuconfig: | $(KCONFIG_CONFIG)
	$(KPY) -m menuconfig Kconfig

savedefconfig: $(KCONFIG_CONFIG)
	$(KPY) -m savedefconfig --kconfig Kconfig --out $(O)/defconfig
	@echo "wrote $(O)/defconfig (copy it to board/<name>/defconfig)"

olddefconfig: $(KCONFIG_CONFIG)
	$(KPY) -m olddefconfig Kconfig

KCONFIG_FILES := Kconfig $(wildcard */Kconfig firmware/*/Kconfig firmware/*/Kconfig.* firmware/*/*/Kconfig)
$(CONFIG_H): $(KCONFIG_CONFIG) $(KCONFIG_FILES)
	@mkdir -p $(dir $@)
	$(KPY) -m olddefconfig Kconfig >/dev/null
	$(KPY) -m genconfig --header-path $@ Kconfig

# --- build ---------------------------------------------------------------
# Which packages and include folders each object sees (the most specific
# pattern wins). firmware/lib never sees a program's folder.
$(O)/obj/firmware/lib/docfile.o: TIER_PKGS = POPPLER_PKGS
$(O)/obj/firmware/lib/qr.o: TIER_PKGS = QR_PKGS
$(O)/obj/firmware/lib/sslerr.o: TIER_PKGS = SSL_PKGS
$(O)/obj/firmware/lib/pki.o: TIER_PKGS = SSL_PKGS
$(O)/obj/firmware/lib/pinhash.o: TIER_PKGS = SSL_PKGS
$(O)/obj/firmware/lib/boothconf.o: TIER_PKGS = SSL_PKGS
$(O)/obj/firmware/lib/randomid.o: TIER_PKGS = SSL_PKGS
$(O)/obj/firmware/lib/sdnotify.o: TIER_PKGS = SYSTEMD_PKGS
$(O)/obj/firmware/lib/diagclient.o: TIER_PKGS = SOUP_PKGS
$(call obj,$(MEDIA_SRC)): TIER_PKGS = MEDIA_PKGS
$(O)/obj/firmware/switchboard/%.o: TIER_PKGS = SB_PKGS
$(O)/obj/firmware/switchboard/%.o: TIER_INC = -Ifirmware/lib -Ifirmware/switchboard
$(O)/obj/firmware/booth/%.o: TIER_PKGS = BOOTH_PKGS
$(O)/obj/firmware/booth/%.o: TIER_INC = -Ifirmware/lib -Ifirmware/booth
# the booth's clock is wrong if it reads earlier than its own build (enrolment)
$(O)/obj/firmware/booth/main.o: OBJ_DEFS = -DRELAIS_BUILD_EPOCH=$(or $(SOURCE_DATE_EPOCH),0)
$(O)/obj/firmware/tools/%.o: TIER_PKGS = BOOTH_PKGS
$(O)/obj/firmware/tools/%.o: TIER_INC = -Ifirmware/lib -Ifirmware/booth
$(O)/obj/tests/%.o: TIER_PKGS = TEST_PKGS
$(O)/obj/tests/%.o: TIER_INC = -Ifirmware/lib -Ifirmware/booth -Ifirmware/switchboard -Itests/lib
$(BOOTH) $(TOOLS): TIER_PKGS = BOOTH_PKGS
$(SWITCHBOARD): TIER_PKGS = SB_PKGS
$(TESTS): TIER_PKGS = TEST_PKGS

# the diagnostics report says which software the booth runs; the hello
# says it as RELAIS_SOFTWARE, the same words as a bundle's version
RELAIS_VERSION := 0.10
RELAIS_BUILD_ID := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
RELAIS_SOFTWARE := $(RELAIS_VERSION)-$(subst -dirty,.dirty,$(RELAIS_BUILD_ID))
# A header rewritten only when these words change (the check runs at every
# make, so a new commit rebuilds diag.o, and nothing else does).
BUILD_H := $(O)/include/relais-build.h
$(BUILD_H): FORCE
	@mkdir -p $(dir $@)
	@printf '#define RELAIS_VERSION "%s"\n#define RELAIS_BUILD_ID "%s"\n#define RELAIS_SOFTWARE "%s"\n' \
		'$(RELAIS_VERSION)' '$(RELAIS_BUILD_ID)' '$(RELAIS_SOFTWARE)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(O)/obj/firmware/booth/diag.o: $(BUILD_H)
# /metrics' relais_build_info{version}
$(O)/obj/firmware/switchboard/server.o: $(BUILD_H)
.PHONY: FORCE
FORCE:

$(O)/obj/%.o: %.c $(CONFIG_H)
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	@$(CC) $(ALL_CFLAGS) -c $< -o $@

# the layering rule, checked before linking anything (firmware/check-layers.sh)
$(O)/.layers-ok: firmware/check-layers.sh $(wildcard firmware/lib/*.[ch] firmware/switchboard/*.[ch])
	@mkdir -p $(dir $@)
	@firmware/check-layers.sh $(MEDIA_SRC) && touch $@

$(LIBCORE) $(LIBMEDIA) $(LIBSB) $(LIBBOOTH): | $(O)/.layers-ok

$(LIBCORE): $(call obj,$(LIB_SRC))
	@mkdir -p $(dir $@)
	@rm -f $@ && ar rcs $@ $^

$(LIBMEDIA): $(call obj,$(MEDIA_SRC))
	@mkdir -p $(dir $@)
	@rm -f $@ && ar rcs $@ $^

$(LIBBOOTH): $(call obj,$(filter-out %/main.c,$(BOOTH_SRC)))
	@mkdir -p $(dir $@)
	@rm -f $@ && ar rcs $@ $^

$(LIBSB): $(call obj,$(filter-out %/main.c,$(SB_SRC)))
	@mkdir -p $(dir $@)
	@rm -f $@ && ar rcs $@ $^

$(BOOTH): $(O)/obj/firmware/booth/main.o $(LIBBOOTH) $(LIBMEDIA) $(LIBCORE)
	@mkdir -p $(dir $@)
	@echo "  LD    $@"
	@$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(SWITCHBOARD): $(O)/obj/firmware/switchboard/main.o $(LIBSB) $(LIBCORE)
	@mkdir -p $(dir $@)
	@echo "  LD    $@"
	@$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(O)/bin/%: $(O)/obj/firmware/tools/%.o $(LIBBOOTH) $(LIBMEDIA) $(LIBCORE)
	@mkdir -p $(dir $@)
	@echo "  LD    $@"
	@$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# --check: the header, and every c-format entry's conversions against its
# msgid (firmware/lib/catalog.h): a translation that would make the booth's
# printf read an int as a string stops the build here. msgfmt writes its
# output even when the check fails: through a temp file, so that a refused
# catalog leaves nothing the next make would take as up to date
$(O)/locale/%/LC_MESSAGES/relais-booth.mo: $(I18N)/%.po
	@mkdir -p $(dir $@)
	@echo "  MSGFMT $<"
	@msgfmt --check -o $@.tmp $< && mv $@.tmp $@ || { rm -f $@.tmp; exit 1; }

$(LIBTEST): $(call obj,$(TESTLIB_SRC))
	@mkdir -p $(dir $@)
	@rm -f $@ && ar rcs $@ $^

$(SBLOAD): TIER_PKGS = SSL_PKGS
$(SBLOAD): $(O)/obj/tests/bench/sbload.o $(LIBCORE)
	@mkdir -p $(dir $@)
	@echo "  LD    $@"
	@$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(O)/tests/%: $(O)/obj/tests/%.o $(LIBTEST) $(LIBSB) $(LIBBOOTH) $(LIBMEDIA) $(LIBCORE)
	@mkdir -p $(dir $@)
	@echo "  LD    $@"
	@$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)

# --- fuzzing (tests/fuzz/README.md) -------------------------------------------
# clang's libFuzzer with ASan+UBSan (LeakSanitizer on) over the parsers a
# remote party reaches: a separate object set in $(FUZZ_O), the library and
# switchboard sources compiled again with clang and the fuzzer's coverage
# instrumentation, one binary per tests/fuzz/fuzz-NAME.c (with common.c).
FUZZ_CC ?= clang
FUZZ_O := $(O)/fuzz
FUZZ_SECONDS ?= 60
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
# clang calls a g_autoptr variable kept only for its cleanup unused; gcc's
# build still catches the real ones
FUZZ_CFLAGS = -O1 -g $(FUZZ_SAN) $(WARN) -Wno-unused-variable $(GLIB_PIN) -std=gnu11 -MMD -MP -I$(O)/include \
              -Ifirmware/lib -Ifirmware/switchboard $(FUZZ_INC) -Itests/fuzz $(call pkg_memo,TEST_PKGS,cflags) $(CFLAGS)
FUZZ_NAMES := $(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_BINS := $(patsubst %,$(FUZZ_O)/fuzz-%,$(FUZZ_NAMES))
# the core library, the media tier's board file reader, the switchboard
# without main.c and the booth's reader of booking answers, as one archive:
# a harness links only the modules it calls
FUZZ_LIB_SRC := $(LIB_SRC) firmware/lib/mediaconf.c $(filter-out %/main.c,$(SB_SRC)) firmware/booth/booth-bookings.c
FUZZ_LIB := $(FUZZ_O)/librelais-fuzz.a
fuzz_obj = $(patsubst %.c,$(FUZZ_O)/obj/%.o,$(1))
# the booth's folder only where needed: its link.h would hide the system's
$(FUZZ_O)/obj/tests/fuzz/fuzz-booking.o: FUZZ_INC = -Ifirmware/booth
$(FUZZ_O)/obj/firmware/switchboard/server.o: $(BUILD_H)

$(FUZZ_O)/obj/%.o: %.c $(CONFIG_H)
	@mkdir -p $(dir $@)
	@echo "  CLANG $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIB): $(call fuzz_obj,$(FUZZ_LIB_SRC))
	@rm -f $@ && ar rcs $@ $^

$(FUZZ_O)/fuzz-%: $(FUZZ_O)/obj/tests/fuzz/fuzz-%.o $(FUZZ_O)/obj/tests/fuzz/common.o $(FUZZ_LIB)
	@echo "  LD    $@"
	@$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(call pkg_memo,TEST_PKGS,libs) -lm

fuzz-build: $(FUZZ_BINS)

# every harness in turn (never in parallel: the machines are shared), each
# for FUZZ_SECONDS from its committed corpus; new inputs go to
# $(FUZZ_O)/corpus/NAME, crashes to $(FUZZ_O)/crashes/NAME
fuzz: fuzz-build
	@tests/fuzz/run.sh $(O) long $(FUZZ_SECONDS)

# the short run of make check: the regressions replayed, then each harness
# a few seconds (tests/run-all.sh calls it as its "fuzz" suite)
check-fuzz: fuzz-build
	@tests/run-all.sh $(O) fuzz

-include $(shell find $(FUZZ_O)/obj -name '*.d' 2>/dev/null)

# --- set-up, tests, demo --------------------------------------------------
deps:
	@board/host/install-deps.sh

# make check: every suite on $(O), then the sanitizer pass (integration and
# e2e again, on the ASan+UBSan build, tests/sanitizer/README.md); both always
# run, and either one failing fails the check. The sanitizer pass runs every
# e2e file, in two rounds: those of CHECK_ASAN_E2E (the call paths of the
# booth and the switchboard and their hostile inputs) with full allocation
# stacks and LeakSanitizer, as the integration suite; the others with ASan's
# fast unwinder, leaks not checked (with full stacks the whole suite takes
# longer than CI's budget). make check-asan runs every file in the first
# round.
CHECK_ASAN_E2E ?= call queue badinput hostile restart auth
check: deps
	@$(MAKE) --no-print-directory all fuzz-build
	@$(MAKE) --no-print-directory asan-build
	@rc=0; tests/run-all.sh $(O) || rc=1; \
	RELAIS_SAN_E2E="$(CHECK_ASAN_E2E)" RELAIS_SAN_E2E_REST=1 tests/run-all.sh $(ASAN_O) asan || rc=1; exit $$rc

check-unit: all
	@tests/run-all.sh $(O) unit

check-integration: all
	@tests/run-all.sh $(O) integration

check-e2e: all
	@tests/run-all.sh $(O) e2e

# the network fault lab (tests/network/README.md): namespaces, iptables, tc;
# needs root (`make check` runs it too when root, ~6 min)
check-network: all
	@tests/run-all.sh $(O) network

# The sanitizer build: every program and test with AddressSanitizer and
# UndefinedBehaviorSanitizer (a UBSan error ends the process), in its own
# folder. `make asan` runs the unit tests on it (the quick look, leaks off);
# `make check-asan` the integration and e2e suites with LeakSanitizer on and
# every report a failure (tests/sanitizer/README.md).
ASAN_O ?= build-asan
asan-build:
	@$(MAKE) --no-print-directory O=$(ASAN_O) OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" all

asan: asan-build
	@ASAN_OPTIONS=detect_leaks=0 tests/run-all.sh $(ASAN_O) unit

check-asan: asan-build
	@RELAIS_SAN_E2E=all tests/run-all.sh $(ASAN_O) asan

demo: deps
	@$(MAKE) --no-print-directory all
	@board/host/demo.sh $(O)

FORMAT_SRC = $(shell git ls-files 'firmware/*.c' 'firmware/*.h' 'tests/*.c' 'tests/*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_SRC)

format-check:
	@clang-format --dry-run --Werror $(FORMAT_SRC) && echo "format: clean"

# Every screen in French and English at 1280x800 and 800x480, plus a contact
# sheet: $(O)/screenshots/contact-sheet.png. Headless (SDL offscreen driver).
UI_SHOTS = SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy $(O)/bin/relais-ui-shots \
	--locale-dir $(O)/locale --questions assets/questions/default.ini
screenshots: all
	@rm -rf $(O)/screenshots
	@$(UI_SHOTS) --out $(O)/screenshots
	@echo "wrote $(O)/screenshots/contact-sheet.png"

# The golden images tests/unit/test-ui-golden compares against: re-render
# them after a deliberate UI change, look at them, and commit them.
update-goldens: all
	@$(UI_SHOTS) --golden tests/golden
	@echo "rewrote tests/golden/ (review with git diff --stat, look at the PNGs)"

# The booth's disk image and its block map in $(O)/<board>/: a Debian 12
# arm64 root by mmdebstrap, the booth cross-compiled, genimage's partitions
# (board/common/image/README.md). Slow (downloads, qemu-user); not in check.
image:
	@board/common/image/build.sh $(BOARD) $(O)/$(BOARD)

# The qemu-arm64 image booted under emulation against a switchboard on this
# host: first boot and enrolment, an update kept, a failed update rolled
# back and reported, a power cut mid-install (tests/image/README.md). Root,
# slow (20-40 min); not in check.
check-image: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory image BOARD=qemu-arm64
	@tests/image/run.sh $(O)

# A signed RAUC bundle (verity) of the board's boot and root images, made by
# the image build in $(O)/$(BOARD)/: board/common/rauc/README.md. Signed with
# RELAIS_BUNDLE_KEY/_CERT, else a development key pair (a loud warning).
bundle:
	@O=$(O) board/common/rauc/mkbundle.sh $(BOARD) $(RELAIS_SOFTWARE)

# relais-booth against a Chromium kiosk, same calls, same run, and every
# other part of tests/bench: one table, JSON in $(O)/bench/ (tests/bench/README.md)
bench: all
	@tests/bench/run.sh $(O) full

bench-quick: all
	@tests/bench/run.sh $(O) quick

# the switchboard under load, alone: $(O)/bench/load.json (tests/bench/README-load.md)
bench-load: all
	@cd tests/e2e && RELAIS_TOP=$(CURDIR) RELAIS_BUILD=$(abspath $(O)) RELAIS_PIPELINES_DIR=$(CURDIR)/pipelines node ../bench/load.mjs

# the soak, alone: $(O)/bench/soak.json (tests/bench/README-load.md)
bench-soak: all
	@cd tests/e2e && RELAIS_TOP=$(CURDIR) RELAIS_BUILD=$(abspath $(O)) RELAIS_PIPELINES_DIR=$(CURDIR)/pipelines SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy node ../bench/soak.mjs

# a guest's cost to the booth, two parties against three (tests/bench/README.md "Three parties")
bench-threeway: all
	@cd tests/e2e && RELAIS_TOP=$(CURDIR) RELAIS_BUILD=$(abspath $(O)) RELAIS_PIPELINES_DIR=$(CURDIR)/pipelines SDL_VIDEODRIVER=offscreen SDL_AUDIODRIVER=dummy node ../bench/threeway.mjs

clean:
	rm -rf $(O) $(ASAN_O)
