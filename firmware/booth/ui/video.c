/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-ui-video"

#include "ui/video.h"
#include "relais-config.h"

#include <SDL_image.h>
#include <gst/gst.h>
#include <gst/video/video.h>

struct _BoothUiMailbox {
	GMutex lock;
	GstSample *latest;
	GSource *wake; /* the attached UI's: made ready on each post */
};

BoothUiMailbox *booth_ui_mailbox_new(void)
{
	BoothUiMailbox *mb = g_new0(BoothUiMailbox, 1);
	g_mutex_init(&mb->lock);
	return mb;
}

void booth_ui_mailbox_free(BoothUiMailbox *mb)
{
	if (mb == NULL)
		return;
	g_clear_pointer(&mb->latest, gst_sample_unref);
	g_clear_pointer(&mb->wake, g_source_unref);
	g_mutex_clear(&mb->lock);
	g_free(mb);
}

/* The streaming thread never waits for the UI: the lock only covers a
 * pointer swap, and the replaced frame is released outside it. */
void booth_ui_mailbox_post(BoothUiMailbox *mb, GstSample *sample)
{
	GstSample *old;
	g_mutex_lock(&mb->lock);
	old = mb->latest;
	mb->latest = sample ? gst_sample_ref(sample) : NULL;
	GSource *wake = sample && mb->wake ? g_source_ref(mb->wake) : NULL;
	g_mutex_unlock(&mb->lock);
	if (old)
		gst_sample_unref(old);
	/* the UI draws it as soon as its frame rate allows, not at its next
	 * input tick (16 ms later at worst: latency on the glass) */
	if (wake) {
		g_source_set_ready_time(wake, 0);
		g_source_unref(wake);
	}
}

static void mailbox_set_wake(BoothUiMailbox *mb, GSource *wake)
{
	g_mutex_lock(&mb->lock);
	GSource *old = mb->wake;
	mb->wake = wake ? g_source_ref(wake) : NULL;
	g_mutex_unlock(&mb->lock);
	if (old)
		g_source_unref(old);
}

void ui_video_set_wake(BoothUi *ui, GSource *wake)
{
	ui->wake = wake;
	for (int i = 0; i < BOOTH_UI_N_VIDEO; i++)
		if (ui->mailbox[i])
			mailbox_set_wake(ui->mailbox[i], wake);
}

GstSample *booth_ui_mailbox_take(BoothUiMailbox *mb)
{
	g_mutex_lock(&mb->lock);
	GstSample *s = g_steal_pointer(&mb->latest);
	g_mutex_unlock(&mb->lock);
	return s;
}

void booth_ui_set_mailbox(BoothUi *ui, BoothUiVideo which, BoothUiMailbox *mb)
{
	g_return_if_fail((guint)which < BOOTH_UI_N_VIDEO);
	if (ui->mailbox[which] && ui->mailbox[which] != mb)
		mailbox_set_wake(ui->mailbox[which], NULL);
	ui->mailbox[which] = mb;
	if (mb)
		mailbox_set_wake(mb, ui->wake);
}

void ui_video_poll_mailboxes(BoothUi *ui)
{
	for (int i = 0; i < BOOTH_UI_N_VIDEO; i++) {
		if (ui->mailbox[i] == NULL)
			continue;
		g_autoptr(GstSample) s = booth_ui_mailbox_take(ui->mailbox[i]);
		g_autoptr(GError) error = NULL;
		if (s && !booth_ui_push_sample(ui, i, s, &error))
			g_debug("dropped a frame: %s", error->message);
	}
}

guint ui_video_pending_mask(BoothUi *ui)
{
	guint mask = 0;
	for (int i = 0; i < BOOTH_UI_N_VIDEO; i++) {
		BoothUiMailbox *mb = ui->mailbox[i];
		if (mb == NULL)
			continue;
		g_mutex_lock(&mb->lock);
		if (mb->latest != NULL)
			mask |= 1u << i;
		g_mutex_unlock(&mb->lock);
	}
	return mask;
}

