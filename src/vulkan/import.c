/*
 * Vulkan backend: the application's memory as arrays, and arrays other processes can
 * import. Each such array has a block of its own (one VkDeviceMemory and one VkBuffer over
 * it, as the allocator's blocks, never shared with other arrays): host memory imported
 * through VK_EXT_external_memory_host, memory exported and imported as an opaque file
 * descriptor through VK_KHR_external_memory_fd, dma-bufs through
 * VK_EXT_external_memory_dma_buf. The map and dispatch paths of array.c and dispatch.c
 * take these blocks as they take the allocator's.
 */
#define _POSIX_C_SOURCE 200809L /* F_DUPFD_CLOEXEC */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "vulkan/array.h"
#include "vulkan/import.h"
#include "vulkan/internal.h"
#include "zcs/zcs_vulkan.h"

static atomic_uint zcs__vk_assumed_offered;

void zcs__import_assume_offered(unsigned what)
{
    atomic_store(&zcs__vk_assumed_offered, what);
}

/* 1 if the device lists extension `name`. */
static int zcs__vk_has_extension(const VkExtensionProperties *list, uint32_t count,
                                 const char *name)
{
    for (uint32_t i = 0; i < count; i++)
        if (strcmp(list[i].extensionName, name) == 0)
            return 1;
    return 0;
}

/* The external-memory extensions, each with its zcs_vulkan_device_features bit (how an
   application that attaches declares it), in the order they are enabled: dma-buf import
   builds on VK_KHR_external_memory_fd. */
static const struct zcs__vk_import_extension {
    uint32_t feature;
    const char *feature_name;
    const char *name;
    uint32_t requires; /* the bit of the extension it builds on, or 0 */
} zcs__vk_import_table[] = {
    {ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_HOST, "ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_HOST",
     VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME, 0},
    {ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_FD, "ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_FD",
     VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME, 0},
    {ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_DMA_BUF, "ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_DMA_BUF",
     VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME, ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_FD},
};
#define ZCS__VK_IMPORT_COUNT (sizeof zcs__vk_import_table / sizeof zcs__vk_import_table[0])

/* The function extension `feature` needs that the loader did not give, or NULL. */
static const char *zcs__vk_import_function_missing(uint32_t feature)
{
    switch (feature) {
    case ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_HOST:
        return zcs__vk.vkGetMemoryHostPointerPropertiesEXT == NULL
                   ? "vkGetMemoryHostPointerPropertiesEXT"
                   : NULL;
    case ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_FD:
        return zcs__vk.vkGetMemoryFdKHR == NULL ? "vkGetMemoryFdKHR" : NULL;
    default:
        return zcs__vk.vkGetMemoryFdPropertiesKHR == NULL ? "vkGetMemoryFdPropertiesKHR" : NULL;
    }
}

/*
 * Whether `extension` can be used on impl's physical device, which lists `list`, with the
 * extensions of `enabled` (bits) enabled before it: 1, or 0 with the reason in `why` (as
 * an attach reports it).
 * VK_EXT_external_memory_host also needs minImportedHostPointerAlignment, into *alignment.
 */
static int zcs__vk_import_usable(const struct zcs__context_impl *impl,
                                 const struct zcs__vk_import_extension *extension,
                                 const VkExtensionProperties *list, uint32_t count,
                                 uint32_t enabled, VkDeviceSize *alignment, char *why,
                                 size_t why_size)
{
    for (size_t i = 0; i < ZCS__VK_IMPORT_COUNT; i++) {
        const struct zcs__vk_import_extension *base = &zcs__vk_import_table[i];
        if ((extension->requires & base->feature & ~enabled) != 0) {
            (void)snprintf(why, why_size, "%s requires %s: declare %s too", extension->name,
                           base->name, base->feature_name);
            return 0;
        }
    }
    if (!zcs__vk_has_extension(list, count, extension->name)) {
        (void)snprintf(why, why_size, "\"%s\" does not offer %s", impl->properties.deviceName,
                       extension->name);
        return 0;
    }
    const char *function = zcs__vk_import_function_missing(extension->feature);
    if (function != NULL) {
        (void)snprintf(why, why_size, "the Vulkan loader gives zcs no %s (%s)", function,
                       extension->name);
        return 0;
    }
    if (extension->feature == ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_HOST) {
        VkPhysicalDeviceExternalMemoryHostPropertiesEXT host = {
            .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT,
        };
        VkPhysicalDeviceProperties2 properties = {
            .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
            .pNext = &host,
        };
        zcs__vk.vkGetPhysicalDeviceProperties2(impl->physical_device, &properties);
        if (host.minImportedHostPointerAlignment == 0) {
            (void)snprintf(why, why_size, "\"%s\" reports no minImportedHostPointerAlignment (%s)",
                           impl->properties.deviceName, extension->name);
            return 0;
        }
        *alignment = host.minImportedHostPointerAlignment;
    }
    return 1;
}

