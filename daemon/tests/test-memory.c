/* The memory trimmer's decision: a trim once the daemon is idle after a peak, not between the
 * requests of a burst, not without a peak, and not again until something happened. */
#include <criterion/criterion.h>

#include "mv-memory.h"

#define MB (1024 * 1024)

Test (memory, trims_once_idle_after_a_peak)
{
	MvMemoryTrimState state = { .baseline_bytes = 30 * MB };

	/* busy at the peak */
	cr_assert_not (mv_memory_should_trim (&state, FALSE, 0, 1800 * MB));
	/* one idle check is a gap in a burst, two are idle */
	cr_assert_not (mv_memory_should_trim (&state, TRUE, 8, 1800 * MB));
	cr_assert (mv_memory_should_trim (&state, TRUE, 8, 1800 * MB));
	/* what stayed is in use: nothing happened since, so no second trim however long it idles */
	state.last_trim_bytes = 300 * MB;
	state.last_completed = 8;
	cr_assert_not (mv_memory_should_trim (&state, TRUE, 8, 300 * MB));
	cr_assert_not (mv_memory_should_trim (&state, TRUE, 8, 305 * MB));
	/* the resident set moved (memory freed, or taken by something else than a call) */
	cr_assert (mv_memory_should_trim (&state, TRUE, 8, 340 * MB));
	state.last_trim_bytes = 48 * MB;
	/* a call finished and the resident set is over the peak line again */
	cr_assert (mv_memory_should_trim (&state, TRUE, 9, 200 * MB));
}

Test (memory, no_trim_without_a_peak)
{
	MvMemoryTrimState state = { .baseline_bytes = 30 * MB };

	for (guint i = 0; i < 5; i++)
		cr_assert_not (mv_memory_should_trim (&state, TRUE, i, 60 * MB));
	cr_assert_gt (mv_memory_resident_bytes (), 0);
}