gboolean ui_video_pending(BoothUi *ui)
{
	return ui_video_pending_mask(ui) != 0;
}

/* When the pending frames are due on the glass (monotonic us; G_MAXINT64:
 * none pending). The adviser's picture (or shared screen) is drawn as soon
 * as it comes: its own rate bounds the renders, and any wait is latency.
 * The visitor's own picture alone waits for the frame period, and while
 * the adviser's frames flow it rides along with theirs (two unsynchronised
 * 30 fps streams would otherwise make every adviser frame wait for the
 * period after an own-picture render: 15 ms on average). */
gint64 ui_video_due_us(BoothUi *ui)
{
	const gint64 period = G_USEC_PER_SEC / CONFIG_RELAIS_UI_VIDEO_FPS;
	guint mask = ui_video_pending_mask(ui);
	if (mask == 0)
		return G_MAXINT64;
	if (mask & ~(1u << BOOTH_UI_VIDEO_LOCAL))
		return ui->last_render_us;
	if (ui->last_remote_us && ui->last_render_us - ui->last_remote_us < 2 * period)
		return ui->last_render_us + 2 * period;
	return ui->last_render_us + period - 2000;
}

void booth_ui_clear_video(BoothUi *ui, BoothUiVideo which)
{
	g_return_if_fail((guint)which < BOOTH_UI_N_VIDEO);
	if (ui->video[which])
		ui_mark_dirty(ui);
	g_clear_pointer(&ui->video[which], SDL_DestroyTexture);
	ui->video_w[which] = ui->video_h[which] = 0;
	ui->video_format[which] = 0;
	ui->video_tex_w[which] = ui->video_tex_h[which] = 0;
	g_clear_pointer(&ui->video_half[which], g_free);
	if (which == BOOTH_UI_VIDEO_REMOTE)
		ui->stamp_state = STAMP_NONE;
}

void ui_video_destroy(BoothUi *ui)
{
	for (int i = 0; i < BOOTH_UI_N_VIDEO; i++)
		booth_ui_clear_video(ui, i);
}

/* The texture a frame goes into. A GPU renderer converts IYUV in its
 * shader. SDL's software renderer keeps an IYUV texture as a copy of the
 * planes plus an ARGB surface it converts them into, and then blits ARGB
 * into the window's XRGB with a masking loop (scaled, the own picture:
 * through its generic blitter). Converting the planes ourselves, straight
 * into a texture in the window's own format, skips the copy and the second
 * buffer, and the blit becomes a memcpy (scaled: SDL_SoftStretch); the
 * conversion is SDL's, the same as before. SDL_ConvertPixels wants the
 * planes one after the other, as GStreamer lays out I420 by default; a
 * frame laid out otherwise takes the IYUV texture. */
static gboolean planes_one_after_the_other(int height, const guint8 *y, int y_stride, const guint8 *u, int u_stride,
					   const guint8 *v, int v_stride)
{
	return u_stride == (y_stride + 1) / 2 && v_stride == u_stride && u == y + (gsize)y_stride * height &&
	       v == u + (gsize)u_stride * ((height + 1) / 2);
}

static Uint32 video_texture_format(BoothUi *ui, gboolean one_after_the_other)
{
	Uint32 window = SDL_GetWindowPixelFormat(ui->window);
	if (!ui->software_renderer || !one_after_the_other ||
	    (window != SDL_PIXELFORMAT_RGB888 && window != SDL_PIXELFORMAT_ARGB8888))
		return SDL_PIXELFORMAT_IYUV;
	return window;
}

