/* Shapes of demographic values (no database): resident IDs with their check character, E.164
 * phones, e-mail addresses, BCP 47 tags, country codes. */
#include <criterion/criterion.h>
#include <string.h>

#include "mv-patient-demographics.h"

static GDate today;

static void
setup (void)
{
	g_date_clear (&today, 1);
	g_date_set_dmy (&today, 5, G_DATE_DECEMBER, 2026);
}

TestSuite (demographics, .init = setup);

/* Check characters computed by hand from GB 11643-1999's weights (7 9 10 5 8 4 2 1 6 3 7 9 10
 * 5 8 4 2; check = (12 - sum mod 11) mod 11, 10 = X), among them the standard's own example. */
Test (demographics, resident_id_check_characters)
{
	static const gchar *const valid[] = {
		"11010519491231002X",			    /* GB 11643-1999's example */
		"44030519900101123X", "310115200002294567", /* 29 February of a leap year */
		"650102198511110013", "810000197001010001",
	};

	for (guint i = 0; i < G_N_ELEMENTS (valid); i++) {
		cr_assert_eq (mv_resident_id_check_char (valid[i]), valid[i][17], "%s", valid[i]);
		cr_assert_eq (mv_resident_id_check (valid[i], &today), MV_RESIDENT_ID_OK, "%s",
			      valid[i]);
	}
	cr_assert_eq (mv_resident_id_check_char ("1101051949123100"), 0);
	cr_assert_eq (mv_resident_id_check_char ("1101051949123100A"), 0);
}

Test (demographics, resident_id_problems)
{
	static const struct {
		const gchar *id;
		MvResidentIdProblem problem;
	} cases[] = {
		/* every wrong check character of a valid number */
		{ "110105194912310020", MV_RESIDENT_ID_CHECKSUM },
		{ "110105194912310029", MV_RESIDENT_ID_CHECKSUM },
		{ "440305199001011234", MV_RESIDENT_ID_CHECKSUM },
		/* two digits swapped: the check character catches it */
		{ "11010519491231020X", MV_RESIDENT_ID_CHECKSUM },
		{ "110105491231002", MV_RESIDENT_ID_FIRST_GENERATION },
		{ "11010519491231002", MV_RESIDENT_ID_SHAPE },
		{ "1101051949123100200", MV_RESIDENT_ID_SHAPE },
		{ "11010519491231002Y", MV_RESIDENT_ID_SHAPE },
		{ "1101051949123100X2", MV_RESIDENT_ID_SHAPE },
		{ "11010519491231002x", MV_RESIDENT_ID_SHAPE }, /* normalised upper-case first */
		{ "010105194912310024", MV_RESIDENT_ID_REGION },
		{ "910105194912310024", MV_RESIDENT_ID_REGION },
		{ "110105194902301234", MV_RESIDENT_ID_BIRTH_DATE }, /* 30 February */
		{ "310115200102294567", MV_RESIDENT_ID_BIRTH_DATE }, /* 29 February, 2001 */
		{ "110105194913010024", MV_RESIDENT_ID_BIRTH_DATE }, /* month 13 */
		{ "110105186912310024", MV_RESIDENT_ID_BIRTH_DATE }, /* before 1870 */
		{ "110105202612060024", MV_RESIDENT_ID_BIRTH_DATE }, /* tomorrow */
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
		cr_assert_eq (mv_resident_id_check (cases[i].id, &today), cases[i].problem,
			      "%s: %d", cases[i].id, mv_resident_id_check (cases[i].id, &today));
	/* born today is fine (the check character is whatever it is: computed) */
	{
		gchar id[19] = "11010520261205002";
		id[17] = mv_resident_id_check_char (id);
		id[18] = '\0';
		cr_assert_eq (mv_resident_id_check (id, &today), MV_RESIDENT_ID_OK, "%s", id);
	}
}

Test (demographics, phones_in_e164)
{
	static const gchar *const same[] = {
		"+8613800138000",
		"+86 138 0013 8000",
		"+86-138-0013-8000",
		" +86 13800138000 ",
		"＋８６　１３８－００１３－８０００", /* full-width digits, space and hyphen */
	};
	static const gchar *const bad[] = {
		"13800138000",	       /* no country code */
		"008613800138000",     /* 00 prefix, not + */
		"+0123456789",	       /* country codes do not start with 0 */
		"+86 (755) 8600 0000", /* brackets are not accepted */
		"+123456",	       /* too short */
		"+1234567890123456",   /* 16 digits: over E.164's 15 */
		"+86 138 0013 800x",
		"",
		"+",
		"tel:+8613800138000",
	};

	for (guint i = 0; i < G_N_ELEMENTS (same); i++) {
		g_autofree gchar *e164 = mv_phone_to_e164 (same[i]);
		cr_assert_str_eq (e164, "+8613800138000", "%s", same[i]);
	}
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autofree gchar *e164 = mv_phone_to_e164 (bad[i]);
		cr_assert_null (e164, "%s accepted as %s", bad[i], e164);
	}
	{
		g_autofree gchar *uk = mv_phone_to_e164 ("+44 20 7946 0958");
		cr_assert_str_eq (uk, "+442079460958");
	}
}

