#include "rt-error.h"

G_DEFINE_QUARK (rt - error - quark, rt_error)

static gboolean rt_use_chinese;

void
rt_set_chinese (gboolean chinese)
{
	rt_use_chinese = chinese;
}

gboolean
rt_chinese (void)
{
	return rt_use_chinese;
}
