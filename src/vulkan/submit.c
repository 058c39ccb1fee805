/*
 * The ring of submission slots: each slot has its own command pool, descriptor pool and
 * fence, so a dispatch records while up to ZCS__VK_MAX_SLOTS - 1 earlier ones are in
 * flight; a dispatch beyond waits for the oldest. Slots are made on first use.
 *
 * A slot keeps its last dispatch's recording and the key of it (dispatch.c): a dispatch
 * with the same key takes that slot, once free or finished, and submits its command buffer
 * again as it is, with no recording and no descriptor update.
 */
#include <sched.h>
#include <string.h>

#include "vulkan/internal.h"

zcs_status zcs__vk_submit_init(struct zcs__context_impl *impl)
{
    if (pthread_mutex_init(&impl->submit_lock, NULL) != 0)
        return zcs__fail(impl->context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_context_create: cannot create a mutex");
    impl->submit_ready = 1;
    return ZCS_SUCCESS;
}

static void zcs__slot_destroy(struct zcs__context_impl *impl, zcs__vk_slot *slot)
{
    if (slot->fence != VK_NULL_HANDLE)
        zcs__vk.vkDestroyFence(impl->device, slot->fence, NULL);
    if (slot->descriptor_pool != VK_NULL_HANDLE)
        zcs__vk.vkDestroyDescriptorPool(impl->device, slot->descriptor_pool, NULL);
    if (slot->command_pool != VK_NULL_HANDLE) /* frees the command buffer too */
        zcs__vk.vkDestroyCommandPool(impl->device, slot->command_pool, NULL);
    zcs__free(slot->recorded);
    memset(slot, 0, sizeof *slot);
}

/* Free a slot whose work is done (or will never signal). `fence`: VK_SUCCESS where its
   fence is known reset; else the fence's state is unknown, and a new one is made at the
   next use. Lock held. */
static void zcs__slot_free(struct zcs__context_impl *impl, zcs__vk_slot *slot, VkResult fence)
{
    slot->state = ZCS__VK_SLOT_FREE;
    slot->kernel = NULL;
    slot->serial = 0;
    slot->fence_signalled = 0;
    if (fence != VK_SUCCESS)
        zcs__slot_destroy(impl, slot);
}

/* The query zcs__wait_poll runs on a fence: 1 signalled, 0 not yet, -1 the query failed. */
typedef struct zcs__fence_query {
    VkDevice device;
    VkFence fence;
} zcs__fence_query;

static int zcs__fence_finished(void *argument)
{
    const zcs__fence_query *query = argument;
    VkResult result = zcs__vk.vkGetFenceStatus(query->device, query->fence);
    return result == VK_SUCCESS ? 1 : result == VK_NOT_READY ? 0 : -1;
}

/* Under ZCS_WAIT_POLL, poll a submitted slot's fence before a blocking wait for it, with
   the lock released meanwhile: the slot counts the poll among its waiters, so no other
   thread recycles it (or resets its fence) under the poll. Lock held on entry and exit;
   returns 1 when the fence is known signalled (a fence an earlier wait saw signalled needs
   no poll). Under ZCS_WAIT_BLOCK it returns 0 at once: every wait is the one it always was. */
static int zcs__slot_poll_locked(struct zcs__context_impl *impl, zcs__vk_slot *slot)
{
    if (impl->context->wait_poll_ns == 0)
        return 0;
    if (slot->fence_signalled)
        return 1;
    slot->waiters++;
    zcs__fence_query query = {impl->device, slot->fence};
    pthread_mutex_unlock(&impl->submit_lock);
    int done = zcs__wait_poll(impl->context, zcs__fence_finished, &query);
    pthread_mutex_lock(&impl->submit_lock);
    slot->waiters--;
    if (done)
        slot->fence_signalled = 1;
    return done;
}

/* After a wait for a slot's fence that returned `waited`: reset the fence where the work
   is known done, and free the slot. Lock held. */
static zcs_status zcs__slot_recycle(struct zcs__context_impl *impl, zcs__vk_slot *slot,
                                    VkResult waited, const char *what)
{
    zcs_status status = ZCS_SUCCESS;
    if (waited == VK_SUCCESS) {
        waited = zcs__vk.vkResetFences(impl->device, 1, &slot->fence);
        if (waited != VK_SUCCESS)
            status = zcs__vk_fail(impl->context, waited, "vkResetFences", "recycling %s", what);
    }
    zcs__slot_free(impl, slot, waited);
    return status;
}

void zcs__vk_submit_destroy(struct zcs__context_impl *impl)
{
    if (!impl->submit_ready)
        return;
    zcs__vk_wait_submissions(impl, NULL);
    /* Whatever the fence waits said, nothing may still run when the pools go. Not on an
       application's device: its queues are the application's to synchronise, and the
       fences cover every submission of zcs's. */
    if (!impl->attached)
        zcs__vk.vkDeviceWaitIdle(impl->device);
    for (uint32_t i = 0; i < ZCS__VK_MAX_SLOTS; i++)
        zcs__slot_destroy(impl, &impl->slots[i]);
    zcs__vk_wait_list_free(&impl->pending_waits);
    pthread_mutex_destroy(&impl->submit_lock);
    impl->submit_ready = 0;
}

/* Make a slot's objects: made on first use, so an idle context holds none. */
static zcs_status zcs__slot_create(struct zcs__context_impl *impl, zcs__vk_slot *slot)
{
    zcs_context *context = impl->context;
    VkCommandPoolCreateInfo pool_info = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
        .queueFamilyIndex = impl->queue_family,
    };
    VkResult result =
        zcs__vk.vkCreateCommandPool(impl->device, &pool_info, NULL, &slot->command_pool);
    if (result != VK_SUCCESS) {
        slot->command_pool = VK_NULL_HANDLE;
        zcs__slot_destroy(impl, slot);
        return zcs__vk_fail(context, result, "vkCreateCommandPool", "preparing a dispatch");
    }
    VkCommandBufferAllocateInfo buffer_info = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
        .commandPool = slot->command_pool,
        .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
        .commandBufferCount = 1,
    };
    result = zcs__vk.vkAllocateCommandBuffers(impl->device, &buffer_info, &slot->command_buffer);
    if (result != VK_SUCCESS) {
        zcs__slot_destroy(impl, slot);
        return zcs__vk_fail(context, result, "vkAllocateCommandBuffers", "preparing a dispatch");
    }
    VkDescriptorPoolSize pool_size = {
        .type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
        .descriptorCount = ZCS__VK_SLOT_DESCRIPTORS,
    };
    VkDescriptorPoolCreateInfo descriptor_info = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
        .maxSets = 1,
        .poolSizeCount = 1,
        .pPoolSizes = &pool_size,
    };
    result = zcs__vk.vkCreateDescriptorPool(impl->device, &descriptor_info, NULL,
                                            &slot->descriptor_pool);
    if (result != VK_SUCCESS) {
        slot->descriptor_pool = VK_NULL_HANDLE;
        zcs__slot_destroy(impl, slot);
        return zcs__vk_fail(context, result, "vkCreateDescriptorPool", "preparing a dispatch");
    }
    VkFenceCreateInfo fence_info = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    result = zcs__vk.vkCreateFence(impl->device, &fence_info, NULL, &slot->fence);
    if (result != VK_SUCCESS) {
        slot->fence = VK_NULL_HANDLE;
        zcs__slot_destroy(impl, slot);
        return zcs__vk_fail(context, result, "vkCreateFence", "preparing a dispatch");
    }
    slot->created = 1;
    return ZCS_SUCCESS;
}

