/*
 * The sanitizer builds' verdict does not depend on the machine: libraries a driver or
 * loader unloads stay mapped until LeakSanitizer has reported (the preloaded
 * tests/sanitizer/keep_libraries_loaded.c), so memory a driver keeps in its globals is
 * not a leak on any CPU or in any unload order, while a leak no suppression can
 * attribute to a third-party library still fails.
 */
#define _POSIX_C_SOURCE 200809L /* fork, waitpid, getline */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/zcs_test.h"

/* Run the unload probe with `mode` (NULL or "own-leak") in this test's environment;
   returns its exit status and its stderr in `output` (to free). */
static int run_unload_probe(const char *mode, char **output)
{
    char path[] = "/tmp/zcs-unload-probe-XXXXXX";
    int descriptor = mkstemp(path);
    ck_assert_int_ge(descriptor, 0);
    unlink(path);
    fflush(stdout);
    fflush(stderr);
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        dup2(descriptor, STDERR_FILENO);
        execl(ZCS_TEST_UNLOAD_PROBE, ZCS_TEST_UNLOAD_PROBE, ZCS_TEST_UNLOADED_LIBRARY, mode,
              (char *)NULL);
        _exit(126);
    }
    int wstatus = 0;
    ck_assert_int_eq(waitpid(child, &wstatus, 0), child);
    off_t size = lseek(descriptor, 0, SEEK_END);
    *output = calloc((size_t)size + 1, 1);
    ck_assert_ptr_nonnull(*output);
    ck_assert_int_eq(pread(descriptor, *output, (size_t)size, 0), size);
    close(descriptor);
    ck_assert_msg(WIFEXITED(wstatus), "the probe died: %s", *output);
    return WEXITSTATUS(wstatus);
}

START_TEST(memory_of_an_unloaded_library_is_not_a_leak)
{
    char *output = NULL;
    int status = run_unload_probe(NULL, &output);
    ck_assert_msg(status == 0 && strstr(output, "LeakSanitizer") == NULL,
                  "a library's memory, reachable from its globals, was reported after dlclose "
                  "(exit %d):\n%s",
                  status, output);
    free(output);
}
END_TEST

START_TEST(a_leak_of_our_own_still_fails)
{
    char *output = NULL;
    int status = run_unload_probe("own-leak", &output);
    ck_assert_msg(status != 0, "a leak in the probe itself passed:\n%s", output);
    ck_assert_msg(strstr(output, "detected memory leaks") != NULL, "no leak report:\n%s", output);
    ck_assert_msg(strstr(output, "Direct leak of 96 byte(s)") != NULL, "not the probe's leak:\n%s",
                  output);
    free(output);
}
END_TEST

/* The shared objects mapped into this process now, one path per line (to free). */
static char *mapped_libraries(void)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    ck_assert_ptr_nonnull(maps);
    size_t size = 0;
    char *list = NULL;
    FILE *out = open_memstream(&list, &size);
    ck_assert_ptr_nonnull(out);
    char *line = NULL;
    size_t capacity = 0;
    while (getline(&line, &capacity, maps) > 0) {
        const char *path = strchr(line, '/');
        if (path != NULL && strstr(path, ".so") != NULL)
            fputs(path, out);
    }
    free(line);
    fclose(maps);
    fclose(out);
    return list;
}

START_TEST(driver_libraries_stay_mapped_after_context_destroy)
{
    zcs_context *context = zcs_test_context();
    char *while_alive = mapped_libraries();
    zcs_test_context_destroy(context);
    char *after = mapped_libraries();
    char *saveptr = NULL;
    for (char *path = strtok_r(while_alive, "\n", &saveptr); path != NULL;
         path = strtok_r(NULL, "\n", &saveptr))
        ck_assert_msg(strstr(after, path) != NULL,
                      "%s was unloaded with the context: its leaks could not be attributed", path);
    free(while_alive);
    free(after);
}
END_TEST

static Suite *sanitizer_suite(void)
{
    Suite *suite = suite_create("sanitizer");
    TCase *unload = tcase_create("unload");
    tcase_add_test(unload, memory_of_an_unloaded_library_is_not_a_leak);
    tcase_add_test(unload, a_leak_of_our_own_still_fails);
    tcase_add_test(unload, driver_libraries_stay_mapped_after_context_destroy);
    suite_add_tcase(suite, unload);
    return suite;
}

int main(void)
{
    return zcs_test_run(sanitizer_suite());
}
