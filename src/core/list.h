/* Intrusive list helpers for zcs__link (the context's object lists). */
#ifndef ZCS_CORE_LIST_H
#define ZCS_CORE_LIST_H

#include <stddef.h>

#include "core/objects.h"

/* The object that holds `link_ptr` as its member `member`. */
#define ZCS__CONTAINER_OF(link_ptr, type, member)                                                  \
    ((type *)(void *)((char *)(link_ptr)-offsetof(type, member)))

static inline void zcs__list_init(zcs__link *head)
{
    head->prev = head;
    head->next = head;
}

static inline int zcs__list_empty(const zcs__link *head)
{
    return head->next == head;
}

static inline void zcs__list_push(zcs__link *head, zcs__link *node)
{
    node->prev = head->prev;
    node->next = head;
    head->prev->next = node;
    head->prev = node;
}

static inline void zcs__list_remove(zcs__link *node)
{
    node->prev->next = node->next;
    node->next->prev = node->prev;
    node->prev = node;
    node->next = node;
}

#endif /* ZCS_CORE_LIST_H */