/*
 * The one place that decides which external-memory extensions a context uses, on devices
 * zcs creates and on attached ones alike: those of `wanted` (ZCS__VK_IMPORT_FEATURES bits)
 * that the physical device offers and zcs has the functions of, recorded in
 * impl->memory_host, memory_fd, memory_dma_buf and host_pointer_alignment and named into
 * `names` (*out_count of them). `function` NULL: the others are left out (imports are
 * optional); else the first that cannot be used fails the call with
 * ZCS_ERROR_INVALID_ARGUMENT, the message naming its bit and why.
 */
static zcs_status zcs__vk_enable_imports(zcs_context *context, struct zcs__context_impl *impl,
                                         uint32_t wanted, const char *function,
                                         const char *names[ZCS__VK_IMPORT_MAX_EXTENSIONS],
                                         uint32_t *out_count)
{
    impl->memory_host = impl->memory_fd = impl->memory_dma_buf = 0;
    *out_count = 0;
    /* External memory is core in Vulkan 1.1, which these extensions build on (an attach
       has refused older versions already). */
    if (wanted == 0 || impl->api_version < VK_API_VERSION_1_1)
        return ZCS_SUCCESS;
    uint32_t count = 0;
    VkResult result =
        zcs__vk.vkEnumerateDeviceExtensionProperties(impl->physical_device, NULL, &count, NULL);
    VkExtensionProperties *list = NULL;
    if (result == VK_SUCCESS && count > 0) {
        list = zcs__calloc(count, sizeof *list);
        if (list == NULL && function != NULL)
            return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                             "%s: out of host memory for the device's extensions", function);
        if (list != NULL)
            result = zcs__vk.vkEnumerateDeviceExtensionProperties(impl->physical_device, NULL,
                                                                  &count, list);
    }
    if (result != VK_SUCCESS) {
        zcs__free(list);
        if (function != NULL)
            return zcs__vk_fail(context, result, "vkEnumerateDeviceExtensionProperties",
                                "%s: the extensions of \"%s\"", function,
                                impl->properties.deviceName);
        return ZCS_SUCCESS; /* a device that will not say offers none */
    }
    if (list == NULL)
        count = 0;
    uint32_t enabled = 0;
    zcs_status status = ZCS_SUCCESS;
    for (size_t i = 0; i < ZCS__VK_IMPORT_COUNT && status == ZCS_SUCCESS; i++) {
        const struct zcs__vk_import_extension *extension = &zcs__vk_import_table[i];
        if ((wanted & extension->feature) == 0)
            continue;
        VkDeviceSize alignment = 0;
        char why[320];
        if (!zcs__vk_import_usable(impl, extension, list, count, enabled, &alignment, why,
                                   sizeof why)) {
            if (function != NULL)
                status = zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                                   "%s: desc->features has %s, but %s", function,
                                   extension->feature_name, why);
            continue;
        }
        enabled |= extension->feature;
        names[(*out_count)++] = extension->name;
        if (extension->feature == ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_HOST) {
            impl->host_pointer_alignment = alignment;
            impl->memory_host = 1;
        } else if (extension->feature == ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_FD) {
            impl->memory_fd = 1;
        } else {
            impl->memory_dma_buf = 1;
        }
    }
    zcs__free(list);
    if (status != ZCS_SUCCESS) {
        impl->memory_host = impl->memory_fd = impl->memory_dma_buf = 0;
        *out_count = 0;
    }
    return status;
}

