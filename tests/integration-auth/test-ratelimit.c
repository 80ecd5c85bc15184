/* The per-key token bucket: a daemon configured with 1 request/s and a burst of 3. */
#include <criterion/criterion.h>
#include <string.h>

#include "mvt.h"
#include "auth-util.h"

Test (ratelimit, burst_then_429_with_retry_after, .timeout = 60)
{
	g_autofree gchar *a = at_create_tenant ("Busy Clinic");
	g_autofree gchar *op = at_operator_token ();
	g_autofree gchar *clin = at_create_key (op, a, "clinician", NULL);
	g_autofree gchar *other = NULL;
	g_autoptr (AtResp) limited = NULL;
	g_autoptr (AtResp) other_ok = NULL;
	g_autoptr (AtResp) later = NULL;
	guint64 wait;

	/* the burst always passes; the refill (one a second) may let a few more through on a
	 * slow machine, but requests faster than one a second must meet a 429 */
	for (int i = 0; i < 3; i++) {
		g_autoptr (AtResp) r = at_http ("GET", "/v1/auth/whoami", clin, NULL);
		cr_assert_eq (r->status, 200, "request %d within the burst: %u", i, r->status);
	}
	for (int i = 3; i < 1000 && limited == NULL; i++) {
		g_autoptr (AtResp) r = at_http ("GET", "/v1/auth/whoami", clin, NULL);
		if (r->status != 200)
			limited = g_steal_pointer (&r);
	}
	cr_assert_not_null (limited, "1000 requests at full speed, none limited");
	cr_assert_eq (limited->status, 429, "over the limit: %u %s", limited->status,
		      limited->body);
	cr_assert_not_null (limited->retry_after, "no Retry-After");
	wait = g_ascii_strtoull (limited->retry_after, NULL, 10);
	cr_assert (wait >= 1 && wait <= 2, "Retry-After %s", limited->retry_after);

	/* another key has its own bucket (the operator used 2 of its 3, whatever the time) */
	other_ok = at_http ("GET", "/v1/auth/whoami", op, NULL);
	cr_assert_eq (other_ok->status, 200, "operator: %u", other_ok->status);

	/* waiting longer than told only fills the bucket more */
	g_usleep (wait * G_USEC_PER_SEC + 100000);
	later = at_http ("GET", "/v1/auth/whoami", clin, NULL);
	cr_assert_eq (later->status, 200, "after Retry-After: %u", later->status);
	(void)other;
}

Test (ratelimit, unknown_keys_do_not_get_429)
{
	/* authentication comes first: a bad key is 401 however often it is tried */
	for (int i = 0; i < 6; i++) {
		g_autoptr (AtResp) r = at_http ("GET", "/v1/auth/whoami", "mvk_nope", NULL);
		cr_assert_eq (r->status, 401, "try %d: %u", i, r->status);
	}
}

int
main (int argc, char **argv)
{
	static const gchar *const none[] = { NULL };
	MvtOptions options = {
		.good_plugins = none,
		.bad_plugins = none,
		.config = "[auth]\nrate-limit-per-second=1\nrate-limit-burst=3\n",
	};
	return mvt_main (argc, argv, &options);
}
