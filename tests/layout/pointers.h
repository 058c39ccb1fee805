/*
 * A linked list with native pointers (ZCS_PTR): the same address on host and device,
 * OpenCL SVM tiers only. Compiled by the host and, with the kernel of
 * tests/check_layout_pointers.c, for the device.
 */
#include "zcs/layout.h"

ZCS_STRUCT(lt_ppayload)
{
    zcs_f32 weight;
    zcs_u32 visits;
};

ZCS_STRUCT(lt_pnode)
{
    zcs_u32 value;
    zcs_u32 sum;
    ZCS_PTR(lt_pnode) next;
    ZCS_PTR(lt_ppayload) payload;
};