uint32_t zcs__vk_import_extensions(struct zcs__context_impl *impl,
                                   const char *names[ZCS__VK_IMPORT_MAX_EXTENSIONS])
{
    uint32_t count = 0;
    (void)zcs__vk_enable_imports(NULL, impl, ZCS__VK_IMPORT_FEATURES, NULL, names, &count);
    return count;
}

zcs_status zcs__vk_attach_imports(zcs_context *context, struct zcs__context_impl *impl,
                                  uint32_t declared)
{
    const char *names[ZCS__VK_IMPORT_MAX_EXTENSIONS];
    uint32_t count = 0;
    return zcs__vk_enable_imports(context, impl, declared & ZCS__VK_IMPORT_FEATURES,
                                  "zcs_vulkan_context_attach", names, &count);
}

zcs_status zcs__backend_import_requirements(zcs_context *context, zcs_import_requirements *out,
                                            char *text, size_t text_size)
{
    struct zcs__context_impl *impl = context->impl;
    out->alignment = impl->memory_host ? (size_t)impl->host_pointer_alignment : 1;
    out->size_multiple = out->alignment;
    out->host_import = impl->memory_host;
    out->opaque_fd_import = impl->memory_fd;
    out->opaque_fd_export = impl->memory_fd;
    out->dma_buf_import = impl->memory_dma_buf;
    /* An attached device may have an extension the application did not declare. */
    const char *lacks = impl->attached ? "not declared in zcs_vulkan_attach_desc.features"
                                       : "which the device lacks";
    char host[128];
    if (impl->memory_host)
        (void)snprintf(host, sizeof host,
                       "through VK_EXT_external_memory_host, address and size multiples of "
                       "minImportedHostPointerAlignment (%llu bytes)",
                       (unsigned long long)impl->host_pointer_alignment);
    else
        (void)snprintf(host, sizeof host, "copied: it needs VK_EXT_external_memory_host, %s",
                       lacks);
    char fd[96];
    (void)snprintf(fd, sizeof fd, "need VK_KHR_external_memory_fd, %s", lacks);
    char dma_buf[96];
    (void)snprintf(dma_buf, sizeof dma_buf, "needs VK_EXT_external_memory_dma_buf, %s", lacks);
    (void)snprintf(text, text_size,
                   "Vulkan: host memory %s; opaque fd export and import %s; dma-buf import %s",
                   host, impl->memory_fd ? "through VK_KHR_external_memory_fd" : fd,
                   impl->memory_dma_buf ? "through VK_EXT_external_memory_dma_buf" : dma_buf);
    out->description = text;
    return ZCS_SUCCESS;
}

/* How one own block is made (zcs__vk_own_block). */
typedef struct zcs__vk_own_request {
    const char *call;                               /* the public call, for messages */
    VkExternalMemoryHandleTypeFlagBits handle_type; /* of the buffer and memory */
    uint32_t allowed_types;                         /* memory types the handle allows (all: ~0u) */
    const void *memory_next; /* the import or export structure for vkAllocateMemory */
    VkDeviceSize fixed_size; /* allocationSize the import needs, or 0: the buffer's */
    unsigned char *host;     /* host imports: the application's pointer, else NULL */
    int imported_fd;         /* set to 1 once vkAllocateMemory took the request's fd */
} zcs__vk_own_request;

void zcs__vk_own_block_release(zcs_array *array)
{
    struct zcs__context_impl *impl = array->context->impl;
    zcs__vk_block *block = array->impl->allocation.block;
    if (block == NULL)
        return;
    if (block->buffer != VK_NULL_HANDLE) {
        zcs__vk_recordings_stale(impl);
        zcs__vk.vkDestroyBuffer(impl->device, block->buffer, NULL);
    }
    /* `dedicated` marks a block mapped through vkMapMemory (host imports need no mapping
       unless non-coherent: their mapping is the application's pointer). */
    if (block->dedicated)
        zcs__vk.vkUnmapMemory(impl->device, block->memory);
    if (block->memory != VK_NULL_HANDLE)
        zcs__vk.vkFreeMemory(impl->device, block->memory, NULL);
    zcs__free(block);
    array->impl->allocation.block = NULL;
}