/* Wait for submitted slots (those of `kernel`, or all) and free them. Lock held. */
static zcs_status zcs__retire_locked(struct zcs__context_impl *impl,
                                     const struct zcs__kernel_impl *kernel, int oldest_only)
{
    VkFence fences[ZCS__VK_MAX_SLOTS];
    uint32_t indices[ZCS__VK_MAX_SLOTS] = {0};
    uint32_t count = 0;
    for (uint32_t i = 0; i < ZCS__VK_MAX_SLOTS; i++) {
        const zcs__vk_slot *slot = &impl->slots[i];
        if (slot->state != ZCS__VK_SLOT_SUBMITTED || (kernel != NULL && slot->kernel != kernel))
            continue;
        /* A slot another thread waits for is that thread's to recycle; waiting for the
           oldest never needs it (the core hands over one dispatch at a time, and that
           thread is about to free it). */
        if (oldest_only && slot->waiters > 0)
            continue;
        if (oldest_only && count == 1) {
            if (slot->submit_number > impl->slots[indices[0]].submit_number)
                continue;
            count = 0;
        }
        fences[count] = slot->fence;
        indices[count++] = i;
    }
    if (count == 0)
        return ZCS_SUCCESS;
    zcs_status status = ZCS_SUCCESS;
    VkResult result = zcs__vk.vkWaitForFences(impl->device, count, fences, VK_TRUE, UINT64_MAX);
    zcs__stats_add_device_wait(impl->context);
    if (result != VK_SUCCESS) {
        status = zcs__vk_fail(impl->context, result, "vkWaitForFences",
                              "waiting for %u dispatch(es)", count);
        /* The wait failed, so whether the work ended is unknown: wait for the whole device.
           Where that succeeds the work is done and the slots recycle as usual; where it
           fails too (a lost device) nothing will run or signal again. */
        if (zcs__vk.vkDeviceWaitIdle(impl->device) == VK_SUCCESS)
            result = VK_SUCCESS;
    }
    /* Reset where the work is known done, but not a fence another thread still waits on;
       after a lost device the slots are freed all the same: nothing will signal them
       again. */
    uint32_t reset_count = 0;
    for (uint32_t k = 0; k < count; k++)
        if (impl->slots[indices[k]].waiters == 0)
            fences[reset_count++] = impl->slots[indices[k]].fence;
    if (result == VK_SUCCESS && reset_count > 0) {
        result = zcs__vk.vkResetFences(impl->device, reset_count, fences);
        if (result != VK_SUCCESS)
            status = zcs__vk_fail(impl->context, result, "vkResetFences",
                                  "recycling %u dispatch(es)", count);
    }
    for (uint32_t k = 0; k < count; k++) {
        zcs__vk_slot *slot = &impl->slots[indices[k]];
        if (slot->waiters == 0) /* else done, and left to the thread that waits for it */
            zcs__slot_free(impl, slot, result);
    }
    return status;
}

