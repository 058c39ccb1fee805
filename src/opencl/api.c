/* The table of OpenCL entry points (see api.h). */
#include "opencl/api.h"

zcs__cl_api zcs__cl = {
#define ZCS__CL_API_INIT_(type, name, fails, parameters, arguments) name,
    ZCS__CL_FUNCTIONS(ZCS__CL_API_INIT_)
#undef ZCS__CL_API_INIT_
};

zcs__cl_api *zcs__cl_api_table(void)
{
    return &zcs__cl;
}

void zcs__cl_api_reset(void)
{
#define ZCS__CL_API_RESET_(type, name, fails, parameters, arguments) zcs__cl.name = name;
    ZCS__CL_FUNCTIONS(ZCS__CL_API_RESET_)
#undef ZCS__CL_API_RESET_
}
