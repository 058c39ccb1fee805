/*
 * A linked list whose nodes refer to each other and to a payload in another array with
 * zcs_ref element indices: the form that works on every tier and both backends.
 * Compiled by the host and, with the kernel of tests/check_layout.c, for the device.
 */
#include "zcs/layout.h"

ZCS_STRUCT(lt_payload)
{
    zcs_f32 weight;
    zcs_u32 visits;
};

ZCS_STRUCT(lt_node)
{
    zcs_u32 value;
    zcs_u32 sum;     /* written by the kernel: value of this node and every node after it */
    zcs_u32 depth;   /* written by the kernel: nodes from this one to the end */
    zcs_ref next;    /* the next node in the same array, ZCS_REF_NULL at the end */
    zcs_ref prev;    /* written by the kernel: the node whose next is this one */
    zcs_ref payload; /* an element of the payload array */
};
