/*
 * Runs a fuzz target's LLVMFuzzerTestOneInput over every file of the given corpus directories,
 * without libFuzzer: the corpus (with every crash ever found) as a normal test.
 */
#include <glib.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv) __attribute__ ((weak));
/* a target may check, after the replay, that its corpus reached what it must test: FALSE
 * fails the replay (the target says why) */
gboolean fuzz_replay_check (void) __attribute__ ((weak));

int
main (int argc, char **argv)
{
	guint n = 0;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize (&argc, &argv);
	for (int i = 1; i < argc; i++) {
		g_autoptr (GError) error = NULL;
		g_autoptr (GDir) dir = g_dir_open (argv[i], 0, &error);
		const gchar *name;
		if (dir == NULL) {
			g_printerr ("replay: %s\n", error->message);
			return EXIT_FAILURE;
		}
		while ((name = g_dir_read_name (dir)) != NULL) {
			g_autofree gchar *path = g_build_filename (argv[i], name, NULL);
			g_autofree gchar *contents = NULL;
			gsize len = 0;
			if (!g_file_test (path, G_FILE_TEST_IS_REGULAR)
			    || g_str_has_prefix (name, "."))
				continue;
			if (!g_file_get_contents (path, &contents, &len, &error)) {
				g_printerr ("replay: %s\n", error->message);
				return EXIT_FAILURE;
			}
			LLVMFuzzerTestOneInput ((const guint8 *)contents, len);
			n++;
		}
	}
	g_print ("replayed %u inputs\n", n);
	if (fuzz_replay_check != NULL && !fuzz_replay_check ())
		return EXIT_FAILURE;
	/* an empty corpus would make this test pass without testing anything */
	return n > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
