/*
 * The per-address limit of what a client without a valid key can try (issue 9, item 7): a
 * daemon allowing 5 such attempts at once and one a second after.  Bad keys on any route and
 * invite codes count; once the address is over the limit it gets 429 with Retry-After before
 * any key is looked at, a good one included, and a good key works again after the window.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "mvt.h"
#include "auth-util.h"

#define BURST 5

/* sends @n attempts of @what, all expected to be refused with @status */
static void
attempts (guint n,
	  const gchar *method,
	  const gchar *path,
	  const gchar *token,
	  const gchar *body,
	  guint status)
{
	for (guint i = 0; i < n; i++) {
		g_autoptr (AtResp) r = at_http (method, path, token, body);
		cr_assert_eq (r->status, status, "%s %s attempt %u: %u %s", method, path, i + 1,
			      r->status, r->body);
	}
}

/* the answer of an address over the limit */
static guint
assert_limited (AtResp *r, const gchar *what)
{
	guint wait;

	cr_assert_eq (r->status, 429, "%s: %u %s", what, r->status, r->body);
	cr_assert_str_eq (at_error_code (r), "rate-limited");
	cr_assert (strstr (at_error_message (r), "from this address") != NULL, "%s",
		   at_error_message (r));
	cr_assert_not_null (r->retry_after, "%s: 429 without Retry-After", what);
	wait = (guint)atoi (r->retry_after);
	cr_assert (wait >= 1 && wait <= 2, "%s: Retry-After %s", what, r->retry_after);
	return wait;
}

/* waits out @wait seconds and then until the address may try again (one more second at most:
 * the bucket refills continuously, Retry-After is rounded up) */
static void
wait_window (guint wait)
{
	g_usleep ((gulong)wait * G_USEC_PER_SEC + 200 * 1000);
}

Test (address_limit, brute_force_gets_429_and_a_good_key_works_after_the_window, .timeout = 60)
{
	g_autofree gchar *op = at_operator_token ();
	g_autoptr (AtResp) bad_key = NULL;
	g_autoptr (AtResp) good_during = NULL;
	g_autoptr (AtResp) good_after = NULL;
	g_autoptr (AtResp) bad_code = NULL;
	g_autoptr (AtResp) good_during_codes = NULL;
	g_autoptr (AtResp) good_after_codes = NULL;
	g_autoptr (AtResp) anonymous = NULL;
	guint wait;

	/* a good key costs nothing, however often it is used */
	attempts (3 * BURST, "GET", "/v1/auth/whoami", op, NULL, 200);

	/* bad keys, on two routes: BURST are 401, then 429 */
	attempts (BURST - 2, "GET", "/v1/auth/whoami", "mvk_0000000000000000_00", NULL, 401);
	attempts (2, "POST", "/v1/plugins/bmi/Compute", "garbage",
		  "{\"weight_kg\":70,\"height_cm\":175}", 401);
	bad_key = at_http ("GET", "/v1/auth/whoami", "mvk_0000000000000000_00", NULL);
	wait = assert_limited (bad_key, "bad key over the limit");
	/* refused before the key is looked at: a good key from here learns nothing either */
	good_during = at_http ("GET", "/v1/auth/whoami", op, NULL);
	assert_limited (good_during, "good key while the address is limited");
	/* a request without any key is no authentication attempt: 401 as always */
	anonymous = at_http ("GET", "/v1/auth/whoami", NULL, NULL);
	cr_assert_eq (anonymous->status, 401, "%u %s", anonymous->status, anonymous->body);
	wait_window (wait);
	good_after = at_http ("GET", "/v1/auth/whoami", op, NULL);
	cr_assert_eq (good_after->status, 200, "good key after the window: %u %s",
		      good_after->status, good_after->body);

	/* invite codes: every redemption counts, a wrong code is 404 until the limit */
	wait_window (BURST);
	attempts (BURST, "POST", "/v1/invites/redeem", NULL,
		  "{\"code\":\"mvi_00000000000000000000000000000000\"}", 404);
	bad_code = at_http ("POST", "/v1/invites/redeem", NULL,
			    "{\"code\":\"mvi_00000000000000000000000000000000\"}");
	wait = assert_limited (bad_code, "invite code over the limit");
	good_during_codes = at_http ("GET", "/v1/auth/whoami", op, NULL);
	assert_limited (good_during_codes, "good key after guessing codes");
	wait_window (wait);
	good_after_codes = at_http ("GET", "/v1/auth/whoami", op, NULL);
	cr_assert_eq (good_after_codes->status, 200, "good key after the window: %u %s",
		      good_after_codes->status, good_after_codes->body);
}

int
main (int argc, char **argv)
{
	static const gchar *const none[] = { NULL };
	MvtOptions options = {
		.good_plugins = none,
		.bad_plugins = none,
		.config = "[auth]\naddress-rate-limit-per-minute=60\naddress-rate-limit-burst=5\n",
	};
	return mvt_main (argc, argv, &options);
}
