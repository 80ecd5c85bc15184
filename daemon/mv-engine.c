#define G_LOG_DOMAIN "medverse-engine"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "mv-engine-private.h"
#include "mv-crash.h"
#include "mv-error-table.h"
#include "mv-db.h"
#include "mv-services.h"

/* How often the time limits of callback calls are checked: their 504 comes up to this late. */
#define CALL_SWEEP_MS 50

G_DEFINE_TYPE (MvEngine, mv_engine, G_TYPE_OBJECT)

G_STATIC_ASSERT ((guint)MV_ROLE_PATIENT == (guint)MV_CALLER_PATIENT);
G_STATIC_ASSERT ((guint)MV_ROLE_CLINICIAN == (guint)MV_CALLER_CLINICIAN);
G_STATIC_ASSERT ((guint)MV_ROLE_CLINIC_ADMIN == (guint)MV_CALLER_CLINIC_ADMIN);
G_STATIC_ASSERT ((guint)MV_ROLE_OPERATOR == (guint)MV_CALLER_OPERATOR);

/* A call moves QUEUED -> RUNNING -> DONE, or is answered with a time-out from QUEUED (it is
 * then never started) or from RUNNING (its result is dropped).  Every move is one
 * compare-and-swap, so exactly one of the worker, the timer and the waiter answers. */
typedef enum {
	JOB_QUEUED,
	JOB_RUNNING,
	JOB_DONE,
	JOB_EXPIRED,
} JobState;

typedef struct {
	gint ref_count;
	gint state; /* atomic JobState */
	MvEngine *engine;
	MvPluginEntry *entry;
	const MvMethod *method;
	gchar *plugin_name; /* copies: the entry may be gone when a late job is dropped */
	gchar *method_name;
	GVariant *input;
	MvCall *call;
	guint timeout_ms;
	gint64 deadline_us; /* monotonic */
	gint64 started_us;  /* monotonic, set when a worker starts it */
	gint64 submitted_us;
	MvMethodMetrics *metrics; /* the method's counters: every answer is counted once */
	/* an asynchronous call answers through its task, timed by a source in its context */
	GTask *task;
	GSource *timeout;
	/* a call with a callback answers through it, timed by the engine's sweep */
	MvEngineCallDone done;
	gpointer done_data;
	/* a synchronous call answers through these */
	GMutex lock;
	GCond cond;
	gboolean answered;
	GVariant *output;
	GError *error;
} CallJob;

static CallJob *
call_job_ref (CallJob *job)
{
	g_atomic_int_inc (&job->ref_count);
	return job;
}

static void
call_job_unref (CallJob *job)
{
	if (!g_atomic_int_dec_and_test (&job->ref_count))
		return;
	if (job->timeout != NULL) {
		g_source_destroy (job->timeout);
		g_source_unref (job->timeout);
	}
	g_variant_unref (job->input);
	mv_call_free (job->call);
	g_clear_object (&job->task);
	g_clear_pointer (&job->output, g_variant_unref);
	g_clear_error (&job->error);
	g_mutex_clear (&job->lock);
	g_cond_clear (&job->cond);
	g_object_unref (job->engine);
	g_free (job->plugin_name);
	g_free (job->method_name);
	g_free (job);
}

/* Hands the answer (output or error, transfer full) to whoever waits: once per job. */
static void
call_job_answer (CallJob *job, GVariant *output, GError *error)
{
	if (job->metrics != NULL)
		mv_method_metrics_observe (job->metrics,
					   g_get_monotonic_time () - job->submitted_us, error);
	g_atomic_int_add (&job->engine->in_flight, -1);
	/* the timer holds a reference to the job: destroy it now (thread-safe), or every call
	 * would leave a live source in the main context until its time limit passed */
	if (job->timeout != NULL)
		g_source_destroy (job->timeout);
	if (job->task != NULL) {
		if (output != NULL)
			g_task_return_pointer (job->task, output, (GDestroyNotify)g_variant_unref);
		else
			g_task_return_error (job->task, error);
		return;
	}
	if (job->done != NULL) {
		MvEngine *engine = job->engine;
		gboolean held;
		g_mutex_lock (&engine->pending_lock);
		held = g_hash_table_steal (engine->pending, job);
		g_mutex_unlock (&engine->pending_lock);
		job->done (output, error, job->done_data);
		if (held)
			call_job_unref (job);
		return;
	}
	g_mutex_lock (&job->lock);
	job->output = output;
	job->error = error;
	job->answered = TRUE;
	g_cond_signal (&job->cond);
	g_mutex_unlock (&job->lock);
}

