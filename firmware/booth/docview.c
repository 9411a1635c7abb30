/* SPDX-License-Identifier: GPL-2.0-or-later */
#define G_LOG_DOMAIN "relais-docview"

#include "docview.h"

struct _BoothDocView {
	Booth *booth;
	BoothUi *ui;
	/* one page is drawn at a time; a request made meanwhile waits for
	 * the drawing in progress */
	char *drawn;	  /* "id:page@WxH" of the picture on screen */
	guint drawn_page; /* its page (0: none) */
	char *drawing;	  /* the same of the drawing in progress */
	gboolean again;	  /* another drawing is wanted after it */
	GCancellable *cancel;
};

typedef struct {
	GBytes *bytes;
	RelaisDocKind kind;
	guint page;
	int w, h;
} DocJob;

static void doc_job_free(DocJob *j)
{
	g_bytes_unref(j->bytes);
	g_free(j);
}

static void doc_job_run(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	DocJob *j = data;
	GError *error = NULL;
	SDL_Surface *s = booth_ui_render_document(j->bytes, j->kind, j->page, j->w, j->h, &error);
	if (s == NULL)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, s, (GDestroyNotify)SDL_FreeSurface);
}

static void on_doc_drawn(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(SDL_Surface) s = g_task_propagate_pointer(G_TASK(res), &error);
	if (s == NULL && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return; /* the visitor's session is over: dv may be gone */
	BoothDocView *dv = data;
	g_clear_object(&dv->cancel);
	g_autofree char *what = g_steal_pointer(&dv->drawing);
	const BoothDocument *d = booth_get_document(dv->booth);
	if (d == NULL || d->bytes == NULL)
		return;
	if (dv->again) {
		dv->again = FALSE;
		booth_doc_view_show(dv);
		return;
	}
	if (s == NULL) {
		/* the booth tells the adviser and drops it; the call goes on */
		booth_document_failed(dv->booth, error->message);
		return;
	}
	g_autoptr(GError) tex_error = NULL;
	if (!booth_ui_set_document_picture(dv->ui, s, &tex_error)) {
		booth_document_failed(dv->booth, tex_error->message);
		return;
	}
	g_free(dv->drawn);
	dv->drawn = g_steal_pointer(&what);
	dv->drawn_page = ((DocJob *)g_task_get_task_data(G_TASK(res)))->page;
}

void booth_doc_view_forget(BoothDocView *dv)
{
	if (dv->cancel) {
		g_cancellable_cancel(dv->cancel);
		g_clear_object(&dv->cancel);
	}
	g_clear_pointer(&dv->drawing, g_free);
	g_clear_pointer(&dv->drawn, g_free);
	dv->drawn_page = 0;
	dv->again = FALSE;
	booth_ui_set_document(dv->ui, 0, 0);
}

/* Shows the booth's document as it is now: page and count at once, the
 * page's picture when drawn (the previous page stays until then). */
void booth_doc_view_show(BoothDocView *dv)
{
	const BoothDocument *d = booth_get_document(dv->booth);
	if (d == NULL) {
		booth_doc_view_forget(dv);
		return;
	}
	if (dv->drawn && !g_str_has_prefix(dv->drawn, d->id)) {
		/* another document: nothing of the old one stays on screen */
		g_clear_pointer(&dv->drawn, g_free);
		dv->drawn_page = 0;
		booth_ui_set_document(dv->ui, 0, 0);
	}
	booth_ui_set_document(dv->ui, d->page, d->pages);
	if (d->bytes == NULL)
		return; /* still downloading: "opening the document" */
	int w, h;
	booth_ui_document_size(dv->ui, &w, &h);
	g_autofree char *what = g_strdup_printf("%s:%u@%dx%d", d->id, d->page, w, h);
	if (g_strcmp0(what, dv->drawn) == 0)
		return;
	if (dv->drawing) {
		dv->again = g_strcmp0(what, dv->drawing) != 0;
		return;
	}
	DocJob *j = g_new0(DocJob, 1);
	j->bytes = g_bytes_ref(d->bytes);
	j->kind = d->kind;
	j->page = d->page;
	j->w = w;
	j->h = h;
	dv->drawing = g_steal_pointer(&what);
	dv->cancel = g_cancellable_new();
	g_autoptr(GTask) task = g_task_new(NULL, dv->cancel, on_doc_drawn, dv);
	g_task_set_task_data(task, j, (GDestroyNotify)doc_job_free);
	g_task_run_in_thread(task, doc_job_run);
}

BoothDocView *booth_doc_view_new(Booth *booth, BoothUi *ui)
{
	BoothDocView *dv = g_new0(BoothDocView, 1);
	dv->booth = booth;
	dv->ui = ui;
	return dv;
}

void booth_doc_view_free(BoothDocView *dv)
{
	if (dv == NULL)
		return;
	booth_doc_view_forget(dv);
	g_free(dv);
}

guint booth_doc_view_get_page(BoothDocView *dv)
{
	return dv->drawn ? dv->drawn_page : 0;
}
