package hdf5

/*
#include "h5.h"
*/
import "C"

import (
	"fmt"
	"strings"
	"unsafe"
)

// SetAttr sets the attribute name of the object (a file's root group, a
// group or a dataset), replacing any attribute of that name. value is one
// of:
//
//	int, int64        scalar 64-bit integer
//	float64           scalar 64-bit float
//	[]int, []int64    1-D array of 64-bit integers
//	[]float64         1-D array of 64-bit floats
//	string            scalar variable-length UTF-8 string (h5py reads a str)
func (o object) SetAttr(name string, value any) error {
	var (
		i64    []int64
		f64    []float64
		s      string
		isStr  bool
		scalar bool
	)
	switch v := value.(type) {
	case int:
		i64, scalar = []int64{int64(v)}, true
	case int64:
		i64, scalar = []int64{v}, true
	case float64:
		f64, scalar = []float64{v}, true
	case []int:
		i64 = make([]int64, len(v))
		for i, x := range v {
			i64[i] = int64(x)
		}
	case []int64:
		i64 = v
	case []float64:
		f64 = v
	case string:
		if strings.IndexByte(v, 0) >= 0 {
			return wrap(o.h.file.path, "set attribute", o.attrName(name), fmt.Errorf("string contains a NUL byte"))
		}
		s, isStr = v, true
	default:
		return wrap(o.h.file.path, "set attribute", o.attrName(name),
			fmt.Errorf("%w: unsupported attribute value of type %T", ErrDType, value))
	}
	var err error
	do(func() {
		id, e := o.h.get()
		if e != nil {
			err = e
			return
		}
		cname := C.CString(name)
		defer C.free(unsafe.Pointer(cname))
		if isStr {
			cs := C.CString(s)
			defer C.free(unsafe.Pointer(cs))
			if C.sciml_attr_write_str(id, cname, cs) < 0 {
				err = hdf5Error("H5Awrite")
			}
			return
		}
		rank := C.int(1)
		if scalar {
			rank = 0
		}
		var dummy int64 // libhdf5 wants a buffer even for zero elements
		var ft, mt C.hid_t
		var n int
		p := unsafe.Pointer(&dummy)
		if i64 != nil {
			ft, mt, n = C.sciml_std_i64le(), C.sciml_native_llong(), len(i64)
			if n > 0 {
				p = unsafe.Pointer(&i64[0])
			}
		} else {
			ft, mt, n = C.sciml_ieee_f64le(), C.sciml_native_double(), len(f64)
			if n > 0 {
				p = unsafe.Pointer(&f64[0])
			}
		}
		if C.sciml_attr_write(id, cname, ft, mt, rank, C.hsize_t(n), p) < 0 {
			err = hdf5Error("H5Awrite")
		}
	})
	if err != nil {
		return wrap(o.h.file.path, "set attribute", o.attrName(name), err)
	}
	return nil
}

// attrName names attribute name of the object in error messages.
func (o object) attrName(name string) string {
	return o.h.name + "@" + name
}

// Attr reads the attribute name of the object. The result is an int64 or
// float64 (scalar integer or float attributes of any width), an []int64 or
// []float64 (1-D arrays), or a string (scalar variable- or fixed-length
// strings). Other attributes give an error wrapping ErrDType; a missing one
// an error wrapping ErrNotFound.
func (o object) Attr(name string) (any, error) {
	var v any
	var err error
	do(func() { v, err = o.readAttr(name) })
	if err != nil {
		return nil, wrap(o.h.file.path, "read attribute", o.attrName(name), err)
	}
	return v, nil
}

