/*
 * types.h — the fixed-width integer names used everywhere in ringlab.
 *
 * The simulated machine is 32-bit; the host is whatever compiles C11. All guest-visible
 * quantities use these exact-width types so that results never depend on the host.
 */
#ifndef RINGLAB_TYPES_H
#define RINGLAB_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
