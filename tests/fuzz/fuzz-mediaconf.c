/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A board's media file (pipelines/<board>/media.conf, read by
 * firmware/lib/mediaconf.c): a key file whose values are gst-launch
 * fragments, each parsed by the real GStreamer parser (elements are
 * created, never started). It ships in update bundles. Beyond "no crash,
 * no leak": an accepted file answers every getter, and its fragments
 * expand without an unknown variable.
 */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include "fuzz.h"
#include "mediaconf.h"

#include <gst/gst.h>
#include <link.h>
#include <sanitizer/allocator_interface.h>
#include <sanitizer/lsan_interface.h>
#include <string.h>

/* GLib's quark table (gquark.c) is replaced by a bigger copy each time
 * it fills (2048 quarks), and the old block is left to lock-free readers
 * on purpose ("This leaks the old quarks array"): GStreamer passes 2048
 * quarks, and LeakSanitizer would report the old block as a leak of the
 * input that made the table grow. Third-party and by design: the harness
 * keeps every table it has seen in `quark_tables`, so that LSan finds them
 * reachable, and LSan keeps its fast unwinding (GLib has no frame pointers:
 * a suppression would need the slow unwinder, 30 times slower here). The
 * table's pointer is GLib's static `quarks`, found once in GLib's writable
 * data as the heap block whose entries are g_quark_to_string()'s. */
static const char *const *const *quarks_slot;
static const void *quark_tables[64];
static guint n_quark_tables;

static gboolean is_quark_table(const void *p)
{
	if (p == NULL || !__sanitizer_get_ownership(p) || __sanitizer_get_allocated_size(p) < 4 * sizeof(char *))
		return FALSE;
	const char *const *t = p;
	return t[1] == g_quark_to_string(1) && t[2] == g_quark_to_string(2) && t[3] == g_quark_to_string(3);
}

static int find_quarks(struct dl_phdr_info *info, size_t size, void *data)
{
	if (strstr(info->dlpi_name, "libglib-2.0.so") == NULL)
		return 0;
	for (int i = 0; i < info->dlpi_phnum && quarks_slot == NULL; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
			continue;
		const void *const *w = (const void *const *)(info->dlpi_addr + ph->p_vaddr);
		const void *const *end = (const void *const *)(info->dlpi_addr + ph->p_vaddr + ph->p_memsz);
		for (; w + 1 <= end; w++)
			if (is_quark_table(*w)) {
				quarks_slot = (const char *const *const *)w;
				break;
			}
	}
	return 1;
}

static void keep_quark_table(void)
{
	const void *t = quarks_slot ? *quarks_slot : NULL;
	if (t == NULL || (n_quark_tables && quark_tables[n_quark_tables - 1] == t))
		return;
	g_assert_cmpuint(n_quark_tables, <, G_N_ELEMENTS(quark_tables));
	quark_tables[n_quark_tables++] = t;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	relais_fuzz_init();
	/* GStreamer 1.22's parser, given a syntax error after a caps filter
	 * ("a ! x/y ! b ! , ! c"), links what it parsed before failing,
	 * outside any bin: a critical, then the syntax error it reports as
	 * usual (gst-launch-1.0 shows the same). GStreamer's bug, reached by
	 * any media.conf with such a typo; mediaconf.c reports the error. */
	relais_fuzz_allow_critical("GStreamer",
				   "gst_element_link_pads_filtered: assertion 'GST_IS_BIN (parent)' failed");
	/* Its caps parser, given a caps filter whose structure name is not a
	 * valid one ("video/x-(raw"), asks gst_structure_new_empty() for it
	 * before refusing the caps (gst_caps_from_string, from the parser). */
	relais_fuzz_allow_critical("GStreamer",
				   "gst_structure_new_empty: assertion 'gst_structure_validate_name (name)' failed");
	/* The parser hands an element's properties to GObject as they are
	 * written: one named twice ("webrtcdsp high-pass-filter=true
	 * high-pass-filter=true") is GObject's critical, and the element is
	 * made with the first (gst-launch-1.0 does the same). Found by this
	 * harness in CI; mediaconf.c should refuse it with a sentence (not
	 * done yet: tests/fuzz/README.md). */
	relais_fuzz_allow_critical("GLib-GObject", "g_object_new_is_valid_property: property '");
	g_quark_from_static_string("relais-fuzz"); /* at least 3 quarks */
	dl_iterate_phdr(find_quarks, NULL);
	if (quarks_slot == NULL)
		g_error("GLib's quark table not found: see the comment above");
	keep_quark_table();
	/* Every plugin loaded now, outside LeakSanitizer's view: what a plugin
	 * and its libraries allocate once when they are loaded is theirs, and
	 * a first load during a run would count against that input. */
	__lsan_disable();
	gst_init(NULL, NULL);
	GList *plugins = gst_registry_get_plugin_list(gst_registry_get());
	for (GList *l = plugins; l; l = l->next) {
		GstPlugin *loaded = gst_plugin_load(l->data);
		if (loaded)
			gst_object_unref(loaded);
	}
	gst_plugin_list_free(plugins);
	__lsan_enable();
	keep_quark_table();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RelaisMediaConf) conf =
		relais_media_conf_load_data("fuzz/media.conf", (const char *)data, size, &error);
	if (conf == NULL) {
		g_assert(error != NULL);
		keep_quark_table();
		return 0;
	}
	g_assert(relais_media_conf_get_board(conf) != NULL);
	g_assert(relais_media_conf_video_codec(conf) != NULL);
	g_assert(relais_media_conf_audio_codec(conf) != NULL);
	(void)relais_media_conf_get_latency(conf);
	relais_media_conf_set_bitrate(conf, 800);
	g_assert_cmpuint(relais_media_conf_get_bitrate(conf), ==, 800);
	static const char *const keys[] = {"encoder", "decoder", "processing", "playback"};
	for (guint g = 0; g < 2; g++)
		for (guint k = 0; k < G_N_ELEMENTS(keys); k++)
			g_free(relais_media_conf_dup_fragment(conf, g ? "audio" : "video", keys[k]));
	g_auto(GStrv) missing = relais_media_conf_missing_elements(conf);
	g_assert(missing != NULL);
	keep_quark_table();
	return 0;
}
