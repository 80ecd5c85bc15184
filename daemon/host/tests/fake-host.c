/*
 * A stand-in for medverse-plugin-host that breaks the protocol on purpose, for
 * test-plugin-process.c: what a compromised plugin could write on its channel.  Called as the
 * daemon calls the host; the plugin path's file name picks the behaviour (the file need not
 * exist):
 *   good       Echo (s) -> (s) answers its input
 *   liar       answers Echo with an (i)
 *   foreign    answers Echo with an ERROR of another domain
 *   garbage    answers Echo with a frame too short for its kind and id
 *   oversize   answers Echo with a length over the limit
 *   wrong-id   answers Echo with the id of another call
 *   exit       exits with status 3 on Echo
 *   hang       never answers Echo
 *   no-hello   exits with status 78 at once (the ABI gate's refusal)
 *   bad-hello  declares a method with an invalid type
 *   idle-exit  the first time (no file "died" beside the plugin path yet): exits with status 5
 *              soon after INIT, between calls; afterwards as good
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <medverse/mv-error.h>

#include "mv-host-channel.h"

#define FD 3

static void
send_or_die (guint32 kind, guint32 id, GVariant *payload)
{
	if (!mv_host_channel_write (FD, kind, id, payload, NULL))
		exit (2);
}

static GVariant *
hello (const gchar *in_type)
{
	GVariantBuilder methods;

	g_variant_builder_init (&methods, G_VARIANT_TYPE ("a(sssssu)"));
	g_variant_builder_add (&methods, "(sssssu)", "Echo", "answers its input", in_type, "(s)",
			       "{\"in\":[{\"name\":\"text\",\"description\":\"\",\"flags\":0}],"
			       "\"out\":[{\"name\":\"text\",\"description\":\"\",\"flags\":0}]}",
			       0u);
	return g_variant_new ("(ss@a(sssssu)@a(ssss))", "fake", "1.0",
			      g_variant_builder_end (&methods),
			      g_variant_new_array (G_VARIANT_TYPE ("(ssss)"), NULL, 0));
}

static void
answer_call (const gchar *mode, const MvHostFrame *frame)
{
	g_autoptr (GVariant) input = NULL;
	g_autoptr (GVariant) text = NULL;

	g_variant_get_child (frame->payload, 2, "v", &input);
	text = g_variant_get_child_value (input, 0);
	if (strcmp (mode, "good") == 0 || strcmp (mode, "idle-exit") == 0) {
		send_or_die (MV_HOST_FRAME_RESULT, frame->id,
			     g_variant_new ("(v)", g_variant_new ("(@s)", text)));
	} else if (strcmp (mode, "liar") == 0) {
		send_or_die (MV_HOST_FRAME_RESULT, frame->id,
			     g_variant_new ("(v)", g_variant_new ("(i)", 42)));
	} else if (strcmp (mode, "foreign") == 0) {
		g_autoptr (GError) error
			= g_error_new_literal (G_FILE_ERROR, G_FILE_ERROR_IO, "disk on fire");
		send_or_die (MV_HOST_FRAME_ERROR, frame->id, mv_host_error_to_payload (error));
	} else if (strcmp (mode, "garbage") == 0) {
		static const guint8 junk[] = { 4, 0, 0, 0, 'j', 'u', 'n', 'k' };
		if (write (FD, junk, sizeof junk) != sizeof junk)
			exit (2);
	} else if (strcmp (mode, "oversize") == 0) {
		static const guint8 huge[] = { 0xff, 0xff, 0xff, 0xff };
		if (write (FD, huge, sizeof huge) != sizeof huge)
			exit (2);
	} else if (strcmp (mode, "wrong-id") == 0) {
		send_or_die (MV_HOST_FRAME_RESULT, frame->id + 1,
			     g_variant_new ("(v)", g_variant_new ("(@s)", text)));
	} else if (strcmp (mode, "exit") == 0) {
		exit (3);
	} else if (strcmp (mode, "hang") == 0) {
		for (;;)
			pause ();
	}
}

static void
idle_exit_once (const gchar *plugin_path)
{
	g_autofree gchar *dir = g_path_get_dirname (plugin_path);
	g_autofree gchar *died = g_build_filename (dir, "died", NULL);

	if (g_file_test (died, G_FILE_TEST_EXISTS))
		return;
	if (!g_file_set_contents (died, "", 0, NULL))
		exit (2);
	g_usleep (50000);
	exit (5);
}

int
main (int argc, char **argv)
{
	g_autofree gchar *mode = g_path_get_basename (argv[argc - 1]);

	if (strcmp (mode, "no-hello") == 0) {
		g_printerr ("fake-host: refusing plugin %s: built for plugin ABI 99\n", mode);
		return 78;
	}
	send_or_die (MV_HOST_FRAME_HELLO, 0,
		     hello (strcmp (mode, "bad-hello") == 0 ? "(z)" : "(s)"));
	for (;;) {
		g_auto (MvHostFrame) frame = { 0 };

		if (!mv_host_channel_read (FD, -1, &frame, NULL))
			return 0;
		if (frame.kind == MV_HOST_FRAME_INIT) {
			send_or_die (MV_HOST_FRAME_INIT_DONE, frame.id,
				     g_variant_new ("(bs)", TRUE, ""));
			if (strcmp (mode, "idle-exit") == 0)
				idle_exit_once (argv[argc - 1]);
		} else if (frame.kind == MV_HOST_FRAME_CALL)
			answer_call (mode, &frame);
		else if (frame.kind == MV_HOST_FRAME_SHUTDOWN)
			return 0;
	}
}
