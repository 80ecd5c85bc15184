/* Shapes of demographic values: see mv-patient-demographics.h. */
#define G_LOG_DOMAIN "medverse-patients"

#include "mv-patient-demographics.h"

#include <string.h>

#include "mv-crypto.h"

/* The oldest birth year accepted, as the schema engine's dates (mv-record-schema.c). */
#define OLDEST_YEAR 1870

/* ISO 3166-1 alpha-2, the 249 officially assigned codes (Debian's iso-codes, 3166-1). */
static const gchar COUNTRIES[]
	= "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN "
	  "BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ "
	  "DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL "
	  "GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM "
	  "JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME "
	  "MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP "
	  "NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD "
	  "SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO "
	  "TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

static gboolean
all_digits (const gchar *s, gsize n)
{
	for (gsize i = 0; i < n; i++) {
		if (!g_ascii_isdigit (s[i]))
			return FALSE;
	}
	return TRUE;
}

gchar
mv_resident_id_check_char (const gchar *digits17)
{
	static const guint weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	guint sum = 0;
	guint check;

	if (digits17 == NULL || strlen (digits17) < 17 || !all_digits (digits17, 17))
		return 0;
	for (guint i = 0; i < 17; i++)
		sum += (guint)(digits17[i] - '0') * weights[i];
	check = (12 - sum % 11) % 11;
	return check == 10 ? 'X' : (gchar)('0' + check);
}