Test (demographics, email_addresses)
{
	static const gchar *const good[] = {
		"li.lei@example.cn",	   "a@b.co",	     "first+tag@mail.example.org",
		"x_y-z@sub-1.example.com", "李雷@例子.中国", "O'Brien@example.ie",
	};
	static const gchar *const bad[] = {
		"",
		"plain",
		"@example.org",
		"ada@",
		"ada@localhost",
		"ada@@example.org",
		"a@b@example.org",
		"ada @example.org",
		".ada@example.org",
		"ada.@example.org",
		"a..da@example.org",
		"ada@-example.org",
		"ada@example-.org",
		"ada@example..org",
		"ada@example.org.",
		"ada@127.0.0.1",
		"\"ada\"@example.org",
		"ada@exa_mple.org",
		"ada@[127.0.0.1]",
	};

	for (guint i = 0; i < G_N_ELEMENTS (good); i++)
		cr_assert (mv_email_valid (good[i]), "%s refused", good[i]);
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
		cr_assert_not (mv_email_valid (bad[i]), "%s accepted", bad[i]);
	{
		g_autofree gchar *local = g_strnfill (65, 'a');
		g_autofree gchar *address = g_strconcat (local, "@example.org", NULL);
		cr_assert_not (mv_email_valid (address));
	}
}

Test (demographics, bcp47_tags_in_canonical_case)
{
	static const gchar *const cases[][2] = {
		{ "zh-Hans", "zh-Hans" },
		{ "zh-hans", "zh-Hans" },
		{ "ZH-HANS-CN", "zh-Hans-CN" },
		{ "zh-CN", "zh-CN" },
		{ "zh-cn", "zh-CN" },
		{ "en", "en" },
		{ "EN-gb", "en-GB" },
		{ "yue", "yue" },
		{ "yue-Hant-HK", "yue-Hant-HK" },
		{ "es-419", "es-419" },
		{ "sl-rozaj", "sl-rozaj" },
		{ "de-CH-1996", "de-CH-1996" },
		{ "sr-Latn", "sr-Latn" },
	};
	static const gchar *const bad[] = {
		"",	      "z",
		"chinese",    "zh_CN",
		"zh-",	      "-zh",
		"zh--CN",     "zh-Hans-Hant",
		"zh-CN-Hans", "zh-C",
		"zh-12",      "zh-x-private",
		"en-a-bbb",   "en-US-u-ca-gregory",
		"1en",	      "zh-Hans-CN-CN",
		"中文",	      "en-GB-oed-verylongvariant",
	};

	for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
		g_autofree gchar *tag = mv_language_tag_normalise (cases[i][0]);
		cr_assert_str_eq (tag, cases[i][1], "%s", cases[i][0]);
	}
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
		g_autofree gchar *tag = mv_language_tag_normalise (bad[i]);
		cr_assert_null (tag, "%s accepted as %s", bad[i], tag);
	}
}

Test (demographics, country_codes)
{
	static const gchar *const good[] = { "CN", "HK", "MO", "TW", "GB", "US", "AD", "ZW" };
	static const gchar *const bad[] = { "cn", "ZZ", "UK", "EU", "C", "CHN", "", "XK" };

	for (guint i = 0; i < G_N_ELEMENTS (good); i++)
		cr_assert (mv_country_code_valid (good[i]), "%s", good[i]);
	for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
		cr_assert_not (mv_country_code_valid (bad[i]), "%s", bad[i]);
}
