/* Who is calling: what the HTTP and D-Bus adapters establish before any patient-data code
 * runs.  Resource code takes an MvAuthContext and scopes every query by its clinic. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Roles as bits, so a route can accept several. */
typedef enum {
	MV_ROLE_NONE = 0,
	MV_ROLE_PATIENT = 1 << 0,
	MV_ROLE_CLINICIAN = 1 << 1,
	MV_ROLE_CLINIC_ADMIN = 1 << 2,
	MV_ROLE_OPERATOR = 1 << 3,
} MvRole;

#define MV_ROLE_ANY_CLINIC_STAFF (MV_ROLE_CLINICIAN | MV_ROLE_CLINIC_ADMIN)

typedef struct {
	MvRole role;
	gchar *key_id;	   /* the API key's public id: safe to log and audit */
	gchar *clinic_id;  /* NULL for the operator */
	gchar *patient_id; /* only for MV_ROLE_PATIENT */
} MvAuthContext;

void mv_auth_context_free (MvAuthContext *auth);
const gchar *mv_role_to_string (MvRole role);
/* MV_ROLE_NONE for an unknown name */
MvRole mv_role_from_string (const gchar *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MvAuthContext, mv_auth_context_free)

G_END_DECLS