static gboolean video_upload(SDL_Texture *tex, Uint32 format, int width, int height, const guint8 *y, int y_stride,
			     const guint8 *u, int u_stride, const guint8 *v, int v_stride)
{
	if (format == SDL_PIXELFORMAT_IYUV)
		return SDL_UpdateYUVTexture(tex, NULL, y, y_stride, u, u_stride, v, v_stride) == 0;
	void *pixels;
	int pitch;
	if (SDL_LockTexture(tex, NULL, &pixels, &pitch) != 0)
		return FALSE;
	int rc = SDL_ConvertPixels(width, height, SDL_PIXELFORMAT_IYUV, y, y_stride, format, pixels, pitch);
	SDL_UnlockTexture(tex);
	return rc == 0;
}

/* Every second sample of every second row. */
static void halve_plane(guint8 *dst, int dw, int dh, const guint8 *src, int stride)
{
	for (int r = 0; r < dh; r++) {
		const guint8 *s = src + (gsize)2 * r * stride;
		guint8 *d = dst + (gsize)r * dw;
		for (int x = 0; x < dw; x++)
			d[x] = s[2 * x];
	}
}

/* A picture the last render drew at half its size or less (the visitor's
 * own picture in the corner of the call, the adviser's face beside a
 * shared screen) is halved before it is converted, with the software
 * renderer: a quarter of the conversion and of the texture. Nearest
 * neighbour, as SDL's own scaling on the way to the glass; the samples
 * taken may be one source pixel away from those it took. */
static gboolean video_halve(BoothUi *ui, BoothUiVideo which, int width, int height)
{
	return ui->software_renderer && ui->video[which] && ui->video_drawn[which] && ui->video_w[which] == width &&
	       ui->video_h[which] == height && width % 4 == 0 && height % 4 == 0 &&
	       ui->video_rect[which].w * 2 <= width && ui->video_rect[which].h * 2 <= height;
}

gboolean booth_ui_push_i420(BoothUi *ui, BoothUiVideo which, int width, int height, const guint8 *y, int y_stride,
			    const guint8 *u, int u_stride, const guint8 *v, int v_stride, GError **error)
{
	g_return_val_if_fail((guint)which < BOOTH_UI_N_VIDEO, FALSE);
	if (width <= 0 || height <= 0 || width > 4096 || height > 4096 || (width & 1) || (height & 1)) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "unsupported frame size %dx%d", width, height);
		return FALSE;
	}
	gboolean half = video_halve(ui, which, width, height);
	int tw = half ? width / 2 : width, th = half ? height / 2 : height;
	/* halved, the planes are ours, one after the other */
	Uint32 format = video_texture_format(
		ui, half || planes_one_after_the_other(height, y, y_stride, u, u_stride, v, v_stride));
	if (ui->video[which] == NULL || ui->video_w[which] != width || ui->video_h[which] != height ||
	    ui->video_tex_w[which] != tw || ui->video_tex_h[which] != th || ui->video_format[which] != format) {
		booth_ui_clear_video(ui, which);
		ui->video[which] = SDL_CreateTexture(ui->renderer, format, SDL_TEXTUREACCESS_STREAMING, tw, th);
		if (ui->video[which] == NULL) {
			g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "video texture %dx%d: %s", tw, th,
				    SDL_GetError());
			return FALSE;
		}
		SDL_SetTextureBlendMode(ui->video[which], SDL_BLENDMODE_NONE); /* opaque: a copy, no blending */
		ui->video_w[which] = width;
		ui->video_h[which] = height;
		ui->video_tex_w[which] = tw;
		ui->video_tex_h[which] = th;
		ui->video_format[which] = format;
		ui_mark_dirty(ui); /* a new picture, or a new size: its place changes */
	}
	if (half) {
		if (ui->video_half[which] == NULL)
			ui->video_half[which] = g_malloc((gsize)tw * th * 3 / 2);
		guint8 *hy = ui->video_half[which], *hu = hy + (gsize)tw * th, *hv = hu + (gsize)tw * th / 4;
		halve_plane(hy, tw, th, y, y_stride);
		halve_plane(hu, tw / 2, th / 2, u, u_stride);
		halve_plane(hv, tw / 2, th / 2, v, v_stride);
		y = hy, u = hu, v = hv;
		y_stride = tw;
		u_stride = v_stride = tw / 2;
	}
	if (!video_upload(ui->video[which], format, tw, th, y, y_stride, u, u_stride, v, v_stride)) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "video upload: %s", SDL_GetError());
		return FALSE;
	}
	ui->stats.video_uploads[which]++;
	if (which != BOOTH_UI_VIDEO_LOCAL)
		ui->last_remote_us = g_get_monotonic_time();
	/* only the picture changed: the next render may redraw just there */
	ui->video_fresh |= 1u << which;
	return TRUE;
}

