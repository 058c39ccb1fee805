/* The call counter behind the fault injectors (see fault_counter.h). */
#include <stddef.h>

#include "support/fault_counter.h"

static unsigned long calls;
static unsigned long armed_call;
static const char *fired_call;

void fault_counter_arm(unsigned long k)
{
    calls = 0;
    armed_call = k;
    fired_call = NULL;
}

int fault_counter_hits(const char *name)
{
    calls++;
    if (armed_call != 0 && calls == armed_call) {
        fired_call = name;
        return 1;
    }
    return 0;
}

unsigned long fault_counter_calls(void)
{
    return calls;
}

const char *fault_counter_fired_call(void)
{
    return fired_call;
}