static gboolean
call_job_move (CallJob *job, JobState from, JobState to)
{
	return g_atomic_int_compare_and_exchange (&job->state, (gint)from, (gint)to);
}

/* Moves a queued job on; the plugin's count of waiting calls follows the state, so /readyz
 * never counts a call that was answered while it waited. */
static gboolean
call_job_leave_queue (CallJob *job, JobState to)
{
	if (!call_job_move (job, JOB_QUEUED, to))
		return FALSE;
	g_atomic_int_add (&job->entry->queued, -1);
	return TRUE;
}

/* The deadline passed: answer with a time-out, saying whether the plugin ever ran. */
static void
call_job_expire (CallJob *job)
{
	if (call_job_leave_queue (job, JOB_EXPIRED)) {
		/* not the plugin's fault: its workers were all busy with other calls */
		g_warning ("[%s] plugin %s: %s waited %u ms for a free worker and was not started",
			   job->call->request_id, job->plugin_name, job->method_name,
			   job->timeout_ms);
		call_job_answer (
			job, NULL,
			mv_error_new_bilingual (
				MV_ERROR_TIMED_OUT,
				"plugin %s: %s waited for a free worker past the time "
				"limit of %u ms and was not started; the plugin is busy, "
				"retry later",
				"插件 %s：%s 等待空闲工作线程超过了 %u 毫秒的时间限制，未能"
				"开始执行；插件正忙，请稍后重试",
				job->plugin_name, job->method_name, job->timeout_ms));
	} else if (call_job_move (job, JOB_RUNNING, JOB_EXPIRED)) {
		g_cancellable_cancel (job->call->cancellable);
		g_warning ("[%s] plugin %s: %s exceeded its time limit of %u ms",
			   job->call->request_id, job->plugin_name, job->method_name,
			   job->timeout_ms);
		call_job_answer (job, NULL,
				 mv_error_new_bilingual (
					 MV_ERROR_TIMED_OUT,
					 "plugin %s: %s exceeded its time limit of %u ms",
					 "插件 %s：%s 超过了 %u 毫秒的时间限制", job->plugin_name,
					 job->method_name, job->timeout_ms));
	}
}

static gboolean
call_job_timed_out (gpointer user_data)
{
	call_job_expire (user_data);
	return G_SOURCE_REMOVE;
}

/* A job the pool never ran (the engine stopped with it still queued). */
void
mv_engine_call_job_dropped (gpointer data)
{
	CallJob *job = data;

	if (call_job_leave_queue (job, JOB_DONE))
		call_job_answer (job, NULL,
				 mv_error_new_bilingual (MV_ERROR_UNAVAILABLE,
							 "the daemon is shutting down",
							 "守护进程正在关闭"));
	call_job_unref (job);
}

void
mv_engine_entry_free (MvPluginEntry *entry)
{
	/* queued jobs are answered "shutting down" by mv_engine_call_job_dropped; a worker still
	 * inside the plugin was waited for by mv_engine_shutdown */
	if (entry->pool != NULL)
		g_thread_pool_free (entry->pool, TRUE, FALSE);
	g_ptr_array_unref (entry->running);
	g_mutex_clear (&entry->running_lock);
	mv_host_free (entry->host);
	mv_loaded_plugin_free (entry->loaded);
	/* after the loaded plugin: its info points into the pool's proxy */
	g_clear_pointer (&entry->processes, mv_plugin_process_pool_free);
	/* its hosts are gone: nothing maps the private copy any more */
	if (entry->snapshot != NULL)
		g_unlink (entry->snapshot);
	g_free (entry->snapshot);
	g_free (entry->checksum);
	g_free (entry->data_dir);
	g_hash_table_unref (entry->config);
	g_free (entry);
}

void
mv_engine_entry_unref (MvPluginEntry *entry)
{
	if (entry != NULL && g_atomic_int_dec_and_test (&entry->ref_count))
		mv_engine_entry_free (entry);
}

/* The running version of plugin @name (a reference), or NULL. */
MvPluginEntry *
mv_engine_entry_lookup (MvEngine *self, const gchar *name)
{
	MvPluginEntry *entry;

	g_mutex_lock (&self->registry_lock);
	entry = g_hash_table_lookup (self->plugins, name);
	if (entry != NULL)
		g_atomic_int_inc (&entry->ref_count);
	g_mutex_unlock (&self->registry_lock);
	return entry;
}

