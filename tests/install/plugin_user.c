/* Links only the plugin: helper_answer must come out of it (its archive's symbols are
   exported, whatever zcs::zcs_static brings to the link). */
#include <stdio.h>

int helper_answer(void);
int plugin_run(void);

int main(void)
{
    int run = plugin_run();
    int answer = helper_answer();
    printf("plugin: run %d, helper %d\n", run, answer);
    return run == 42 && answer == 42 ? 0 : 1;
}
