/* Names and messages of the status table, the tier, wait and backend tables, and the runtime
   version. */
#include "core/objects.h"

const char *zcs_status_name(zcs_status status)
{
    switch (status) {
#define ZCS_STATUS_NAME_(code, name, msg)                                                          \
    case ZCS_##name:                                                                               \
        return "ZCS_" #name;
        ZCS_STATUS_MAP(ZCS_STATUS_NAME_)
#undef ZCS_STATUS_NAME_
    }
    return "ZCS_UNKNOWN_STATUS";
}

const char *zcs_status_string(zcs_status status)
{
    switch (status) {
#define ZCS_STATUS_STRING_(code, name, msg)                                                        \
    case ZCS_##name:                                                                               \
        return msg;
        ZCS_STATUS_MAP(ZCS_STATUS_STRING_)
#undef ZCS_STATUS_STRING_
    }
    return "unknown status";
}

/* Every tier: its name and the backends that offer it (ZCS__BACKEND_BIT bits), indexed by
   zcs_tier. */
static const struct {
    const char *name;
    unsigned backends;
} zcs__tiers[ZCS_TIER_COUNT] = {
    [ZCS_TIER_AUTO] = {"auto", 0},
    [ZCS_TIER_SVM_FINE] = {"svm_fine", ZCS__BACKEND_BIT(ZCS_BACKEND_OPENCL)},
    [ZCS_TIER_SVM_COARSE] = {"svm_coarse", ZCS__BACKEND_BIT(ZCS_BACKEND_OPENCL)},
    [ZCS_TIER_HOST_PTR] = {"host_ptr", ZCS__BACKEND_BIT(ZCS_BACKEND_OPENCL)},
    [ZCS_TIER_VULKAN_MAPPED] = {"vulkan_mapped", ZCS__BACKEND_BIT(ZCS_BACKEND_VULKAN)},
    [ZCS_TIER_STAGED] = {"staged", ZCS__BACKEND_BIT(ZCS_BACKEND_OPENCL) |
                                       ZCS__BACKEND_BIT(ZCS_BACKEND_VULKAN)},
};

const char *zcs__tier_name(zcs_tier tier)
{
    if ((int)tier < 0 || (int)tier >= ZCS_TIER_COUNT)
        return NULL;
    return zcs__tiers[tier].name;
}

const char *zcs_tier_name(zcs_tier tier)
{
    return zcs__tier_name(tier);
}

unsigned zcs__tier_backends(zcs_tier tier)
{
    if ((int)tier < 0 || (int)tier >= ZCS_TIER_COUNT)
        return 0;
    return zcs__tiers[tier].backends;
}

zcs_backend zcs__tier_backend(zcs_tier tier)
{
    unsigned backends = zcs__tier_backends(tier);
    return backends == ZCS__BACKEND_BIT(ZCS_BACKEND_OPENCL)   ? ZCS_BACKEND_OPENCL
           : backends == ZCS__BACKEND_BIT(ZCS_BACKEND_VULKAN) ? ZCS_BACKEND_VULKAN
                                                              : ZCS__NO_BACKEND;
}

/* Every wait policy's name, indexed by zcs_wait. */
static const char *const zcs__waits[ZCS_WAIT_COUNT] = {
    [ZCS_WAIT_AUTO] = "auto",
    [ZCS_WAIT_BLOCK] = "block",
    [ZCS_WAIT_POLL] = "poll",
};

const char *zcs_wait_name(zcs_wait wait)
{
    if ((int)wait < 0 || (int)wait >= ZCS_WAIT_COUNT)
        return NULL;
    return zcs__waits[wait];
}

const char *zcs__backend_name(zcs_backend backend)
{
    return backend == ZCS_BACKEND_OPENCL   ? "OpenCL"
           : backend == ZCS_BACKEND_VULKAN ? "Vulkan"
                                           : "no";
}

uint32_t zcs_version(void)
{
    return ZCS_VERSION;
}
