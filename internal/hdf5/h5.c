// C helpers for package hdf5; see h5.h.

#include <stdio.h>
#include <string.h>
#include "h5.h"

int sciml_init(void) {
    if (H5open() < 0) return -1;
    return H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

hid_t sciml_native_float(void) { return H5T_NATIVE_FLOAT; }
hid_t sciml_native_double(void) { return H5T_NATIVE_DOUBLE; }
hid_t sciml_native_llong(void) { return H5T_NATIVE_LLONG; }
hid_t sciml_ieee_f32le(void) { return H5T_IEEE_F32LE; }
hid_t sciml_ieee_f64le(void) { return H5T_IEEE_F64LE; }
hid_t sciml_std_i64le(void) { return H5T_STD_I64LE; }
hsize_t sciml_unlimited(void) { return H5S_UNLIMITED; }

/* ---- errors ---- */

static hid_t saved_stack = -1;

void sciml_capture(void) {
    /* Copy first: every API call, H5Eclose_stack included, clears the
       current stack on entry. */
    hid_t st = H5Eget_current_stack(); /* copies and clears */
    if (saved_stack >= 0) H5Eclose_stack(saved_stack);
    saved_stack = st;
}

typedef struct {
    char *buf;
    size_t len, cap;
} errbuf;

static void errbuf_append(errbuf *b, const char *s) {
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > cap) cap *= 2;
        char *p = realloc(b->buf, cap);
        if (p == NULL) return;
        b->buf = p;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, s, n + 1);
    b->len += n;
}

static herr_t walk_cb(unsigned n, const H5E_error2_t *e, void *data) {
    errbuf *b = data;
    char minor[256] = "";
    char line[1024];
    (void)n;
    if (H5Eget_msg(e->min_num, NULL, minor, sizeof minor) < 0) minor[0] = 0;
    const char *fn = e->func_name ? e->func_name : "?";
    const char *desc = e->desc ? e->desc : "";
    if (minor[0] && strcmp(minor, desc) != 0)
        snprintf(line, sizeof line, "%s(): %s (%s)\n", fn, desc, minor);
    else
        snprintf(line, sizeof line, "%s(): %s\n", fn, desc);
    errbuf_append(b, line);
    return 0;
}

char *sciml_take_error(void) {
    hid_t st = saved_stack;
    saved_stack = -1;
    if (st < 0) st = H5Eget_current_stack();
    if (st < 0) return NULL;
    errbuf b = {NULL, 0, 0};
    H5Ewalk2(st, H5E_WALK_DOWNWARD, walk_cb, &b);
    H5Eclose_stack(st);
    H5Eclear2(H5E_DEFAULT);
    return b.buf;
}

ssize_t sciml_open_ids(void) { return H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL); }

/* ---- objects ---- */