// readAttr implements Attr. Worker only.
func (o object) readAttr(name string) (any, error) {
	id, err := o.h.get()
	if err != nil {
		return nil, err
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	ex := C.H5Aexists(id, cname)
	if ex < 0 {
		return nil, hdf5Error("H5Aexists")
	}
	if ex == 0 {
		return nil, ErrNotFound
	}
	a := C.H5Aopen(id, cname, C.H5P_DEFAULT)
	if a < 0 {
		return nil, hdf5Error("H5Aopen")
	}
	defer C.H5Aclose(a)
	var rank, vlstr C.int
	var n C.hsize_t
	var size C.size_t
	cls := C.sciml_attr_describe(a, &rank, &n, &size, &vlstr)
	if cls < 0 {
		return nil, hdf5Error("H5Aget_type")
	}
	if rank > 1 {
		return nil, fmt.Errorf("%w: attribute of rank %d", ErrDType, int(rank))
	}
	switch cls {
	case C.H5T_INTEGER:
		buf := make([]int64, int(n)+1)
		if C.H5Aread(a, C.sciml_native_llong(), unsafe.Pointer(&buf[0])) < 0 {
			return nil, hdf5Error("H5Aread")
		}
		if rank == 0 {
			return buf[0], nil
		}
		return buf[:n:n], nil
	case C.H5T_FLOAT:
		buf := make([]float64, int(n)+1)
		if C.H5Aread(a, C.sciml_native_double(), unsafe.Pointer(&buf[0])) < 0 {
			return nil, hdf5Error("H5Aread")
		}
		if rank == 0 {
			return buf[0], nil
		}
		return buf[:n:n], nil
	case C.H5T_STRING:
		if rank != 0 {
			return nil, fmt.Errorf("%w: array of strings", ErrDType)
		}
		if vlstr != 0 {
			var p *C.char
			if C.sciml_attr_read_vlstr(a, &p) < 0 {
				return nil, hdf5Error("H5Aread")
			}
			if p == nil {
				return "", nil
			}
			s := C.GoString(p)
			C.H5free_memory(unsafe.Pointer(p))
			return s, nil
		}
		buf := make([]byte, int(size)+1)
		if C.sciml_attr_read_fixstr(a, (*C.char)(unsafe.Pointer(&buf[0])), size) < 0 {
			return nil, hdf5Error("H5Aread")
		}
		return C.GoString((*C.char)(unsafe.Pointer(&buf[0]))), nil
	}
	return nil, fmt.Errorf("%w: unsupported attribute type (class %d)", ErrDType, int(cls))
}

// attrAs reads attribute name and asserts its type.
func attrAs[T any](o object, name, want string) (T, error) {
	var zero T
	v, err := o.Attr(name)
	if err != nil {
		return zero, err
	}
	t, ok := v.(T)
	if !ok {
		return zero, wrap(o.h.file.path, "read attribute", o.attrName(name),
			fmt.Errorf("%w: want %s, attribute holds %T", ErrDType, want, v))
	}
	return t, nil
}

// AttrString reads a string attribute.
func (o object) AttrString(name string) (string, error) { return attrAs[string](o, name, "string") }

// AttrInt64 reads a scalar integer attribute.
func (o object) AttrInt64(name string) (int64, error) { return attrAs[int64](o, name, "int64") }

// AttrFloat64 reads a scalar float attribute.
func (o object) AttrFloat64(name string) (float64, error) {
	return attrAs[float64](o, name, "float64")
}

// AttrInt64s reads a 1-D integer array attribute.
func (o object) AttrInt64s(name string) ([]int64, error) {
	return attrAs[[]int64](o, name, "[]int64")
}

// AttrFloat64s reads a 1-D float array attribute.
func (o object) AttrFloat64s(name string) ([]float64, error) {
	return attrAs[[]float64](o, name, "[]float64")
}

// HasAttr reports whether the object has an attribute called name.
func (o object) HasAttr(name string) (bool, error) {
	var ok bool
	var err error
	do(func() {
		id, e := o.h.get()
		if e != nil {
			err = e
			return
		}
		cname := C.CString(name)
		defer C.free(unsafe.Pointer(cname))
		ex := C.H5Aexists(id, cname)
		if ex < 0 {
			err = hdf5Error("H5Aexists")
		}
		ok = ex > 0
	})
	if err != nil {
		return false, wrap(o.h.file.path, "look up attribute", o.attrName(name), err)
	}
	return ok, nil
}

// DeleteAttr deletes the attribute name; a missing attribute gives an
// error wrapping ErrNotFound.
func (o object) DeleteAttr(name string) error {
	var err error
	do(func() {
		id, e := o.h.get()
		if e != nil {
			err = e
			return
		}
		cname := C.CString(name)
		defer C.free(unsafe.Pointer(cname))
		ex := C.H5Aexists(id, cname)
		switch {
		case ex < 0:
			err = hdf5Error("H5Aexists")
		case ex == 0:
			err = ErrNotFound
		case C.H5Adelete(id, cname) < 0:
			err = hdf5Error("H5Adelete")
		}
	})
	if err != nil {
		return wrap(o.h.file.path, "delete attribute", o.attrName(name), err)
	}
	return nil
}

// AttrNames returns the names of the object's attributes, sorted by name.
func (o object) AttrNames() ([]string, error) {
	var names []string
	var err error
	do(func() {
		id, e := o.h.get()
		if e != nil {
			err = e
			return
		}
		num := C.sciml_num_attrs(id)
		if num < 0 {
			err = hdf5Error("H5Oget_info2")
			return
		}
		dot := C.CString(".")
		defer C.free(unsafe.Pointer(dot))
		names = make([]string, 0, int(num))
		var buf []byte
		for i := C.hsize_t(0); i < C.hsize_t(num); i++ {
			n := C.H5Aget_name_by_idx(id, dot, C.H5_INDEX_NAME, C.H5_ITER_INC, i, nil, 0, C.H5P_DEFAULT)
			if n < 0 {
				err = hdf5Error("H5Aget_name_by_idx")
				return
			}
			if int(n)+1 > len(buf) {
				buf = make([]byte, int(n)+1)
			}
			p := (*C.char)(unsafe.Pointer(&buf[0]))
			if C.H5Aget_name_by_idx(id, dot, C.H5_INDEX_NAME, C.H5_ITER_INC, i, p, C.size_t(len(buf)), C.H5P_DEFAULT) < 0 {
				err = hdf5Error("H5Aget_name_by_idx")
				return
			}
			names = append(names, string(buf[:n]))
		}
	})
	if err != nil {
		return nil, o.fail("list attributes", err)
	}
	return names, nil
}