gboolean booth_ui_push_sample(BoothUi *ui, BoothUiVideo which, GstSample *sample, GError **error)
{
	GstVideoInfo info;
	GstCaps *caps = gst_sample_get_caps(sample);
	GstBuffer *buf = gst_sample_get_buffer(sample);
	if (caps == NULL || buf == NULL || !gst_video_info_from_caps(&info, caps) ||
	    GST_VIDEO_INFO_FORMAT(&info) != GST_VIDEO_FORMAT_I420) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "sample is not I420 video");
		return FALSE;
	}
	GstVideoFrame frame;
	if (!gst_video_frame_map(&frame, &info, buf, GST_MAP_READ)) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "cannot map the video frame");
		return FALSE;
	}
	/* the stamp is read before the upload, from the decoder's own
	 * memory: only frames uploaded are candidates for the draw */
	guint32 stamp = 0;
	gboolean stamped =
		ui->stamp_stats != NULL && which == BOOTH_UI_VIDEO_REMOTE && relais_stamp_read_frame(&frame, &stamp);
	gboolean ok = booth_ui_push_i420(ui, which, GST_VIDEO_FRAME_WIDTH(&frame), GST_VIDEO_FRAME_HEIGHT(&frame),
					 GST_VIDEO_FRAME_PLANE_DATA(&frame, 0), GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0),
					 GST_VIDEO_FRAME_PLANE_DATA(&frame, 1), GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 1),
					 GST_VIDEO_FRAME_PLANE_DATA(&frame, 2), GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 2),
					 error);
	gst_video_frame_unmap(&frame);
	if (ok && ui->stamp_stats != NULL && which == BOOTH_UI_VIDEO_REMOTE) {
		ui->stamp_state = stamped ? STAMP_READ : STAMP_UNREADABLE;
		ui->stamp = stamp;
	}
	return ok;
}

void booth_ui_set_stamp_stats(BoothUi *ui, RelaisStampStats *stats)
{
	if (stats)
		relais_stamp_stats_ref(stats);
	g_clear_pointer(&ui->stamp_stats, relais_stamp_stats_unref);
	ui->stamp_stats = stats;
	ui->stamp_state = STAMP_NONE;
}

/* After SDL_RenderPresent: the age of the adviser's picture just shown,
 * if this render drew one that came with a new frame. A picture not drawn
 * (another screen) is forgotten: only what reached the glass counts. */
void ui_video_presented(BoothUi *ui)
{
	if (ui->stamp_stats == NULL || ui->stamp_state == STAMP_NONE)
		return;
	if (ui->video_drawn[BOOTH_UI_VIDEO_REMOTE]) {
		if (ui->stamp_state == STAMP_READ)
			relais_stamp_stats_add(
				ui->stamp_stats,
				relais_stamp_age_ms(ui->stamp, relais_stamp_from_real_time(g_get_real_time())));
		else
			relais_stamp_stats_add_unreadable(ui->stamp_stats);
	}
	ui->stamp_state = STAMP_NONE;
}

/* Letterboxed into r ("contain"): cropping a face would hide what the
 * visitor is shown of themselves. */