int sciml_obj_type(hid_t loc, const char *name) {
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t info2;
    if (H5Oget_info_by_name3(loc, name, &info2, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return -1;
    return (int)info2.type;
#else
    H5O_info_t info;
    if (H5Oget_info_by_name2(loc, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return -1;
    return (int)info.type;
#endif
}

long long sciml_num_attrs(hid_t obj) {
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t info;
    if (H5Oget_info3(obj, &info, H5O_INFO_NUM_ATTRS) < 0) return -1;
#else
    H5O_info_t info;
    if (H5Oget_info2(obj, &info, H5O_INFO_NUM_ATTRS) < 0) return -1;
#endif
    return (long long)info.num_attrs;
}

static hid_t lcpl_intermediate(void) {
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    if (lcpl < 0) return -1;
    if (H5Pset_create_intermediate_group(lcpl, 1) < 0) {
        sciml_capture();
        H5Pclose(lcpl);
        return -1;
    }
    return lcpl;
}

hid_t sciml_group_create(hid_t loc, const char *name) {
    hid_t lcpl = lcpl_intermediate();
    if (lcpl < 0) return -1;
    hid_t g = H5Gcreate2(loc, name, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) sciml_capture();
    H5Pclose(lcpl);
    return g;
}

#define FAIL_IF(cond)      \
    do {                   \
        if (cond) {        \
            sciml_capture(); \
            goto fail;     \
        }                  \
    } while (0)

hid_t sciml_dataset_create(hid_t loc, const char *name, hid_t ftype, int rank,
                           const hsize_t *dims, const hsize_t *maxdims,
                           const hsize_t *chunk, int shuffle, int deflate) {
    hid_t space = -1, dcpl = -1, lcpl = -1, d = -1;
    if (rank == 0)
        space = H5Screate(H5S_SCALAR);
    else
        space = H5Screate_simple(rank, dims, maxdims);
    FAIL_IF(space < 0);
    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    FAIL_IF(dcpl < 0);
    if (chunk != NULL) {
        FAIL_IF(H5Pset_chunk(dcpl, rank, chunk) < 0);
        if (shuffle) FAIL_IF(H5Pset_shuffle(dcpl) < 0);
        if (deflate >= 0) FAIL_IF(H5Pset_deflate(dcpl, (unsigned)deflate) < 0);
    }
    lcpl = lcpl_intermediate();
    if (lcpl < 0) goto fail;
    d = H5Dcreate2(loc, name, ftype, space, lcpl, dcpl, H5P_DEFAULT);
    FAIL_IF(d < 0);
fail:
    if (lcpl >= 0) H5Pclose(lcpl);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (space >= 0) H5Sclose(space);
    return d;
}

int sciml_dataset_dims(hid_t dset, hsize_t *dims, hsize_t *maxdims, int maxrank) {
    hid_t space = H5Dget_space(dset);
    if (space < 0) return -1;
    int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 0 || rank > maxrank) {
        if (rank >= 0) rank = -1;
        else sciml_capture();
        H5Sclose(space);
        return rank;
    }
    if (H5Sget_simple_extent_dims(space, dims, maxdims) < 0) {
        sciml_capture();
        rank = -1;
    }
    H5Sclose(space);
    return rank;
}

int sciml_dataset_rw(hid_t dset, hid_t memtype, int rank, const hsize_t *start,
                     const hsize_t *count, void *buf, int write) {
    if (start == NULL) {
        if (write) return H5Dwrite(dset, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
        return H5Dread(dset, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
    }
    int ret = -1;
    hid_t fspace = -1, mspace = -1;
    fspace = H5Dget_space(dset);
    FAIL_IF(fspace < 0);
    FAIL_IF(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) < 0);
    mspace = H5Screate_simple(rank, count, NULL);
    FAIL_IF(mspace < 0);
    if (write)
        ret = H5Dwrite(dset, memtype, mspace, fspace, H5P_DEFAULT, buf);
    else
        ret = H5Dread(dset, memtype, mspace, fspace, H5P_DEFAULT, buf);
    FAIL_IF(ret < 0);
fail:
    if (mspace >= 0) H5Sclose(mspace);
    if (fspace >= 0) H5Sclose(fspace);
    return ret < 0 ? -1 : 0;
}

int sciml_dataset_type(hid_t dset, size_t *size, int *sign) {
    hid_t t = H5Dget_type(dset);
    if (t < 0) return -1;
    int cls = H5Tget_class(t);
    FAIL_IF(cls < 0);
    *size = H5Tget_size(t);
    *sign = -1;
    if (cls == H5T_INTEGER) {
        int s = H5Tget_sign(t);
        FAIL_IF(s < 0);
        *sign = s == H5T_SGN_2 ? 1 : 0;
    }
    H5Tclose(t);
    return cls;
fail:
    H5Tclose(t);
    return -1;
}

/* ---- attributes ---- */

static int attr_delete_if_exists(hid_t obj, const char *name) {
    htri_t ex = H5Aexists(obj, name);
    if (ex < 0) {
        sciml_capture();
        return -1;
    }
    if (ex > 0 && H5Adelete(obj, name) < 0) {
        sciml_capture();
        return -1;
    }
    return 0;
}

int sciml_attr_write(hid_t obj, const char *name, hid_t ftype, hid_t memtype,
                     int rank, hsize_t n, const void *buf) {
    int ret = -1;
    hid_t space = -1, a = -1;
    if (attr_delete_if_exists(obj, name) < 0) return -1;
    space = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL);
    FAIL_IF(space < 0);
    a = H5Acreate2(obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
    FAIL_IF(a < 0);
    ret = H5Awrite(a, memtype, buf);
    FAIL_IF(ret < 0);
fail:
    if (a >= 0) H5Aclose(a);
    if (space >= 0) H5Sclose(space);
    return ret < 0 ? -1 : 0;
}

int sciml_attr_write_str(hid_t obj, const char *name, const char *s) {
    int ret = -1;
    hid_t space = -1, t = -1, a = -1;
    if (attr_delete_if_exists(obj, name) < 0) return -1;
    t = H5Tcopy(H5T_C_S1);
    FAIL_IF(t < 0);
    FAIL_IF(H5Tset_size(t, H5T_VARIABLE) < 0);
    FAIL_IF(H5Tset_cset(t, H5T_CSET_UTF8) < 0);
    space = H5Screate(H5S_SCALAR);
    FAIL_IF(space < 0);
    a = H5Acreate2(obj, name, t, space, H5P_DEFAULT, H5P_DEFAULT);
    FAIL_IF(a < 0);
    ret = H5Awrite(a, t, &s);
    FAIL_IF(ret < 0);
fail:
    if (a >= 0) H5Aclose(a);
    if (space >= 0) H5Sclose(space);
    if (t >= 0) H5Tclose(t);
    return ret < 0 ? -1 : 0;
}

int sciml_attr_describe(hid_t attr, int *rank, hsize_t *n, size_t *size, int *vlstr) {
    int cls = -1;
    hid_t t = -1, space = -1;
    t = H5Aget_type(attr);
    FAIL_IF(t < 0);
    cls = H5Tget_class(t);
    FAIL_IF(cls < 0);
    *size = H5Tget_size(t);
    *vlstr = 0;
    if (cls == H5T_STRING) {
        htri_t v = H5Tis_variable_str(t);
        FAIL_IF(v < 0);
        *vlstr = v > 0;
    }
    space = H5Aget_space(attr);
    FAIL_IF(space < 0);
    *rank = H5Sget_simple_extent_ndims(space);
    FAIL_IF(*rank < 0);
    hssize_t np = H5Sget_simple_extent_npoints(space);
    FAIL_IF(np < 0);
    *n = (hsize_t)np;
    H5Sclose(space);
    H5Tclose(t);
    return cls;
fail:
    if (space >= 0) H5Sclose(space);
    if (t >= 0) H5Tclose(t);
    return -1;
}

/* A variable-length string memory type with the attribute's character set. */
static hid_t vlstring_memtype(hid_t attr) {
    hid_t ft = -1, mt = -1;
    ft = H5Aget_type(attr);
    FAIL_IF(ft < 0);
    H5T_cset_t cset = H5Tget_cset(ft);
    FAIL_IF(cset < 0);
    mt = H5Tcopy(H5T_C_S1);
    FAIL_IF(mt < 0);
    FAIL_IF(H5Tset_size(mt, H5T_VARIABLE) < 0);
    FAIL_IF(H5Tset_cset(mt, cset) < 0);
    H5Tclose(ft);
    return mt;
fail:
    if (mt >= 0) H5Tclose(mt);
    if (ft >= 0) H5Tclose(ft);
    return -1;
}

int sciml_attr_read_vlstr(hid_t attr, char **out) {
    *out = NULL;
    hid_t mt = vlstring_memtype(attr);
    if (mt < 0) return -1;
    int ret = H5Aread(attr, mt, out);
    if (ret < 0) sciml_capture();
    H5Tclose(mt);
    return ret < 0 ? -1 : 0;
}

int sciml_attr_read_fixstr(hid_t attr, char *buf, size_t size) {
    hid_t ft = H5Aget_type(attr);
    if (ft < 0) return -1;
    H5T_str_t pad = H5Tget_strpad(ft);
    H5Tclose(ft);
    if (pad < 0) return -1;
    /* The file type itself (with its padding) as memory type: a plain
       C_S1 would be NULLTERM and lose the last character of NULLPAD data. */
    hid_t mt = H5Aget_type(attr);
    if (mt < 0) return -1;
    int ret = H5Aread(attr, mt, buf);
    if (ret < 0) sciml_capture();
    H5Tclose(mt);
    if (ret < 0) return -1;
    buf[size] = 0; /* buf has size+1 bytes */
    if (pad == H5T_STR_SPACEPAD)
        for (size_t i = size; i > 0 && (buf[i - 1] == ' ' || buf[i - 1] == 0); i--) buf[i - 1] = 0;
    return 0;
}
