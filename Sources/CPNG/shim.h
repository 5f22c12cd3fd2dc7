#ifndef SC2_CPNG_SHIM_H
#define SC2_CPNG_SHIM_H
#include <png.h>
#endif