/* @method of @entry (nullable: no such plugin), or NULL with MV_ERROR_NOT_FOUND. */
static const MvMethod *
entry_find_method (MvPluginEntry *entry,
		   const gchar *plugin,
		   const gchar *method_name,
		   GError **error)
{
	const MvMethod *method;

	if (entry == NULL) {
		mv_set_error_bilingual_printf (error, MV_ERROR_NOT_FOUND, "no plugin named '%s'",
					       "没有名为“%s”的插件", plugin);
		return NULL;
	}
	method = mv_plugin_info_find_method (entry->loaded->info, method_name);
	if (method == NULL) {
		mv_set_error_bilingual_printf (error, MV_ERROR_NOT_FOUND,
					       "plugin %s has no method '%s'",
					       "插件 %s 没有名为“%s”的方法", plugin, method_name);
		return NULL;
	}
	return method;
}

static gchar *
engine_get_config (MvHost *host, const gchar *key)
{
	MvPluginEntry *entry = host->host_data;
	return g_strdup (g_hash_table_lookup (entry->config, key));
}

/* Every call of a client carries its job's deadline as the MvCall's host data, and nested
 * calls inherit it (mv_call_new_nested): an isolated plugin's host needs it. */
static gint64
call_deadline (MvCall *call)
{
	const gint64 *deadline = call->host_data;
	return deadline != NULL ? *deadline : G_MAXINT64;
}

/* Runs @method of @entry for @call: in this thread, or on one of its host processes. */
static GVariant *
entry_run (
	MvPluginEntry *entry, MvCall *call, const MvMethod *method, GVariant *input, GError **error)
{
	if (entry->processes == NULL)
		return mv_call_run (call, method, input, error);
	return mv_plugin_process_pool_call (entry->processes, call, method, input,
					    call_deadline (call), entry->engine->call_timeout_ms,
					    error);
}

/* A plugin calling another through the host: in the same worker, under the same deadline and
 * caller; mv_call_invoke() (or, for an isolated caller, its process's INVOKE handling) has
 * already refused it past the nesting limit. */
GVariant *
mv_engine_invoke (MvCall *call,
		  const gchar *plugin,
		  const gchar *method_name,
		  GVariant *input,
		  GError **error)
{
	MvPluginEntry *caller = call->host->host_data;
	/* the version found serves the whole nested call, even if a reload replaces it meanwhile */
	g_autoptr (MvPluginEntry) target = mv_engine_entry_lookup (caller->engine, plugin);
	const MvMethod *method = entry_find_method (target, plugin, method_name, error);
	g_autoptr (MvCall) child = NULL;

	if (method == NULL)
		return NULL;
	child = mv_call_new_nested (call, target->host);
	if (!mv_method_accepts_caller (method, child, error))
		return NULL;
	return entry_run (target, child, method, input, error);
}

const MvHostVTable mv_engine_host_vtable = {
	.get_config = engine_get_config,
	.invoke = mv_engine_invoke,
};

static gint
compare_info_names (gconstpointer a, gconstpointer b)
{
	const MvPluginInfo *ia = *(const MvPluginInfo *const *)a;
	const MvPluginInfo *ib = *(const MvPluginInfo *const *)b;
	return g_strcmp0 (ia->name, ib->name);
}

GPtrArray *
mv_engine_get_plugins (MvEngine *self)
{
	GPtrArray *infos = g_ptr_array_new ();
	GHashTableIter iter;
	gpointer value;

	/* the infos outlive a reload (see MvPluginEntry) */
	g_mutex_lock (&self->registry_lock);
	g_hash_table_iter_init (&iter, self->plugins);
	while (g_hash_table_iter_next (&iter, NULL, &value))
		g_ptr_array_add (infos, (gpointer)((MvPluginEntry *)value)->loaded->info);
	g_mutex_unlock (&self->registry_lock);
	g_ptr_array_sort (infos, compare_info_names);
	return infos;
}

const MvMethod *
mv_engine_find_method (MvEngine *self,
		       const gchar *plugin,
		       const gchar *method_name,
		       GError **error)
{
	g_autoptr (MvPluginEntry) entry = mv_engine_entry_lookup (self, plugin);

	/* the pointer stays valid after a reload: replaced versions' infos are kept */
	return entry_find_method (entry, plugin, method_name, error);
}

