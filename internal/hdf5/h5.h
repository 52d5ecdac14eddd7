// C helpers for package hdf5. Everything declared here is called only from
// the package's worker goroutine (one locked OS thread).

#ifndef SCIML_H5_H
#define SCIML_H5_H

#include <stdlib.h>
#include <hdf5.h>

// Library setup: H5open and switching off automatic error printing.
int sciml_init(void);

// Macros that call H5open() and therefore cannot be used from Go directly.
hid_t sciml_native_float(void);
hid_t sciml_native_double(void);
hid_t sciml_native_llong(void);
hid_t sciml_ieee_f32le(void);
hid_t sciml_ieee_f64le(void);
hid_t sciml_std_i64le(void);
hsize_t sciml_unlimited(void);

// Error stacks. sciml_capture saves a copy of the current error stack so
// that cleanup calls (which clear the stack on entry) do not lose it;
// sciml_take_error returns the saved (or else the current) stack as
// newline-separated messages in malloc'd memory, or NULL when empty, and
// clears both.
void sciml_capture(void);
char *sciml_take_error(void);

// Number of open identifiers of every kind in every file.
ssize_t sciml_open_ids(void);

// Object kind of the object that name (relative to loc) resolves to:
// H5O_type_t value, or -1 on error.
int sciml_obj_type(hid_t loc, const char *name);

// Number of attributes of an object, or -1.
long long sciml_num_attrs(hid_t obj);

// Creates a dataset with intermediate groups. dims/maxdims have rank
// entries (maxdims may be NULL); chunk is NULL for a contiguous layout.
// deflate < 0 means no deflate filter. rank 0 creates a scalar dataset.
hid_t sciml_dataset_create(hid_t loc, const char *name, hid_t ftype, int rank,
                           const hsize_t *dims, const hsize_t *maxdims,
                           const hsize_t *chunk, int shuffle, int deflate);

// Creates a group with intermediate groups.
hid_t sciml_group_create(hid_t loc, const char *name);

// Current and maximum dimensions of a dataset; returns the rank or -1.
int sciml_dataset_dims(hid_t dset, hsize_t *dims, hsize_t *maxdims, int maxrank);

// Reads (write == 0) or writes a hyperslab. start == NULL transfers the
// whole dataset.
int sciml_dataset_rw(hid_t dset, hid_t memtype, int rank, const hsize_t *start,
                     const hsize_t *count, void *buf, int write);

// Classifies the stored element type of a dataset: returns the H5T class
// and fills size and sign (1 signed, 0 unsigned, -1 n/a), or -1 on error.
int sciml_dataset_type(hid_t dset, size_t *size, int *sign);

// Writes a numeric attribute (rank 0 scalar or rank 1 array of n), replacing
// any existing attribute of that name.
int sciml_attr_write(hid_t obj, const char *name, hid_t ftype, hid_t memtype,
                     int rank, hsize_t n, const void *buf);

// Writes a scalar variable-length UTF-8 string attribute, replacing any
// existing attribute of that name.
int sciml_attr_write_str(hid_t obj, const char *name, const char *s);

// Describes an open attribute: returns the H5T class and fills rank, number
// of elements, element size, whether it is a variable-length string, or -1.
int sciml_attr_describe(hid_t attr, int *rank, hsize_t *n, size_t *size, int *vlstr);

// Reads a scalar variable-length string attribute. *out is set to memory
// that must be released with H5free_memory (may be NULL).
int sciml_attr_read_vlstr(hid_t attr, char **out);

// Reads a scalar fixed-length string attribute into buf, which has size+1
// bytes; the result is NUL-terminated and space padding is removed.
int sciml_attr_read_fixstr(hid_t attr, char *buf, size_t size);

#endif
