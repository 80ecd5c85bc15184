#include "mv-auth-context.h"

static const struct {
	MvRole role;
	const gchar *name;
} role_names[] = {
	{ MV_ROLE_PATIENT, "patient" },
	{ MV_ROLE_CLINICIAN, "clinician" },
	{ MV_ROLE_CLINIC_ADMIN, "clinic-admin" },
	{ MV_ROLE_OPERATOR, "operator" },
};

void
mv_auth_context_free (MvAuthContext *auth)
{
	if (auth == NULL)
		return;
	g_free (auth->key_id);
	g_free (auth->clinic_id);
	g_free (auth->patient_id);
	g_free (auth);
}

const gchar *
mv_role_to_string (MvRole role)
{
	for (guint i = 0; i < G_N_ELEMENTS (role_names); i++) {
		if (role_names[i].role == role)
			return role_names[i].name;
	}
	return "none";
}

MvRole
mv_role_from_string (const gchar *name)
{
	for (guint i = 0; i < G_N_ELEMENTS (role_names); i++) {
		if (g_strcmp0 (role_names[i].name, name) == 0)
			return role_names[i].role;
	}
	return MV_ROLE_NONE;
}
