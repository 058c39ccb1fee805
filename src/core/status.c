/* Names and messages of the status table, tier names and the runtime version. */
#include "zcs/zcs.h"

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

const char *zcs_tier_name(zcs_tier tier)
{
    switch (tier) {
    case ZCS_TIER_AUTO:
        return "auto";
    case ZCS_TIER_SVM_FINE:
        return "svm_fine";
    case ZCS_TIER_SVM_COARSE:
        return "svm_coarse";
    case ZCS_TIER_HOST_PTR:
        return "host_ptr";
    case ZCS_TIER_VULKAN_MAPPED:
        return "vulkan_mapped";
    }
    return NULL;
}

uint32_t zcs_version(void)
{
    return ZCS_VERSION;
}
