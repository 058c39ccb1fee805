/*
 * Vulkan fault injection for the tests (see vk_faults.h). The wrappers are generated
 * from the backend's own lists of calls (src/vulkan/api.h), one per call that can
 * fail, in the way that call reports failure.
 */
#include "support/vk_faults.h"
#include "support/fault_counter.h"

static zcs__vk_api real;
static int installed;
static VkResult armed_error;

#define FAULT_WRAPPER_RESULT(type, name, parameters, arguments)                                    \
    static type VKAPI_CALL fault_##name parameters                                                 \
    {                                                                                              \
        if (fault_counter_hits(#name))                                                             \
            return armed_error;                                                                    \
        return real.name arguments;                                                                \
    }
/* A failed vkCreateComputePipelines sets every pipeline to VK_NULL_HANDLE (the spec). */
#define FAULT_WRAPPER_PIPELINES(type, name, parameters, arguments)                                 \
    static type VKAPI_CALL fault_##name parameters                                                 \
    {                                                                                              \
        if (fault_counter_hits(#name)) {                                                           \
            for (uint32_t i = 0; i < createInfoCount; i++)                                         \
                pPipelines[i] = VK_NULL_HANDLE;                                                    \
            return armed_error;                                                                    \
        }                                                                                          \
        return real.name arguments;                                                                \
    }
#define FAULT_WRAPPER_NOFAIL(type, name, parameters, arguments)
#define FAULT_WRAPPER_(type, name, fails, parameters, arguments)                                   \
    FAULT_WRAPPER_##fails(type, name, parameters, arguments)
ZCS__VK_GLOBAL_FUNCTIONS(FAULT_WRAPPER_)
ZCS__VK_INSTANCE_FUNCTIONS(FAULT_WRAPPER_)
ZCS__VK_EXTENSION_FUNCTIONS(FAULT_WRAPPER_)

void vk_faults_install(void)
{
    if (!installed) {
        real = zcs__vk;
        installed = 1;
    }
#define FAULT_INSTALL_RESULT(name)    zcs__vk.name = fault_##name;
#define FAULT_INSTALL_PIPELINES(name) zcs__vk.name = fault_##name;
#define FAULT_INSTALL_NOFAIL(name)
#define FAULT_INSTALL_(type, name, fails, parameters, arguments) FAULT_INSTALL_##fails(name)
    ZCS__VK_GLOBAL_FUNCTIONS(FAULT_INSTALL_)
    ZCS__VK_INSTANCE_FUNCTIONS(FAULT_INSTALL_)
    ZCS__VK_EXTENSION_FUNCTIONS(FAULT_INSTALL_)
    vk_faults_arm(0, VK_SUCCESS);
}

void vk_faults_arm(unsigned long k, VkResult error)
{
    fault_counter_arm(k);
    armed_error = error;
}

void vk_faults_remove(void)
{
    if (installed)
        zcs__vk = real;
    installed = 0;
}