zcs_status zcs__vk_wait_submissions(struct zcs__context_impl *impl,
                                    const struct zcs__kernel_impl *kernel)
{
    pthread_mutex_lock(&impl->submit_lock);
    /* Poll the newest submission's fence first: a fence signals after every earlier
       submission to the queue has completed too. */
    zcs__vk_slot *newest = NULL;
    for (uint32_t i = 0; i < ZCS__VK_MAX_SLOTS; i++) {
        zcs__vk_slot *slot = &impl->slots[i];
        if (slot->state == ZCS__VK_SLOT_SUBMITTED && (kernel == NULL || slot->kernel == kernel) &&
            (newest == NULL || slot->submit_number > newest->submit_number))
            newest = slot;
    }
    if (newest != NULL)
        (void)zcs__slot_poll_locked(impl, newest);
    zcs_status status = zcs__retire_locked(impl, kernel, 0);
    pthread_mutex_unlock(&impl->submit_lock);
    return status;
}

/* Whether a slot's command buffer holds the recording of `key`. */
static int zcs__slot_holds(const zcs__vk_slot *slot, const uint64_t *key, uint32_t key_length)
{
    return key != NULL && key_length != 0 && slot->recorded_length == key_length &&
           memcmp(slot->recorded, key, key_length * sizeof *key) == 0;
}

/* A submitted slot that holds the recording of `key` and has finished, recycled: none
   waits on it and its fence has signalled (a query, never a wait). Lock held. */
static zcs__vk_slot *zcs__finished_slot_holding(struct zcs__context_impl *impl, const uint64_t *key,
                                                uint32_t key_length)
{
    for (uint32_t i = 0; i < ZCS__VK_MAX_SLOTS; i++) {
        zcs__vk_slot *slot = &impl->slots[i];
        if (slot->state != ZCS__VK_SLOT_SUBMITTED || slot->waiters > 0 ||
            !zcs__slot_holds(slot, key, key_length))
            continue;
        /* Not finished, or the query failed: the slot is left to the ring's waits, which
           report what went wrong. A fence a wait saw signalled needs no query. */
        if (!slot->fence_signalled &&
            zcs__vk.vkGetFenceStatus(impl->device, slot->fence) != VK_SUCCESS)
            continue;
        if (zcs__vk.vkResetFences(impl->device, 1, &slot->fence) != VK_SUCCESS)
            continue;
        zcs__slot_free(impl, slot, VK_SUCCESS);
        return slot;
    }
    return NULL;
}

/* Which free slot to record into, lowest first: one made and holding no recording, one
   not made yet, then one whose recording would be lost. */
static int zcs__slot_rank(const zcs__vk_slot *slot)
{
    return !slot->created ? 1 : slot->recorded_length == 0 ? 0 : 2;
}