void ui_draw_video(BoothUi *ui, BoothUiVideo which, SDL_Rect r, const char *placeholder)
{
	const UiTheme *t = ui_theme(ui);
	int radius = ui_px(ui, 14);
	if (ui->video[which] == NULL) {
		ui_round_rect(ui, r, radius, t->video_bg);
		if (placeholder)
			ui_text(ui, FONT_BODY, FALSE, placeholder, r, 0, TRUE, (SDL_Color){0xe8, 0xec, 0xee, 0xff});
		return;
	}
	double sx = (double)r.w / ui->video_w[which], sy = (double)r.h / ui->video_h[which];
	double s = MIN(sx, sy);
	/* with the software renderer a small enlargement costs a scaling pass
	 * per frame on the CPU and adds no detail (Kconfig
	 * RELAIS_UI_VIDEO_ENLARGE_MIN_PERCENT): own size instead. A GPU
	 * scales for nothing: there the picture fills its place, as large as
	 * it can be for a visitor who reads lips or signs. */
	if (ui->software_renderer && s > 1.0 && s * 100 < CONFIG_RELAIS_UI_VIDEO_ENLARGE_MIN_PERCENT)
		s = 1.0;
	SDL_Rect d = {0, 0, (int)(ui->video_w[which] * s), (int)(ui->video_h[which] * s)};
	d.x = r.x + (r.w - d.w) / 2;
	d.y = r.y + (r.h - d.h) / 2;
	/* The frame's background only where the picture leaves bars: painting
	 * it under the picture too would cost a full-size fill per frame. */
	SDL_Rect bars[4] = {
		{r.x, r.y, d.x - r.x, r.h},
		{d.x + d.w, r.y, r.x + r.w - d.x - d.w, r.h},
		{d.x, r.y, d.w, d.y - r.y},
		{d.x, d.y + d.h, d.w, r.y + r.h - d.y - d.h},
	};
	SDL_Rect clip;
	gboolean clipped = SDL_RenderIsClipEnabled(ui->renderer);
	SDL_RenderGetClipRect(ui->renderer, &clip);
	for (guint i = 0; i < G_N_ELEMENTS(bars); i++) {
		SDL_Rect part = bars[i];
		if (part.w <= 0 || part.h <= 0 || (clipped && !SDL_IntersectRect(&bars[i], &clip, &part)))
			continue;
		SDL_RenderSetClipRect(ui->renderer, &part);
		ui_round_rect(ui, r, radius, t->video_bg);
	}
	/* the clip as it was (it already holds any damage rectangle) */
	SDL_RenderSetClipRect(ui->renderer, clipped ? &clip : NULL);
	SDL_RenderCopy(ui->renderer, ui->video[which], NULL, &d);
	ui->video_drawn[which] = TRUE;
	ui->video_rect[which] = d;
}

SDL_Surface *booth_ui_snapshot(BoothUi *ui, GError **error)
{
	g_autoptr(SDL_Surface) s = SDL_CreateRGBSurfaceWithFormat(0, ui->w, ui->h, 24, SDL_PIXELFORMAT_RGB24);
	if (s == NULL || SDL_RenderReadPixels(ui->renderer, NULL, SDL_PIXELFORMAT_RGB24, s->pixels, s->pitch) != 0) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "reading pixels: %s", SDL_GetError());
		return NULL;
	}
	return g_steal_pointer(&s);
}

gboolean booth_ui_save_png(BoothUi *ui, const char *path, GError **error)
{
	g_autoptr(SDL_Surface) s = booth_ui_snapshot(ui, error);
	if (s == NULL)
		return FALSE;
	if (IMG_SavePNG(s, path) != 0) {
		g_set_error(error, BOOTH_UI_ERROR, BOOTH_UI_ERROR_SDL, "writing %s: %s", path, IMG_GetError());
		return FALSE;
	}
	return TRUE;
}

BoothUiMailbox *booth_ui_get_mailbox(BoothUi *ui, BoothUiVideo which)
{
	g_return_val_if_fail(which < BOOTH_UI_N_VIDEO, NULL);
	return ui->mailbox[which];
}