void
mv_engine_call_job_run (gpointer data, gpointer user_data)
{
	CallJob *job = data;
	MvEngine *engine = job->engine;
	MvPluginEntry *entry = user_data;
	g_autoptr (GError) error = NULL;
	GVariant *output;

	/* a call whose deadline passed while it waited is never started, even if the timer has
	 * not fired yet (its main context may be busy) */
	if (g_get_monotonic_time () >= job->deadline_us)
		call_job_expire (job);
	/* the stop check and the count are one step, so mv_engine_shutdown sees every call it
	 * must wait for, and no call starts once it has decided to free the plugins */
	g_mutex_lock (&engine->stop_lock);
	if (engine->stopping) {
		g_mutex_unlock (&engine->stop_lock);
		if (call_job_leave_queue (job, JOB_DONE))
			call_job_answer (job, NULL,
					 mv_error_new_bilingual (MV_ERROR_UNAVAILABLE,
								 "the daemon is shutting down",
								 "守护进程正在关闭"));
		call_job_unref (job);
		return;
	}
	/* busy before the queue is left: a reload's drain sees the call in one count or the
	 * other, never in neither */
	g_atomic_int_inc (&entry->busy);
	if (!call_job_leave_queue (job, JOB_RUNNING)) {
		g_atomic_int_add (&entry->busy, -1);
		g_mutex_unlock (&engine->stop_lock);
		call_job_unref (job);
		return;
	}
	g_atomic_int_inc (&engine->busy_workers);
	g_mutex_unlock (&engine->stop_lock);
	g_mutex_lock (&entry->running_lock);
	job->started_us = g_get_monotonic_time ();
	g_ptr_array_add (entry->running, job);
	g_mutex_unlock (&entry->running_lock);

	/* an isolated plugin cannot crash the daemon: its crashes are its host's */
	if (entry->processes == NULL)
		mv_crash_enter_call (job->plugin_name, job->method_name, job->call->request_id);
	output = entry_run (entry, job->call, job->method, job->input, &error);
	if (entry->processes == NULL)
		mv_crash_leave_call ();

	g_mutex_lock (&entry->running_lock);
	g_ptr_array_remove_fast (entry->running, job);
	g_mutex_unlock (&entry->running_lock);
	g_atomic_int_inc (&engine->completed);
	g_atomic_int_add (&entry->busy, -1);
	g_atomic_int_add (&engine->busy_workers, -1);
	if (call_job_move (job, JOB_RUNNING, JOB_DONE)) {
		call_job_answer (job, output, output != NULL ? NULL : g_steal_pointer (&error));
	} else {
		g_debug ("[%s] plugin call finished after its time limit; result dropped",
			 job->call->request_id);
		g_clear_pointer (&output, g_variant_unref);
	}
	call_job_unref (job);
}

/* The time limits of the callback calls (see MvEngine.pending). */
static gboolean
sweep_pending (gpointer user_data)
{
	MvEngine *self = user_data;
	g_autoptr (GPtrArray) due = g_ptr_array_new ();
	gint64 now = g_get_monotonic_time ();
	GHashTableIter iter;
	gpointer key;

	g_mutex_lock (&self->pending_lock);
	g_hash_table_iter_init (&iter, self->pending);
	while (g_hash_table_iter_next (&iter, &key, NULL))
		if (now >= ((CallJob *)key)->deadline_us)
			g_ptr_array_add (due, call_job_ref (key));
	g_mutex_unlock (&self->pending_lock);
	for (guint i = 0; i < due->len; i++) {
		call_job_expire (g_ptr_array_index (due, i));
		call_job_unref (g_ptr_array_index (due, i));
	}
	return G_SOURCE_CONTINUE;
}