zcs_status zcs__vk_slot_acquire(struct zcs__context_impl *impl, const uint64_t *key,
                                uint32_t key_length, zcs__vk_slot **out_slot, int *out_recorded)
{
    zcs_status status = ZCS_SUCCESS;
    if (out_recorded != NULL)
        *out_recorded = 0;
    pthread_mutex_lock(&impl->submit_lock);
    for (;;) {
        zcs__vk_slot *free_slot = NULL;
        zcs__vk_slot *holding = NULL;
        for (uint32_t i = 0; i < ZCS__VK_MAX_SLOTS && holding == NULL; i++) {
            zcs__vk_slot *slot = &impl->slots[i];
            if (slot->state != ZCS__VK_SLOT_FREE)
                continue;
            if (zcs__slot_holds(slot, key, key_length))
                holding = slot;
            else if (free_slot == NULL || zcs__slot_rank(slot) < zcs__slot_rank(free_slot))
                free_slot = slot;
        }
        if (holding == NULL && key != NULL)
            holding = zcs__finished_slot_holding(impl, key, key_length);
        if (holding != NULL) {
            holding->state = ZCS__VK_SLOT_RECORDING;
            *out_slot = holding;
            if (out_recorded != NULL)
                *out_recorded = 1;
            break;
        }
        if (free_slot != NULL) {
            if (!free_slot->created)
                status = zcs__slot_create(impl, free_slot);
            if (status == ZCS_SUCCESS) {
                free_slot->state = ZCS__VK_SLOT_RECORDING;
                free_slot->recorded_length = 0; /* about to be recorded again */
                *out_slot = free_slot;
            }
            break;
        }
        /* The core hands over one dispatch at a time, but a staged array's copy (staged.c)
           may be recorded beside it: retiring the oldest submission frees a slot. */
        int in_flight = 0;
        int recording = 0;
        int retirable = 0;
        for (uint32_t i = 0; i < ZCS__VK_MAX_SLOTS; i++) {
            const zcs__vk_slot *slot = &impl->slots[i];
            in_flight |= slot->state == ZCS__VK_SLOT_SUBMITTED;
            retirable |= slot->state == ZCS__VK_SLOT_SUBMITTED && slot->waiters == 0;
            recording |= slot->state == ZCS__VK_SLOT_RECORDING;
        }
        if ((!in_flight && recording) || (in_flight && !retirable)) {
            /* Every slot is being recorded (copies of many threads at once), or waited for
               by threads that recycle it once done: one is free soon. */
            pthread_mutex_unlock(&impl->submit_lock);
            sched_yield();
            pthread_mutex_lock(&impl->submit_lock);
            continue;
        }
        if (!in_flight) {
            status = zcs__fail(impl->context, ZCS_ERROR_BACKEND, 0,
                               "zcs_dispatch: no submission slot is free or in flight");
            break;
        }
        status = zcs__retire_locked(impl, NULL, 1);
        if (status != ZCS_SUCCESS)
            break;
    }
    pthread_mutex_unlock(&impl->submit_lock);
    return status;
}

void zcs__vk_slot_abandon(struct zcs__context_impl *impl, zcs__vk_slot *slot)
{
    pthread_mutex_lock(&impl->submit_lock);
    slot->recorded_length = 0; /* its recording may be unfinished */
    zcs__slot_free(impl, slot, VK_SUCCESS);
    pthread_mutex_unlock(&impl->submit_lock);
}

void zcs__vk_slot_keep_recording(zcs__vk_slot *slot, uint64_t **words, uint32_t length,
                                 uint32_t *capacity)
{
    uint64_t *old = slot->recorded;
    uint32_t old_capacity = slot->recorded_capacity;
    slot->recorded = *words;
    slot->recorded_capacity = *capacity;
    slot->recorded_length = length;
    *words = old;
    *capacity = old_capacity;
}

void zcs__vk_recordings_stale(struct zcs__context_impl *impl)
{
    if (impl != NULL)
        atomic_fetch_add(&impl->recording_epoch, 1);
}