/* Make array->impl an own block as `request` says. */
static zcs_status zcs__vk_own_block(zcs_array *array, zcs__vk_own_request *request)
{
    zcs_context *context = array->context;
    struct zcs__context_impl *impl = context->impl;
    struct zcs__array_impl *array_impl = zcs__calloc(1, sizeof *array_impl);
    zcs__vk_block *block = zcs__calloc(1, sizeof *block);
    if (array_impl == NULL || block == NULL) {
        zcs__free(array_impl);
        zcs__free(block);
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0, "%s: out of host memory",
                         request->call);
    }
    array_impl->own_block = 1;
    array_impl->allocation.block = block;
    array->impl = array_impl;
    /* Host-visible memory of its own, mapped once, whatever the context's tier (staged
       included): the vulkan_mapped tier's paths serve it. */
    array->tier = ZCS_TIER_VULKAN_MAPPED;
    array->zero_copy = 1;
    zcs_status status = ZCS_SUCCESS;

    VkExternalMemoryBufferCreateInfo external = {
        .sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO,
        .handleTypes = (VkExternalMemoryHandleTypeFlags)request->handle_type,
    };
    VkBufferCreateInfo buffer_info = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
        .pNext = &external,
        .size = array->size,
        .usage = impl->buffer_usage,
        .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
    };
    VkResult result = zcs__vk.vkCreateBuffer(impl->device, &buffer_info, NULL, &block->buffer);
    if (result != VK_SUCCESS) {
        block->buffer = VK_NULL_HANDLE;
        status = zcs__vk_fail(context, result, "vkCreateBuffer", "%s: a buffer of %zu bytes",
                              request->call, array->size);
        goto fail;
    }
    VkMemoryRequirements requirements;
    zcs__vk.vkGetBufferMemoryRequirements(impl->device, block->buffer, &requirements);
    VkDeviceSize size = request->fixed_size != 0 ? request->fixed_size : requirements.size;
    if (size < requirements.size) {
        status = zcs__fail(context, ZCS_ERROR_UNSUPPORTED, 0,
                           "%s: the device needs %llu bytes of memory for a storage buffer of "
                           "%zu bytes, more than the %llu bytes imported",
                           request->call, (unsigned long long)requirements.size, array->size,
                           (unsigned long long)size);
        goto fail;
    }
    uint32_t allowed = requirements.memoryTypeBits & request->allowed_types;
    int host_reads = (array->flags & ZCS_ARRAY_HOST_WRITE_ONLY) == 0;
    block->memory_type = zcs__vk_choose_memory_type(
        &impl->memory_properties, allowed,
        (array->flags & ZCS_ARRAY_HOST_READ_ONLY) || (!context->info.unified_memory && host_reads));
    if (block->memory_type == VK_MAX_MEMORY_TYPES) {
        status = zcs__fail(context, ZCS_ERROR_UNSUPPORTED, 0,
                           "%s: no host-visible memory type can hold it (the buffer allows types "
                           "0x%x, the memory 0x%x)",
                           request->call, requirements.memoryTypeBits, request->allowed_types);
        goto fail;
    }
    VkMemoryAllocateFlagsInfo flags_info = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO,
        .pNext = request->memory_next,
        .flags = VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT,
    };
    int addresses = (impl->buffer_usage & VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT) != 0;
    VkMemoryAllocateInfo allocate_info = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
        .pNext = addresses ? (const void *)&flags_info : request->memory_next,
        .allocationSize = size,
        .memoryTypeIndex = block->memory_type,
    };
    result = zcs__vk.vkAllocateMemory(impl->device, &allocate_info, NULL, &block->memory);
    if (result != VK_SUCCESS) {
        block->memory = VK_NULL_HANDLE;
        status =
            zcs__vk_fail(context, result, "vkAllocateMemory", "%s: %llu bytes of memory type %u",
                         request->call, (unsigned long long)size, block->memory_type);
        goto fail;
    }
    request->imported_fd = 1;
    block->size = size;
    result = zcs__vk.vkBindBufferMemory(impl->device, block->buffer, block->memory, 0);
    if (result != VK_SUCCESS) {
        status = zcs__vk_fail(context, result, "vkBindBufferMemory", "%s", request->call);
        goto fail;
    }
    VkMemoryPropertyFlags flags =
        impl->memory_properties.memoryTypes[block->memory_type].propertyFlags;
    array_impl->coherent =
        (flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT) != 0 && !zcs__vk_assumes_noncoherent();
    /* Flushes and invalidates need a Vulkan mapping; host imports are used through the
       application's own pointer, the same memory. */
    if (request->host == NULL || !array_impl->coherent) {
        void *mapped = NULL;
        result = zcs__vk.vkMapMemory(impl->device, block->memory, 0, VK_WHOLE_SIZE, 0, &mapped);
        if (result != VK_SUCCESS || mapped == NULL) {
            status =
                zcs__vk_fail(context, result == VK_SUCCESS ? VK_ERROR_MEMORY_MAP_FAILED : result,
                             "vkMapMemory", "%s: %llu bytes of memory type %u", request->call,
                             (unsigned long long)size, block->memory_type);
            goto fail;
        }
        block->dedicated = 1;
        block->mapped = mapped;
    }
    if (request->host != NULL)
        block->mapped = request->host;
    array_impl->allocation.offset = 0;
    array_impl->allocation.size = size;
    array_impl->array_offset = 0;
    return ZCS_SUCCESS;