/* Checks and queues a call; NULL with @error when it cannot even be queued. */
static CallJob *
call_job_submit (MvEngine *self,
		 const gchar *plugin,
		 const gchar *method_name,
		 GVariant *input,
		 const MvCaller *caller,
		 GTask *task,
		 MvEngineCallDone done,
		 gpointer done_data,
		 GError **error)
{
	g_autoptr (GVariant) input_ref = g_variant_take_ref (input);
	/* held until the call is counted as queued on it (see MvPluginEntry) */
	g_autoptr (MvPluginEntry) entry = mv_engine_entry_lookup (self, plugin);
	const MvMethod *method = entry_find_method (entry, plugin, method_name, error);
	g_autoptr (MvCall) call = NULL;
	CallJob *job;

	if (method == NULL)
		return NULL;
	call = mv_call_new (entry->host, caller->request_id, NULL, NULL);
	mv_call_set_caller (call, caller->clinic_id, (MvCallerRole)caller->role, caller->locale);
	if (!mv_method_accepts_caller (method, call, error))
		return NULL;

	job = g_new0 (CallJob, 1);
	job->ref_count = 1;
	job->engine = g_object_ref (self);
	job->entry = entry;
	job->method = method;
	job->plugin_name = g_strdup (plugin);
	job->method_name = g_strdup (method_name);
	job->input = g_steal_pointer (&input_ref);
	job->call = g_steal_pointer (&call);
	job->timeout_ms = self->call_timeout_ms;
	job->submitted_us = g_get_monotonic_time ();
	job->deadline_us = job->submitted_us + (gint64)job->timeout_ms * 1000;
	job->metrics = mv_plugin_metrics_get_method (
		entry->metrics, (guint)(method - entry->loaded->info->methods));
	/* see call_deadline(): the job outlives its call */
	job->call->host_data = &job->deadline_us;
	job->task = task != NULL ? g_object_ref (task) : NULL;
	job->done = done;
	job->done_data = done_data;
	g_mutex_init (&job->lock);
	g_cond_init (&job->cond);
	g_atomic_int_inc (&self->in_flight);
	g_atomic_int_inc (&entry->queued);
	if (task != NULL) {
		job->timeout = g_timeout_source_new (job->timeout_ms);
		g_source_set_callback (job->timeout, call_job_timed_out, call_job_ref (job),
				       (GDestroyNotify)call_job_unref);
		g_source_attach (job->timeout, g_task_get_context (task));
	}
	if (done != NULL) {
		/* before the push: a worker may answer (and look for it here) at once */
		g_mutex_lock (&self->pending_lock);
		g_hash_table_add (self->pending, call_job_ref (job));
		if (self->sweep_source == 0)
			self->sweep_source = g_timeout_add (CALL_SWEEP_MS, sweep_pending, self);
		g_mutex_unlock (&self->pending_lock);
	}
	/* the pool holds a reference until mv_engine_call_job_run or mv_engine_call_job_dropped */
	if (!g_thread_pool_push (entry->pool, call_job_ref (job), error)) {
		if (call_job_leave_queue (job, JOB_DONE))
			g_atomic_int_add (&self->in_flight, -1);
		if (done != NULL) {
			g_mutex_lock (&self->pending_lock);
			if (g_hash_table_steal (self->pending, job))
				call_job_unref (job);
			g_mutex_unlock (&self->pending_lock);
		}
		call_job_unref (job);
		call_job_unref (job);
		return NULL;
	}
	return job;
}

void
mv_engine_call_async (MvEngine *self,
		      const gchar *plugin,
		      const gchar *method_name,
		      GVariant *input,
		      const MvCaller *caller,
		      GAsyncReadyCallback callback,
		      gpointer user_data)
{
	g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);
	g_autoptr (GError) error = NULL;
	CallJob *job;

	g_task_set_source_tag (task, mv_engine_call_async);
	job = call_job_submit (self, plugin, method_name, input, caller, task, NULL, NULL, &error);
	if (job == NULL) {
		g_task_return_error (task, g_steal_pointer (&error));
		return;
	}
	call_job_unref (job);
}

void
mv_engine_call_then (MvEngine *self,
		     const gchar *plugin,
		     const gchar *method_name,
		     GVariant *input,
		     const MvCaller *caller,
		     MvEngineCallDone done,
		     gpointer user_data)
{
	GError *error = NULL;
	CallJob *job = call_job_submit (self, plugin, method_name, input, caller, NULL, done,
					user_data, &error);

	if (job == NULL) {
		done (NULL, error, user_data);
		return;
	}
	call_job_unref (job);
}

GVariant *
mv_engine_call_finish (MvEngine *self, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail (g_task_is_valid (result, self), NULL);
	return g_task_propagate_pointer (G_TASK (result), error);
}

GVariant *
mv_engine_call_sync (MvEngine *self,
		     const gchar *plugin,
		     const gchar *method_name,
		     GVariant *input,
		     const MvCaller *caller,
		     GError **error)
{
	CallJob *job = call_job_submit (self, plugin, method_name, input, caller, NULL, NULL, NULL,
					error);
	GVariant *output;

	if (job == NULL)
		return NULL;
	g_mutex_lock (&job->lock);
	while (!job->answered) {
		if (g_cond_wait_until (&job->cond, &job->lock, job->deadline_us))
			continue;
		/* past the deadline: answer with the time-out ourselves, unless the worker
		 * has just answered; either way an answer is now certain */
		g_mutex_unlock (&job->lock);
		call_job_expire (job);
		g_mutex_lock (&job->lock);
		while (!job->answered)
			g_cond_wait (&job->cond, &job->lock);
	}
	g_mutex_unlock (&job->lock);
	output = g_steal_pointer (&job->output);
	if (output == NULL)
		g_propagate_error (error, g_steal_pointer (&job->error));
	call_job_unref (job);
	return output;
}

gboolean
mv_engine_get_plugin_state (MvEngine *self,
			    const gchar *name,
			    gboolean *isolated,
			    gboolean *disabled)
{
	g_autoptr (MvPluginEntry) entry = mv_engine_entry_lookup (self, name);

	if (entry == NULL)
		return FALSE;
	*isolated = entry->processes != NULL;
	*disabled
		= entry->processes != NULL && mv_plugin_process_pool_is_disabled (entry->processes);
	return TRUE;
}

