/*
 * OpenCL fault injection for the tests (see cl_faults.h). The wrappers are generated
 * from the backend's own list of calls (ZCS__CL_FUNCTIONS in src/opencl/api.h), one
 * per call that can fail, in the way that call reports failure.
 */
#include "support/cl_faults.h"
#include "support/fault_counter.h"

static zcs__cl_api real;
static int installed;
static cl_int armed_error;

/* The armed call fails as its kind says, without calling the runtime. */
#define FAULT_STATUS_(name)                                                                        \
    if (fault_counter_hits(#name))                                                                 \
        return armed_error;
#define FAULT_ERRCODE_(name)                                                                       \
    if (fault_counter_hits(#name)) {                                                               \
        if (errcode_ret != NULL)                                                                   \
            *errcode_ret = armed_error;                                                            \
        return NULL;                                                                               \
    }
#define FAULT_NULLPTR_(name)                                                                       \
    if (fault_counter_hits(#name))                                                                 \
        return NULL;

#define FAULT_WRAPPER_STATUS(type, name, parameters, arguments)                                    \
    static type CL_API_CALL fault_##name parameters                                                \
    {                                                                                              \
        FAULT_STATUS_(name)                                                                        \
        return real.name arguments;                                                                \
    }
#define FAULT_WRAPPER_ERRCODE(type, name, parameters, arguments)                                   \
    static type CL_API_CALL fault_##name parameters                                                \
    {                                                                                              \
        FAULT_ERRCODE_(name)                                                                       \
        return real.name arguments;                                                                \
    }
#define FAULT_WRAPPER_NULLPTR(type, name, parameters, arguments)                                   \
    static type CL_API_CALL fault_##name parameters                                                \
    {                                                                                              \
        FAULT_NULLPTR_(name)                                                                       \
        return real.name arguments;                                                                \
    }
#define FAULT_WRAPPER_NOFAIL(type, name, parameters, arguments)
#define FAULT_WRAPPER_(type, name, fails, parameters, arguments)                                   \
    FAULT_WRAPPER_##fails(type, name, parameters, arguments)
ZCS__CL_FUNCTIONS(FAULT_WRAPPER_)

void cl_faults_install(void)
{
    if (!installed) {
        real = zcs__cl;
        installed = 1;
    }
#define FAULT_INSTALL_STATUS(name)  zcs__cl.name = fault_##name;
#define FAULT_INSTALL_ERRCODE(name) zcs__cl.name = fault_##name;
#define FAULT_INSTALL_NULLPTR(name) zcs__cl.name = fault_##name;
#define FAULT_INSTALL_NOFAIL(name)
#define FAULT_INSTALL_(type, name, fails, parameters, arguments) FAULT_INSTALL_##fails(name)
    ZCS__CL_FUNCTIONS(FAULT_INSTALL_)
    cl_faults_arm(0, CL_SUCCESS);
}

void cl_faults_arm(unsigned long k, cl_int error)
{
    fault_counter_arm(k);
    armed_error = error;
}

void cl_faults_remove(void)
{
    if (installed)
        zcs__cl = real;
    installed = 0;
}
