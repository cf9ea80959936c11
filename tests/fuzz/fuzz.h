/*
 * fuzz.h: what the fuzz targets share. Each target is one libFuzzer entry point,
 * LLVMFuzzerTestOneInput, over one reader of the program (a case file, a restart file, a `file`
 * initial condition, a model file, training data). The same targets are linked two ways:
 *   - with libFuzzer (clang -fsanitize=fuzzer, `make fuzz`), to search for inputs that crash;
 *   - with replay.c (any compiler, `make check`), which runs every input of the seed corpus and
 *     of the regressions (tests/fuzz/corpus/TARGET/, tests/fuzz/regressions/TARGET/) once: a
 *     crash the fuzzer once found stays found.
 * A reader may refuse an input (that is the point); it must never crash, leak or read out of
 * bounds, which the sanitizers check.
 */
#ifndef FC_FUZZ_H
#define FC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes the input to this process's temporary file with the given suffix; its path, or NULL. */
const char *fuzz_write_temp(const uint8_t *data, size_t size, const char *suffix);
/* fuzz_write_temp with suffix ".nc", then NULL when fc_nc_open refuses the file. A damaged
 * NetCDF-4 file can make the HDF5 library loop, which fc_nc_open's probe stops after 10 s; a
 * target that read such a file four or five times would pass the fuzzer's 30 s limit for an
 * input (each read would open and probe it again), so a refused file is not read at all. */
const char *fuzz_write_temp_nc(const uint8_t *data, size_t size);
/* A target's own set-up, run once by LLVMFuzzerInitialize (fuzz_common.c) after the common one
 * (a memory cap through FLOWCAST_MEMORY_LIMIT, quiet logs); targets without one define none. */
void fuzz_init(void);

#endif