/* One line per plugin for which @line_for says something (sorted by name), NULL when none. */
static GStrv
plugin_lines (MvEngine *self, gchar *(*line_for) (const MvPluginInfo *info, MvPluginEntry *entry))
{
	g_autoptr (GStrvBuilder) lines = g_strv_builder_new ();
	g_autoptr (GPtrArray) infos = mv_engine_get_plugins (self);
	g_auto (GStrv) result = NULL;

	for (guint i = 0; i < infos->len; i++) {
		const MvPluginInfo *info = g_ptr_array_index (infos, i);
		g_autoptr (MvPluginEntry) entry = mv_engine_entry_lookup (self, info->name);
		g_autofree gchar *line = entry != NULL ? line_for (info, entry) : NULL;

		if (line != NULL)
			g_strv_builder_add (lines, line);
	}
	result = g_strv_builder_end (lines);
	return result[0] != NULL ? g_steal_pointer (&result) : NULL;
}

static gchar *
disabled_line (const MvPluginInfo *info, MvPluginEntry *entry)
{
	if (entry->processes == NULL || !mv_plugin_process_pool_is_disabled (entry->processes))
		return NULL;
	return g_strdup_printf ("%s (disabled after crashing too often; medversectl plugins "
				"enable %s)",
				info->name, info->name);
}

GStrv
mv_engine_list_disabled_plugins (MvEngine *self)
{
	return plugin_lines (self, disabled_line);
}

static gchar *
busy_line (const MvPluginInfo *info, MvPluginEntry *entry)
{
	guint busy = (guint)g_atomic_int_get (&entry->busy);
	guint queued = (guint)g_atomic_int_get (&entry->queued);

	if (busy < entry->max_workers)
		return NULL;
	return g_strdup_printf ("%s (%u of %u workers busy, %u waiting)", info->name, busy,
				entry->max_workers, queued);
}

GStrv
mv_engine_list_busy_plugins (MvEngine *self)
{
	return plugin_lines (self, busy_line);
}

/* A running call is overdue once its deadline passed (its caller has had 504 and the call was
 * cancelled); its worker is stuck once it is overdue by one more time limit, the grace a
 * plugin gets to notice the cancellation (one that checks returns within moments).  Counts
 * the stuck workers of @entry, and the overdue calls into @overdue (nullable). */
static guint
count_stuck (MvPluginEntry *entry, gint64 now, guint *overdue)
{
	guint stuck = 0;

	g_mutex_lock (&entry->running_lock);
	for (guint i = 0; i < entry->running->len; i++) {
		const CallJob *job = g_ptr_array_index (entry->running, i);
		if (now <= job->deadline_us)
			continue;
		if (overdue != NULL)
			(*overdue)++;
		if (now - job->deadline_us > (gint64)job->timeout_ms * 1000)
			stuck++;
	}
	g_mutex_unlock (&entry->running_lock);
	return stuck;
}

GStrv
mv_engine_list_wedged_plugins (MvEngine *self)
{
	g_autoptr (GStrvBuilder) lines = g_strv_builder_new ();
	g_autoptr (GPtrArray) infos = mv_engine_get_plugins (self);
	gint64 now = g_get_monotonic_time ();
	g_auto (GStrv) result = NULL;

	for (guint i = 0; i < infos->len; i++) {
		const MvPluginInfo *info = g_ptr_array_index (infos, i);
		g_autoptr (MvPluginEntry) entry = mv_engine_entry_lookup (self, info->name);
		guint stuck = entry != NULL ? count_stuck (entry, now, NULL) : 0;

		if (entry == NULL || stuck < entry->max_workers)
			continue;
		g_autofree gchar *line = g_strdup_printf (
			"%s (%u of %u workers stuck in calls past their time limit that ignore "
			"cancellation, %u waiting)",
			info->name, stuck, entry->max_workers,
			(guint)g_atomic_int_get (&entry->queued));
		g_strv_builder_add (lines, line);
	}
	result = g_strv_builder_end (lines);
	return result[0] != NULL ? g_steal_pointer (&result) : NULL;
}

