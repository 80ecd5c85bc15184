/*
 * See heap-meter.h.  glibc exports its allocator as __libc_malloc etc.; the definitions below
 * interpose malloc, calloc, realloc, reallocarray, free and the aligned allocators for the
 * whole process (GLib included) and count malloc_usable_size() of every block.  Under
 * AddressSanitizer the same count comes from its malloc and free hooks.
 */
#include "heap-meter.h"

#if defined(__SANITIZE_ADDRESS__)
#define HEAP_METER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HEAP_METER_ASAN 1
#elif __has_feature(memory_sanitizer)
#define HEAP_METER_DISABLED 1
#endif
#endif

/* bytes in live blocks; the peak since the last start and its baseline */
static gint64 heap_now;
static gint64 heap_peak;
static gint64 heap_base;

static void G_GNUC_UNUSED
count (gint64 delta)
{
	gint64 now = __atomic_add_fetch (&heap_now, delta, __ATOMIC_RELAXED);
	gint64 peak = __atomic_load_n (&heap_peak, __ATOMIC_RELAXED);

	while (now > peak
	       && !__atomic_compare_exchange_n (&heap_peak, &peak, now, TRUE, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
		;
}

#ifdef HEAP_METER_DISABLED

gboolean
heap_meter_available (void)
{
	return FALSE;
}

void
heap_meter_start (void)
{
}

gsize
heap_meter_peak (void)
{
	return 0;
}

gssize
heap_meter_current (void)
{
	return 0;
}

#elif defined(HEAP_METER_ASAN)

#include <stddef.h>

/* from <sanitizer/allocator_interface.h>, which GCC does not install */
int __sanitizer_install_malloc_and_free_hooks (void (*malloc_hook) (const volatile void *, size_t),
					       void (*free_hook) (const volatile void *));
size_t __sanitizer_get_allocated_size (const volatile void *ptr);

/* ASan runs the free hook before the block is released, so its size is still known; realloc
 * is an allocation and a free to it */
static void
malloc_hook (const volatile void *ptr, size_t size)
{
	count ((gint64)size);
}

static void
free_hook (const volatile void *ptr)
{
	count (-(gint64)__sanitizer_get_allocated_size (ptr));
}

__attribute__ ((constructor)) static void
install_hooks (void)
{
	__sanitizer_install_malloc_and_free_hooks (malloc_hook, free_hook);
}

gboolean
heap_meter_available (void)
{
	return TRUE;
}

#else

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>

extern void *__libc_malloc (size_t size);
extern void *__libc_calloc (size_t n, size_t size);
extern void *__libc_realloc (void *ptr, size_t size);
extern void *__libc_memalign (size_t alignment, size_t size);
extern void *__libc_valloc (size_t size);
extern void *__libc_pvalloc (size_t size);
extern void __libc_free (void *ptr);

static void *
counted (void *ptr)
{
	if (ptr != NULL)
		count ((gint64)malloc_usable_size (ptr));
	return ptr;
}

void *
malloc (size_t size)
{
	return counted (__libc_malloc (size));
}

void *
calloc (size_t n, size_t size)
{
	return counted (__libc_calloc (n, size));
}

void *
realloc (void *ptr, size_t size)
{
	gint64 old = ptr != NULL ? (gint64)malloc_usable_size (ptr) : 0;
	void *out = __libc_realloc (ptr, size);

	/* a failed realloc leaves the old block; realloc (p, 0) frees it and may return NULL */
	if (out != NULL)
		count ((gint64)malloc_usable_size (out) - old);
	else if (size == 0)
		count (-old);
	return out;
}

void *
reallocarray (void *ptr, size_t n, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow (n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc (ptr, total);
}

void
free (void *ptr)
{
	if (ptr != NULL)
		count (-(gint64)malloc_usable_size (ptr));
	__libc_free (ptr);
}

void *
memalign (size_t alignment, size_t size)
{
	return counted (__libc_memalign (alignment, size));
}

void *
aligned_alloc (size_t alignment, size_t size)
{
	return counted (__libc_memalign (alignment, size));
}

int
posix_memalign (void **out, size_t alignment, size_t size)
{
	void *ptr;

	if (alignment % sizeof (void *) != 0 || (alignment & (alignment - 1)) != 0)
		return EINVAL;
	ptr = __libc_memalign (alignment, size);
	if (ptr == NULL)
		return ENOMEM;
	*out = counted (ptr);
	return 0;
}

void *
valloc (size_t size)
{
	return counted (__libc_valloc (size));
}

void *
pvalloc (size_t size)
{
	return counted (__libc_pvalloc (size));
}

gboolean
heap_meter_available (void)
{
	return TRUE;
}

#endif

#ifndef HEAP_METER_DISABLED

void
heap_meter_start (void)
{
	gint64 now = __atomic_load_n (&heap_now, __ATOMIC_RELAXED);

	__atomic_store_n (&heap_base, now, __ATOMIC_RELAXED);
	__atomic_store_n (&heap_peak, now, __ATOMIC_RELAXED);
}

gsize
heap_meter_peak (void)
{
	return (gsize)(__atomic_load_n (&heap_peak, __ATOMIC_RELAXED)
		       - __atomic_load_n (&heap_base, __ATOMIC_RELAXED));
}

gssize
heap_meter_current (void)
{
	return (gssize)(__atomic_load_n (&heap_now, __ATOMIC_RELAXED)
			- __atomic_load_n (&heap_base, __ATOMIC_RELAXED));
}

#endif