VkResult zcs__vk_slot_submit(struct zcs__context_impl *impl, zcs__vk_slot *slot,
                             struct zcs__kernel_impl *kernel, uint64_t serial,
                             const zcs__vk_wait_list *array_waits, uint64_t *out_number)
{
    pthread_mutex_lock(&impl->submit_lock);
    /* A dispatch waits for the semaphores zcs_vulkan_wait_semaphore left and for the
       application work on its arrays; every wait is at the compute and transfer stages:
       the staged uploads recorded ahead of the kernel have no barrier of their own, and
       application work may reach a staged array through its device address. */
    const zcs__vk_wait_list *pending = serial != 0 ? &impl->pending_waits : NULL;
    uint32_t wait_count =
        (pending != NULL ? pending->count : 0) + (array_waits != NULL ? array_waits->count : 0);
    VkSemaphore wait_inline[8];
    uint64_t value_inline[8];
    VkPipelineStageFlags stage_inline[8];
    VkSemaphore *wait_semaphores = wait_inline;
    uint64_t *wait_values = value_inline;
    VkPipelineStageFlags *wait_stages = stage_inline;
    if (wait_count > 8) {
        wait_semaphores = zcs__malloc(wait_count * sizeof *wait_semaphores);
        wait_values = zcs__malloc(wait_count * sizeof *wait_values);
        wait_stages = zcs__malloc(wait_count * sizeof *wait_stages);
        if (wait_semaphores == NULL || wait_values == NULL || wait_stages == NULL) {
            zcs__free(wait_semaphores);
            zcs__free(wait_values);
            zcs__free(wait_stages);
            slot->state = ZCS__VK_SLOT_FREE;
            pthread_mutex_unlock(&impl->submit_lock);
            return VK_ERROR_OUT_OF_HOST_MEMORY;
        }
    }
    uint32_t n = 0;
    const zcs__vk_wait_list *lists[2] = {pending, array_waits};
    for (int l = 0; l < 2; l++) {
        for (uint32_t i = 0; lists[l] != NULL && i < lists[l]->count; i++) {
            wait_semaphores[n] = lists[l]->semaphores[i];
            wait_values[n] = lists[l]->values[i];
            wait_stages[n++] =
                VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
        }
    }
    int signal = serial != 0 && impl->timeline != VK_NULL_HANDLE;
    VkTimelineSemaphoreSubmitInfo timeline_info = {
        .sType = VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO,
        .waitSemaphoreValueCount = wait_count,
        .pWaitSemaphoreValues = wait_values,
        .signalSemaphoreValueCount = signal ? 1 : 0,
        .pSignalSemaphoreValues = &serial,
    };
    VkSubmitInfo submit = {
        .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
        .pNext = impl->timeline_semaphores ? &timeline_info : NULL,
        .waitSemaphoreCount = wait_count,
        .pWaitSemaphores = wait_semaphores,
        .pWaitDstStageMask = wait_stages,
        .commandBufferCount = 1,
        .pCommandBuffers = &slot->command_buffer,
        .signalSemaphoreCount = signal ? 1 : 0,
        .pSignalSemaphores = &impl->timeline,
    };
    VkResult result = zcs__vk.vkQueueSubmit(impl->queue, 1, &submit, slot->fence);
    if (result == VK_SUCCESS) {
        slot->state = ZCS__VK_SLOT_SUBMITTED;
        slot->fence_signalled = 0;
        slot->submit_number = ++impl->next_submit_number;
        if (out_number != NULL)
            *out_number = slot->submit_number;
        slot->serial = serial;
        slot->kernel = kernel;
        if (serial != 0)
            impl->last_submitted_serial = serial;
        if (pending != NULL)
            impl->pending_waits.count = 0; /* this dispatch waited for them */
    } else {
        slot->state = ZCS__VK_SLOT_FREE;
        slot->recorded_length = 0; /* what a refused submission leaves is not known */
    }
    if (wait_semaphores != wait_inline) {
        zcs__free(wait_semaphores);
        zcs__free(wait_values);
        zcs__free(wait_stages);
    }
    pthread_mutex_unlock(&impl->submit_lock);
    return result;
}

