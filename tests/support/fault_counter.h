/*
 * The call counter behind the fault injectors (cl_faults, vk_faults): counts fallible
 * backend calls and says which one is armed to fail.
 */
#ifndef ZCS_TESTS_SUPPORT_FAULT_COUNTER_H
#define ZCS_TESTS_SUPPORT_FAULT_COUNTER_H

/* Count from 0 again; call number `k` (1-based) will fail, none when k is 0. */
void fault_counter_arm(unsigned long k);

/* Count a call named `name`; 1 when it is the one armed to fail. */
int fault_counter_hits(const char *name);

/* Calls counted since the last fault_counter_arm. */
unsigned long fault_counter_calls(void);

/* The name of the call the armed fault hit, or NULL while none was hit. */
const char *fault_counter_fired_call(void);

#endif /* ZCS_TESTS_SUPPORT_FAULT_COUNTER_H */