void
mv_engine_get_progress (MvEngine *self, MvEngineProgress *progress)
{
	GHashTableIter iter;
	gpointer value;
	gint64 now = g_get_monotonic_time ();

	progress->completed = (guint)g_atomic_int_get (&self->completed);
	progress->pending = 0;
	progress->overdue = 0;
	progress->in_flight = (guint)g_atomic_int_get (&self->in_flight);
	g_mutex_lock (&self->registry_lock);
	g_hash_table_iter_init (&iter, self->plugins);
	while (g_hash_table_iter_next (&iter, NULL, &value)) {
		MvPluginEntry *entry = value;
		progress->pending += (guint)g_atomic_int_get (&entry->busy)
				     + (guint)g_atomic_int_get (&entry->queued);
		count_stuck (entry, now, &progress->overdue);
	}
	/* a replaced version's calls still count until they finish */
	for (guint i = 0; i < self->old_entries->len; i++) {
		MvPluginEntry *entry = g_ptr_array_index (self->old_entries, i);
		progress->pending += (guint)g_atomic_int_get (&entry->busy)
				     + (guint)g_atomic_int_get (&entry->queued);
		count_stuck (entry, now, &progress->overdue);
	}
	g_mutex_unlock (&self->registry_lock);
}

void
mv_engine_set_database (MvEngine *self, MvDb *db, const gchar *sql_dir)
{
	self->db = db;
	g_free (self->sql_dir);
	self->sql_dir = g_strdup (sql_dir);
}

void
mv_engine_set_services (MvEngine *self, MvServices *services)
{
	g_clear_pointer (&self->services, mv_services_free);
	self->services = services;
}

MvServices *
mv_engine_get_services (MvEngine *self)
{
	return self->services;
}

static void
check_ready_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	MvEngine *self = source;
	GError *error = NULL;
	g_auto (GStrv) wedged = mv_engine_list_wedged_plugins (self);

	/* not a database matter, and the cheapest check: first */
	if (wedged != NULL) {
		g_autofree gchar *names = g_strjoinv ("; ", wedged);
		g_task_return_new_error (task, MV_ERROR, MV_ERROR_UNAVAILABLE,
					 "not ready: wedged plugin(s): %s", names);
		return;
	}
	if (self->db == NULL) {
		g_task_return_new_error (task, MV_ERROR, MV_ERROR_UNAVAILABLE, "no database yet");
		return;
	}
	if (!mv_db_check_ready (self->db, self->sql_dir, &error)) {
		g_task_return_error (task, error);
		return;
	}
	g_task_return_boolean (task, TRUE);
}

void
mv_engine_check_ready_async (MvEngine *self, GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);
	g_task_run_in_thread (task, check_ready_thread);
}

gboolean
mv_engine_check_ready_finish (MvEngine *self, GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean (G_TASK (result), error);
}

guint
mv_engine_get_in_flight (MvEngine *self)
{
	return (guint)g_atomic_int_get (&self->in_flight);
}

void
mv_engine_reconfigure (MvEngine *self, const MvConfig *config)
{
	if (self->call_timeout_ms != config->call_timeout_ms)
		g_message ("plugin call time limit now %u ms", config->call_timeout_ms);
	self->call_timeout_ms = config->call_timeout_ms;
}

gboolean
mv_engine_enable_plugin (MvEngine *self, const gchar *name, GError **error)
{
	g_autoptr (MvPluginEntry) entry = mv_engine_entry_lookup (self, name);

	if (entry == NULL) {
		mv_set_error_bilingual_printf (error, MV_ERROR_NOT_FOUND, "no plugin named '%s'",
					       "没有名为“%s”的插件", name);
		return FALSE;
	}
	if (entry->processes != NULL)
		mv_plugin_process_pool_enable (entry->processes);
	return TRUE;
}

