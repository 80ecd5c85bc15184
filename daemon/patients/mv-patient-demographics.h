/*
 * Medverse patients — the shapes of demographic values a clinic sends: China's resident ID
 * (居民身份证, GB 11643-1999) with its check character, phone numbers in E.164, e-mail
 * addresses, BCP 47 language tags (RFC 5646) and ISO 3166-1 alpha-2 country codes.
 *
 * Pure functions over strings: no JSON, no database, no keys.  The profile's schema
 * (mv-patient-profile.c) turns their answers into problems with JSON Pointers; they never
 * log and never keep what they are given.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * MvResidentIdProblem:
 * @MV_RESIDENT_ID_OK: a well-formed number whose check character is right
 * @MV_RESIDENT_ID_SHAPE: not 17 digits and a check character (0-9 or X)
 * @MV_RESIDENT_ID_FIRST_GENERATION: the 15-digit first-generation form, which has no check
 *   character and a two-digit year; no longer valid since 2013
 * @MV_RESIDENT_ID_REGION: the region code (digits 1-6) does not start with 1-8
 * @MV_RESIDENT_ID_BIRTH_DATE: digits 7-14 are not a real date, are in the future or before 1870
 * @MV_RESIDENT_ID_CHECKSUM: the check character is not the ISO 7064 MOD 11-2 one
 */
typedef enum {
	MV_RESIDENT_ID_OK,
	MV_RESIDENT_ID_SHAPE,
	MV_RESIDENT_ID_FIRST_GENERATION,
	MV_RESIDENT_ID_REGION,
	MV_RESIDENT_ID_BIRTH_DATE,
	MV_RESIDENT_ID_CHECKSUM,
} MvResidentIdProblem;

/**
 * mv_resident_id_check_char:
 * @digits17: the first 17 characters of a resident ID, all digits
 *
 * ISO 7064 MOD 11-2 as GB 11643-1999 uses it: weights 2^(17-i) mod 11, check = (12 - sum mod
 * 11) mod 11, 10 written "X".
 *
 * Returns: '0'…'9' or 'X'; 0 when @digits17 is not 17 digits.
 */
gchar mv_resident_id_check_char (const gchar *digits17);

/**
 * mv_resident_id_check:
 * @normalised: the number after mv_vault_normalise_identifier() (upper-case, no separators)
 * @today: the date a birth date must not be after
 *
 * Returns: what is wrong with it, or %MV_RESIDENT_ID_OK.
 */
MvResidentIdProblem mv_resident_id_check (const gchar *normalised, const GDate *today);

/**
 * mv_phone_to_e164:
 * @text: a phone number as typed: "+86 138-0013-8000", "＋８６１３８００１３８０００"
 *
 * The number in E.164: "+", a country code not starting with 0, 7 to 15 digits in all.
 * Spaces and hyphens (and their full-width forms) are dropped; a number without its country
 * code ("13800138000", "0755 …") is refused: the daemon cannot tell which country it is of.
 *
 * Returns: (transfer full) (nullable): "+8613800138000", or %NULL when @text is not one.
 */
gchar *mv_phone_to_e164 (const gchar *text);

/**
 * mv_email_valid:
 *
 * The shape of an address as mail systems accept it (not all of RFC 5322): a local part of
 * 1-64 characters without spaces, quotes, "(),:;<>[\\]" or a leading, trailing or doubled
 * dot; "@"; a domain of at least two dot-separated labels of letters, digits and hyphens (or
 * non-ASCII letters), each 1-63 long, not starting or ending with a hyphen, the last not all
 * digits; at most 254 bytes in all.
 */
gboolean mv_email_valid (const gchar *text);

/**
 * mv_language_tag_normalise:
 * @tag: a BCP 47 tag: "zh-Hans", "zh-CN", "en", "en-GB", "yue", "zh-hans-cn", "es-419"
 *
 * RFC 5646's common subset: a language of 2-3 letters, then optionally a script of 4 letters,
 * a region of 2 letters or 3 digits, and variants (5-8 letters or digits, or a digit and 3),
 * in that order, joined by "-" ("_" is refused); at most 35 characters.  Extensions and
 * private use are refused.  Case is normalised as RFC 5646 recommends: language and variants
 * lower-case, script title-case, region upper-case ("zh-hans-cn" → "zh-Hans-CN").
 *
 * Returns: (transfer full) (nullable): the tag in canonical case, or %NULL if not well-formed.
 */
gchar *mv_language_tag_normalise (const gchar *tag);

/**
 * mv_country_code_valid:
 *
 * Whether @code is an officially assigned ISO 3166-1 alpha-2 code ("CN", "GB"), upper-case.
 */
gboolean mv_country_code_valid (const gchar *code);

G_END_DECLS
