/* A consumer's shared library: its own archive (helper) plus zcs::zcs_static. */
#include <zcs/zcs.h>

int helper_answer(void);
int plugin_run(void);

int plugin_run(void)
{
    zcs_context *context = NULL;
    if (zcs_context_create(NULL, &context) != ZCS_SUCCESS)
        return -1;
    zcs_context_destroy(context);
    return helper_answer();
}