fail:
    zcs__vk_own_block_release(array);
    zcs__free(array_impl);
    array->impl = NULL;
    return status;
}

zcs_status zcs__backend_array_import_host(zcs_array *array)
{
    zcs_context *context = array->context;
    struct zcs__context_impl *impl = context->impl;
    const VkExternalMemoryHandleTypeFlagBits type =
        VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
    VkMemoryHostPointerPropertiesEXT pointer = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT,
    };
    VkResult result = zcs__vk.vkGetMemoryHostPointerPropertiesEXT(impl->device, type,
                                                                  array->import_host, &pointer);
    if (result != VK_SUCCESS)
        return zcs__vk_fail(context, result, "vkGetMemoryHostPointerPropertiesEXT",
                            "zcs_array_import_host: the application's memory at %p",
                            array->import_host);
    VkImportMemoryHostPointerInfoEXT import = {
        .sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT,
        .handleType = type,
        .pHostPointer = array->import_host,
    };
    zcs__vk_own_request request = {
        .call = "zcs_array_import_host",
        .handle_type = type,
        .allowed_types = pointer.memoryTypeBits,
        .memory_next = &import,
        .fixed_size = array->size,
        .host = array->import_host,
    };
    zcs_status status = zcs__vk_own_block(array, &request);
    if (status == ZCS_SUCCESS)
        (void)snprintf(array->reason, sizeof array->reason,
                       "imported zero-copy through VK_EXT_external_memory_host: address and "
                       "size are multiples of minImportedHostPointerAlignment (%llu bytes)",
                       (unsigned long long)impl->host_pointer_alignment);
    return status;
}

zcs_status zcs__vk_array_create_exportable(zcs_array *array)
{
    VkExportMemoryAllocateInfo export_info = {
        .sType = VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO,
        .handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT,
    };
    zcs__vk_own_request request = {
        .call = "zcs_array_create",
        .handle_type = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT,
        .allowed_types = ~0u,
        .memory_next = &export_info,
    };
    zcs_status status = zcs__vk_own_block(array, &request);
    if (status == ZCS_SUCCESS)
        (void)snprintf(array->reason, sizeof array->reason,
                       "allocated by zcs in memory of its own that VK_KHR_external_memory_fd "
                       "exports (ZCS_ARRAY_EXPORTABLE)");
    return status;
}

