/*
 * noentry — a shared object that is not a plugin: it exports a function but no mv_plugin_entry.
 */
#include <gmodule.h>

G_MODULE_EXPORT int noentry_answer (void);

G_MODULE_EXPORT int
noentry_answer (void)
{
	return 42;
}
