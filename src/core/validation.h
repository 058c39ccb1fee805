/*
 * Validation mode (ZCS_CONTEXT_VALIDATE or ZCS_VALIDATE=1): host maps hand out a shadow
 * copy fenced by guard bytes instead of the array itself. The shadow is copied in at map
 * (for accesses that keep contents), copied back at unmap (for accesses that write), and
 * its guards are checked at unmap, so a CPU write past either end of the mapped range
 * is reported with the array and the byte offset, and a write through a pointer kept
 * after unmap never reaches the array (stale data shows on coherent CPU devices too).
 */
#ifndef ZCS_CORE_VALIDATION_H
#define ZCS_CORE_VALIDATION_H

#include "core/objects.h"

/* Bytes of guard before and after each shadow. */
#define ZCS__GUARD_BYTES 256
/* The guards' pattern, and what a write-discard shadow starts as. */
#define ZCS__GUARD_PATTERN   0xA5
#define ZCS__DISCARD_PATTERN 0xCD

/*
 * Make the shadow for a mapping of `size` bytes whose real mapping is `real_ptr`; return
 * the pointer the application gets.
 */
zcs_status zcs__validation_map(zcs_array *buffer, zcs_access access, void *real_ptr, size_t size,
                               void **out_ptr);

/*
 * Check the guards, copy written data back to the real mapping, release the shadow.
 * Returns ZCS_ERROR_GUARD_CORRUPTED naming the array and the first corrupted byte's offset
 * relative to the mapped range (the data inside the range is still written back).
 */
zcs_status zcs__validation_unmap(zcs_array *buffer);

/* Guard bytes around an array's device allocation (validation mode), at least this many. */
size_t zcs__validation_guard_size(const zcs_context *context);

/* Fill both device-side guards of a new array with the pattern. */
zcs_status zcs__validation_fill_guards(zcs_array *buffer);

/*
 * Check both device-side guards: a kernel that wrote past either end of the array gives
 * ZCS_ERROR_GUARD_CORRUPTED naming the array, the byte offset and `when` (the call that
 * found it); the guards are then restored so each overrun is reported once.
 */
zcs_status zcs__validation_check_guards(zcs_array *buffer, const char *when);

#endif /* ZCS_CORE_VALIDATION_H */