zcs_status zcs__vk_wait_submission(struct zcs__context_impl *impl, uint64_t number)
{
    zcs_status status = ZCS_SUCCESS;
    pthread_mutex_lock(&impl->submit_lock);
    for (uint32_t i = 0; i < ZCS__VK_MAX_SLOTS; i++) {
        zcs__vk_slot *slot = &impl->slots[i];
        if (slot->state != ZCS__VK_SLOT_SUBMITTED || slot->submit_number != number)
            continue;
        int polled = zcs__slot_poll_locked(impl, slot);
        VkResult result = VK_SUCCESS;
        if (!polled)
            result = zcs__vk.vkWaitForFences(impl->device, 1, &slot->fence, VK_TRUE, UINT64_MAX);
        zcs__stats_add_device_wait(impl->context);
        if (result != VK_SUCCESS) {
            status = zcs__vk_fail(impl->context, result, "vkWaitForFences",
                                  "waiting for a staged array's copy");
            if (zcs__vk.vkDeviceWaitIdle(impl->device) == VK_SUCCESS)
                result = VK_SUCCESS;
        }
        if (slot->waiters > 0) {
            /* Another thread waits on the fence (zcs__vk_wait_dispatch, a poll): resetting
               it now could leave that thread waiting on a fence nothing signals. The ring
               recycles the slot once no one waits. */
            if (result == VK_SUCCESS)
                slot->fence_signalled = 1;
            break;
        }
        zcs_status recycled = zcs__slot_recycle(impl, slot, result, "a staged array's copy");
        if (status == ZCS_SUCCESS)
            status = recycled;
        break;
    }
    pthread_mutex_unlock(&impl->submit_lock);
    return status;
}

zcs_status zcs__vk_wait_dispatch(struct zcs__context_impl *impl, uint64_t serial)
{
    pthread_mutex_lock(&impl->submit_lock);
    zcs__vk_slot *slot = NULL;
    for (uint32_t i = 0; i < ZCS__VK_MAX_SLOTS; i++) {
        zcs__vk_slot *candidate = &impl->slots[i];
        if (candidate->state != ZCS__VK_SLOT_SUBMITTED || candidate->serial == 0 ||
            candidate->serial > serial)
            continue;
        if (slot == NULL || candidate->serial > slot->serial)
            slot = candidate;
    }
    if (slot == NULL) { /* retired, so finished */
        pthread_mutex_unlock(&impl->submit_lock);
        return ZCS_SUCCESS;
    }
    int known_done = zcs__slot_poll_locked(impl, slot);
    slot->waiters++;
    VkFence fence = slot->fence;
    uint64_t signalled = slot->serial;
    pthread_mutex_unlock(&impl->submit_lock);

    VkResult result = VK_SUCCESS;
    if (!known_done)
        result = zcs__vk.vkWaitForFences(impl->device, 1, &fence, VK_TRUE, UINT64_MAX);
    VkResult fence_result = result;
    zcs__stats_add_device_wait(impl->context);
    /* The application reads the same completion on the timeline (zcs_vulkan_timeline),
       and the spec does not say in which order a driver makes the fence and the
       submission's timeline value visible: make sure the value is there too before saying
       "done" (a query, then a wait only where it is not there yet: NVIDIA's
       vkWaitSemaphores is slow to wake). */
    const char *call = "vkWaitForFences";
    uint64_t reached = 0;
    if (result == VK_SUCCESS && impl->timeline != VK_NULL_HANDLE && signalled != 0 &&
        zcs__vk.vkGetSemaphoreCounterValue != NULL) {
        call = "vkGetSemaphoreCounterValue";
        result = zcs__vk.vkGetSemaphoreCounterValue(impl->device, impl->timeline, &reached);
    }
    if (result == VK_SUCCESS && reached < signalled && impl->timeline != VK_NULL_HANDLE) {
        call = "vkWaitSemaphores";
        VkSemaphoreWaitInfo info = {
            .sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO,
            .semaphoreCount = 1,
            .pSemaphores = &impl->timeline,
            .pValues = &signalled,
        };
        result = zcs__vk.vkWaitSemaphores(impl->device, &info, UINT64_MAX);
    }
    zcs_status status = ZCS_SUCCESS;
    if (result != VK_SUCCESS) {
        status = zcs__vk_fail(impl->context, result, call,
                              "waiting for the dispatch that uses an array");
        (void)zcs__vk.vkDeviceWaitIdle(impl->device); /* the retire finds out what is left */
    }
    /* The slot is retired with the others, oldest first, when the ring needs it (or taken
       again by a dispatch with the same recording, zcs__vk_slot_acquire). A lavapipe crash
       once blamed on recycling it here at once was later traced to a test that destroyed
       a semaphore zcs's finished dispatches had waited for (check_vulkan_interop). */
    pthread_mutex_lock(&impl->submit_lock);
    if (fence_result == VK_SUCCESS)
        slot->fence_signalled = 1;
    slot->waiters--;
    pthread_mutex_unlock(&impl->submit_lock);
    return status;
}
