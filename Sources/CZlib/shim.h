#ifndef SC2_CZLIB_SHIM_H
#define SC2_CZLIB_SHIM_H
#include <zlib.h>
#endif
