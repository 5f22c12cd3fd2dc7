#ifndef SC2_CBLAS_SHIM_H
#define SC2_CBLAS_SHIM_H
#include <cblas.h>
/* Declared by OpenBLAS's cblas.h; repeated here in case an older header lacks them. */
char *openblas_get_corename(void);
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
#endif