void
mv_engine_shutdown (MvEngine *self, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
	g_autoptr (GPtrArray) entries
		= g_ptr_array_new_with_free_func ((GDestroyNotify)mv_engine_entry_unref);
	GHashTableIter iter;
	gpointer value;

	/* a reload under way finishes first (at most a plugin's start) */
	g_mutex_lock (&self->reload_lock);
	g_mutex_lock (&self->stop_lock);
	self->stopping = TRUE;
	g_mutex_unlock (&self->stop_lock);
	for (guint i = 0; i < self->drains->len; i++)
		g_thread_join (g_ptr_array_index (self->drains, i));
	g_ptr_array_set_size (self->drains, 0);
	g_mutex_unlock (&self->reload_lock);
	/* the running versions and the replaced ones not yet drained: no reload changes them now */
	g_mutex_lock (&self->registry_lock);
	g_hash_table_iter_init (&iter, self->plugins);
	while (g_hash_table_iter_next (&iter, NULL, &value)) {
		g_atomic_int_inc (&((MvPluginEntry *)value)->ref_count);
		g_ptr_array_add (entries, value);
	}
	while (self->old_entries->len > 0)
		g_ptr_array_add (entries, g_ptr_array_steal_index (self->old_entries, 0));
	g_mutex_unlock (&self->registry_lock);

	while (g_atomic_int_get (&self->busy_workers) > 0 && g_get_monotonic_time () < deadline)
		g_usleep (10000);
	if (g_atomic_int_get (&self->busy_workers) > 0) {
		g_warning ("%d plugin call(s) still running; skipping plugin shutdown functions",
			   g_atomic_int_get (&self->busy_workers));
		/* isolated plugins' hosts are killed all the same: none outlives the daemon */
		for (guint i = 0; i < entries->len; i++) {
			MvPluginEntry *entry = g_ptr_array_index (entries, i);
			if (entry->processes != NULL)
				mv_plugin_process_pool_shutdown (entry->processes, 0);
		}
		/* the entries a worker may still be in are leaked rather than freed under it */
		for (guint i = 0; i < entries->len; i++)
			g_atomic_int_inc (
				&((MvPluginEntry *)g_ptr_array_index (entries, i))->ref_count);
		return;
	}
	for (guint i = 0; i < entries->len; i++) {
		MvPluginEntry *entry = g_ptr_array_index (entries, i);
		if (entry->processes != NULL)
			mv_plugin_process_pool_shutdown (entry->processes, deadline);
		else if (entry->loaded->info->shutdown != NULL)
			entry->loaded->info->shutdown (entry->host, entry->host->plugin_data);
	}
	g_mutex_lock (&self->registry_lock);
	g_hash_table_remove_all (self->plugins);
	g_mutex_unlock (&self->registry_lock);
}

static void
mv_engine_finalize (GObject *object)
{
	MvEngine *self = MV_ENGINE (object);
	/* jobs hold a reference to the engine, so none can be running or pending here */
	if (self->sweep_source != 0)
		g_source_remove (self->sweep_source);
	g_hash_table_unref (self->pending);
	g_mutex_clear (&self->pending_lock);
	g_mutex_clear (&self->stop_lock);
	g_hash_table_unref (self->plugins);
	g_ptr_array_unref (self->old_entries);
	g_ptr_array_unref (self->drains);
	/* after the entries: their infos point into these */
	g_ptr_array_unref (self->retired_loaded);
	g_ptr_array_unref (self->retired_pools);
	g_mutex_clear (&self->registry_lock);
	g_mutex_clear (&self->reload_lock);
	mv_metrics_free (self->metrics);
	if (self->snapshot_dir != NULL && g_rmdir (self->snapshot_dir) != 0)
		g_debug ("%s not removed: %s", self->snapshot_dir, g_strerror (errno));
	g_free (self->snapshot_dir);
	g_clear_pointer (&self->services, mv_services_free);
	g_strfreev (self->plugin_dirs);
	g_strfreev (self->protected_paths);
	g_free (self->sql_dir);
	g_key_file_unref (self->keyfile);
	G_OBJECT_CLASS (mv_engine_parent_class)->finalize (object);
}

static void
mv_engine_class_init (MvEngineClass *klass)
{
	G_OBJECT_CLASS (klass)->finalize = mv_engine_finalize;
}

static void
mv_engine_init (MvEngine *self)
{
	g_mutex_init (&self->stop_lock);
	g_mutex_init (&self->pending_lock);
	self->pending = g_hash_table_new (NULL, NULL);
	self->plugins = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
					       (GDestroyNotify)mv_engine_entry_unref);
	g_mutex_init (&self->registry_lock);
	g_mutex_init (&self->reload_lock);
	self->old_entries = g_ptr_array_new_with_free_func ((GDestroyNotify)mv_engine_entry_unref);
	self->drains = g_ptr_array_new ();
	self->retired_loaded
		= g_ptr_array_new_with_free_func ((GDestroyNotify)mv_loaded_plugin_free);
	self->retired_pools
		= g_ptr_array_new_with_free_func ((GDestroyNotify)mv_plugin_process_pool_free);
	self->metrics = mv_metrics_new ();
}

MvEngine *
mv_engine_new (const MvConfig *config)
{
	MvEngine *self = g_object_new (MV_TYPE_ENGINE, NULL);
	self->plugin_dirs = g_strdupv (config->plugin_dirs);
	{
		GStrvBuilder *b = g_strv_builder_new ();
		if (config->data_dir != NULL)
			g_strv_builder_add (b, config->data_dir);
		if (config->master_key_file != NULL)
			g_strv_builder_add (b, config->master_key_file);
		self->protected_paths = g_strv_builder_end (b);
		g_strv_builder_unref (b);
	}
	self->keyfile = g_key_file_ref (config->keyfile);
	self->call_timeout_ms = config->call_timeout_ms;
	self->worker_threads = config->worker_threads;
	return self;
}