MvResidentIdProblem
mv_resident_id_check (const gchar *normalised, const GDate *today)
{
	gsize n = strlen (normalised);
	guint y, m, d;
	GDate birth;

	if (n == 15 && all_digits (normalised, 15))
		return MV_RESIDENT_ID_FIRST_GENERATION;
	if (n != 18 || !all_digits (normalised, 17)
	    || !(g_ascii_isdigit (normalised[17]) || normalised[17] == 'X'))
		return MV_RESIDENT_ID_SHAPE;
	/* 11-15 north, 21-23 north-east, … 71 Taiwan, 81-82 Hong Kong and Macau, 83 residence
	 * permits of Taiwan residents: never 0 or 9 first */
	if (normalised[0] == '0' || normalised[0] == '9')
		return MV_RESIDENT_ID_REGION;
	y = (guint)((normalised[6] - '0') * 1000 + (normalised[7] - '0') * 100
		    + (normalised[8] - '0') * 10 + (normalised[9] - '0'));
	m = (guint)((normalised[10] - '0') * 10 + (normalised[11] - '0'));
	d = (guint)((normalised[12] - '0') * 10 + (normalised[13] - '0'));
	if (y < OLDEST_YEAR || !g_date_valid_dmy ((GDateDay)d, (GDateMonth)m, (GDateYear)y))
		return MV_RESIDENT_ID_BIRTH_DATE;
	g_date_clear (&birth, 1);
	g_date_set_dmy (&birth, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
	if (today != NULL && g_date_compare (&birth, today) > 0)
		return MV_RESIDENT_ID_BIRTH_DATE;
	if (mv_resident_id_check_char (normalised) != normalised[17])
		return MV_RESIDENT_ID_CHECKSUM;
	return MV_RESIDENT_ID_OK;
}

gchar *
mv_phone_to_e164 (const gchar *text)
{
	/* the identifiers' normalisation: NFKC (full-width digits and "＋"), spaces and dashes
	 * dropped; its upper-casing cannot matter, letters are refused below */
	g_autofree gchar *norm = mv_vault_normalise_identifier (text, NULL);
	gsize n;

	if (norm == NULL)
		return NULL;
	n = strlen (norm);
	if (n < 8 || n > 16 || norm[0] != '+' || norm[1] == '0' || !all_digits (norm + 1, n - 1))
		return NULL;
	return g_steal_pointer (&norm);
}

static gboolean
email_local_ok (const gchar *s, gsize n)
{
	if (n < 1 || n > 64 || s[0] == '.' || s[n - 1] == '.')
		return FALSE;
	for (gsize i = 0; i < n; i++) {
		guchar c = (guchar)s[i];
		if (c <= 0x20 || c == 0x7f || strchr ("\"(),:;<>[\\]@", c) != NULL)
			return FALSE;
		if (c == '.' && s[i + 1] == '.')
			return FALSE;
	}
	return TRUE;
}

static gboolean
email_label_ok (const gchar *s, gsize n)
{
	if (n < 1 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return FALSE;
	for (gsize i = 0; i < n; i++) {
		guchar c = (guchar)s[i];
		if (!(g_ascii_isalnum (c) || c == '-' || c >= 0x80))
			return FALSE;
	}
	return TRUE;
}

gboolean
mv_email_valid (const gchar *text)
{
	const gchar *at;
	const gchar *label;
	guint labels = 0;
	gboolean last_numeric = FALSE;

	if (text == NULL || strlen (text) > 254 || !g_utf8_validate (text, -1, NULL))
		return FALSE;
	at = strchr (text, '@');
	if (at == NULL || strchr (at + 1, '@') != NULL
	    || !email_local_ok (text, (gsize)(at - text)))
		return FALSE;
	label = at + 1;
	for (;;) {
		const gchar *dot = strchr (label, '.');
		gsize n = dot != NULL ? (gsize)(dot - label) : strlen (label);
		if (!email_label_ok (label, n))
			return FALSE;
		labels++;
		last_numeric = all_digits (label, n);
		if (dot == NULL)
			break;
		label = dot + 1;
	}
	return labels >= 2 && !last_numeric;
}

static gboolean
all_alpha (const gchar *s)
{
	for (; *s != '\0'; s++) {
		if (!g_ascii_isalpha (*s))
			return FALSE;
	}
	return TRUE;
}

static gboolean
all_alnum (const gchar *s)
{
	for (; *s != '\0'; s++) {
		if (!g_ascii_isalnum (*s))
			return FALSE;
	}
	return TRUE;
}

gchar *
mv_language_tag_normalise (const gchar *tag)
{
	g_auto (GStrv) parts = NULL;
	g_autoptr (GString) out = NULL;
	/* 0: language next; 1: script; 2: region; 3: variants */
	guint stage = 0;

	if (tag == NULL || *tag == '\0' || strlen (tag) > 35)
		return NULL;
	parts = g_strsplit (tag, "-", -1);
	out = g_string_new (NULL);
	for (guint i = 0; parts[i] != NULL; i++) {
		gchar *p = parts[i];
		gsize n = strlen (p);

		if (i == 0) {
			if ((n != 2 && n != 3) || !all_alpha (p))
				return NULL;
			for (gsize k = 0; k < n; k++)
				g_string_append_c (out, g_ascii_tolower (p[k]));
			stage = 1;
			continue;
		}
		g_string_append_c (out, '-');
		if (stage <= 1 && n == 4 && all_alpha (p)) {
			g_string_append_c (out, g_ascii_toupper (p[0]));
			for (gsize k = 1; k < n; k++)
				g_string_append_c (out, g_ascii_tolower (p[k]));
			stage = 2;
		} else if (stage <= 2
			   && ((n == 2 && all_alpha (p)) || (n == 3 && all_digits (p, 3)))) {
			for (gsize k = 0; k < n; k++)
				g_string_append_c (out, g_ascii_toupper (p[k]));
			stage = 3;
		} else if (((n >= 5 && n <= 8) || (n == 4 && g_ascii_isdigit (p[0])))
			   && all_alnum (p)) {
			for (gsize k = 0; k < n; k++)
				g_string_append_c (out, g_ascii_tolower (p[k]));
			stage = 3;
		} else {
			return NULL;
		}
	}
	return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
mv_country_code_valid (const gchar *code)
{
	if (code == NULL || strlen (code) != 2 || !g_ascii_isupper (code[0])
	    || !g_ascii_isupper (code[1]))
		return FALSE;
	for (const gchar *p = COUNTRIES; *p != '\0'; p += 3) {
		if (p[0] == code[0] && p[1] == code[1])
			return TRUE;
		if (p[2] == '\0')
			break;
	}
	return FALSE;
}
