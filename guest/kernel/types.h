/* types.h — fixed-width integer types of the guest. */
#ifndef TYPES_H
#define TYPES_H
typedef unsigned char uint8;
typedef unsigned short uint16;
typedef unsigned int uint32;
typedef unsigned long long uint64;
typedef int int32;
typedef uint32 pde_t;
typedef uint32 pte_t;
#define NULL ((void *)0)
#endif
