/* The table of Vulkan entry points and its loading (see api.h). */
#include <pthread.h>
#include <stddef.h>

#include "vulkan/api.h"

zcs__vk_api zcs__vk;

/* Every listed signature is the header's: a wrong one stops the build here. */
#define ZCS__VK_CHECK_SIGNATURE_(type, name, fails, parameters, arguments)                         \
    _Static_assert(_Generic((PFN_##name)0, type(VKAPI_PTR *) parameters : 1, default : 0),         \
                   #name " is listed with another signature than PFN_" #name);
ZCS__VK_GLOBAL_FUNCTIONS(ZCS__VK_CHECK_SIGNATURE_)
ZCS__VK_INSTANCE_FUNCTIONS(ZCS__VK_CHECK_SIGNATURE_)
ZCS__VK_EXTENSION_FUNCTIONS(ZCS__VK_CHECK_SIGNATURE_)
#undef ZCS__VK_CHECK_SIGNATURE_

/* Guards loading: two threads creating their first contexts must not both write. */
static pthread_mutex_t zcs__vk_api_lock = PTHREAD_MUTEX_INITIALIZER;

int zcs__vk_api_load_global(void)
{
    int ok = 1;
    pthread_mutex_lock(&zcs__vk_api_lock);
#define ZCS__VK_LOAD_GLOBAL_(type, name, fails, parameters, arguments)                             \
    if (zcs__vk.name == NULL)                                                                      \
        zcs__vk.name = (PFN_##name)vkGetInstanceProcAddr(NULL, #name);                             \
    if (zcs__vk.name == NULL)                                                                      \
        ok = 0;
    ZCS__VK_GLOBAL_FUNCTIONS(ZCS__VK_LOAD_GLOBAL_)
#undef ZCS__VK_LOAD_GLOBAL_
    pthread_mutex_unlock(&zcs__vk_api_lock);
    return ok;
}

const char *zcs__vk_api_load_instance(VkInstance instance)
{
    const char *missing = NULL;
    pthread_mutex_lock(&zcs__vk_api_lock);
#define ZCS__VK_LOAD_INSTANCE_(type, name, fails, parameters, arguments)                           \
    if (zcs__vk.name == NULL)                                                                      \
        zcs__vk.name = (PFN_##name)vkGetInstanceProcAddr(instance, #name);                         \
    if (zcs__vk.name == NULL && missing == NULL)                                                   \
        missing = #name;
    ZCS__VK_INSTANCE_FUNCTIONS(ZCS__VK_LOAD_INSTANCE_)
#undef ZCS__VK_LOAD_INSTANCE_
#define ZCS__VK_LOAD_EXTENSION_(type, name, fails, parameters, arguments)                          \
    if (zcs__vk.name == NULL)                                                                      \
        zcs__vk.name = (PFN_##name)vkGetInstanceProcAddr(instance, #name);
    ZCS__VK_EXTENSION_FUNCTIONS(ZCS__VK_LOAD_EXTENSION_)
#undef ZCS__VK_LOAD_EXTENSION_
    pthread_mutex_unlock(&zcs__vk_api_lock);
    return missing;
}

zcs__vk_api *zcs__vk_api_table(void)
{
    zcs__vk_api_load_global();
    return &zcs__vk;
}