zcs_status zcs__backend_array_export_fd(zcs_array *array, int *out_fd)
{
    struct zcs__context_impl *impl = array->context->impl;
    VkMemoryGetFdInfoKHR info = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_GET_FD_INFO_KHR,
        .memory = array->impl->allocation.block->memory,
        .handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT,
    };
    int fd = -1;
    VkResult result = zcs__vk.vkGetMemoryFdKHR(impl->device, &info, &fd);
    if (result != VK_SUCCESS || fd < 0)
        return zcs__vk_fail(
            array->context, result == VK_SUCCESS ? VK_ERROR_INVALID_EXTERNAL_HANDLE : result,
            "vkGetMemoryFdKHR", "zcs_array_export_fd: an array of %zu bytes", array->size);
    *out_fd = fd;
    return ZCS_SUCCESS;
}

zcs_status zcs__backend_array_import_fd(zcs_array *array, int fd, zcs_fd_type type)
{
    zcs_context *context = array->context;
    struct zcs__context_impl *impl = context->impl;
    int dma_buf = type == ZCS_FD_DMA_BUF;
    unsigned assumed = atomic_load(&zcs__vk_assumed_offered);
    int memory_fd = impl->memory_fd || (assumed & ZCS__IMPORT_OPAQUE_FD);
    int memory_dma_buf = impl->memory_dma_buf || (assumed & ZCS__IMPORT_DMA_BUF);
    if (!memory_fd || (dma_buf && !memory_dma_buf))
        return zcs__fail(context, ZCS_ERROR_UNSUPPORTED, 0,
                         "zcs_array_import_fd: importing %s needs the Vulkan extension %s, %s%s%s",
                         dma_buf ? "a dma-buf" : "an opaque file descriptor",
                         dma_buf && memory_fd ? VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME
                         : dma_buf            ? VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME
                             " and " VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME
                                   : VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME,
                         impl->attached ? "not declared in zcs_vulkan_attach_desc.features"
                                        : "which \"",
                         impl->attached ? "" : context->info.device_name,
                         impl->attached ? "" : "\" does not offer");
    VkExternalMemoryHandleTypeFlagBits handle_type =
        dma_buf ? VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT
                : VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT;
    uint32_t allowed = ~0u;
    VkDeviceSize fixed_size = 0;
    if (dma_buf) {
        /* A dma-buf says its memory types, and its size is where it ends. */
        VkMemoryFdPropertiesKHR properties = {
            .sType = VK_STRUCTURE_TYPE_MEMORY_FD_PROPERTIES_KHR,
        };
        VkResult result =
            zcs__vk.vkGetMemoryFdPropertiesKHR(impl->device, handle_type, fd, &properties);
        if (result != VK_SUCCESS)
            return zcs__vk_fail(context, result, "vkGetMemoryFdPropertiesKHR",
                                "zcs_array_import_fd: dma-buf %d", fd);
        allowed = properties.memoryTypeBits;
        off_t end = lseek(fd, 0, SEEK_END);
        if (end < 0 || (uint64_t)end < array->size)
            return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                             "zcs_array_import_fd: dma-buf %d holds %lld bytes, fewer than the "
                             "array's %zu",
                             fd, (long long)end, array->size);
        fixed_size = (VkDeviceSize)end;
    }
    /* The driver owns what it imports (and closes it with the memory, even when a later
       step fails): it gets a duplicate, so the caller's descriptor stays the caller's
       until the whole import succeeded. */
    int duplicate = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (duplicate < 0)
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "zcs_array_import_fd: fd %d cannot be duplicated (not an open file "
                         "descriptor?)",
                         fd);
    VkImportMemoryFdInfoKHR import = {
        .sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR,
        .handleType = handle_type,
        .fd = duplicate,
    };
    zcs__vk_own_request request = {
        .call = "zcs_array_import_fd",
        .handle_type = handle_type,
        .allowed_types = allowed,
        .memory_next = &import,
        .fixed_size = fixed_size,
    };
    zcs_status status = zcs__vk_own_block(array, &request);
    if (!request.imported_fd)
        (void)close(duplicate);
    if (status == ZCS_SUCCESS)
        (void)close(fd); /* the import has its own: the caller's belongs to zcs, done with */
    return status;
}
