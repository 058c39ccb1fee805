/* The consumer's own static archive: its symbols are exported by the consumer's plugin. */
int helper_answer(void);

int helper_answer(void)
{
    return 42;
}
