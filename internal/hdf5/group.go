package hdf5

/*
#include "h5.h"
*/
import "C"

import (
	"fmt"
	"path"
	"strings"
	"unsafe"
)

// object holds what groups and datasets share: the handle, the name and
// the attribute methods (attr.go).
type object struct {
	h *handle
}

// Name returns the absolute path of the object inside its file, such as
// "/grid/x".
func (o object) Name() string { return o.h.name }

// child returns the absolute path of name relative to the object, for
// error messages and names of opened objects.
func (o object) child(name string) string {
	if strings.HasPrefix(name, "/") {
		return path.Clean(name)
	}
	return path.Join(o.h.name, name)
}

// fail wraps err with the file path, op and the object's own name.
func (o object) fail(op string, err error) error {
	return wrap(o.h.file.path, op, o.h.name, err)
}

// Group is an open HDF5 group. Names given to its methods are relative to
// the group (or absolute, starting with "/") and may contain several
// components, such as "grid/x". A Group is safe for concurrent use.
type Group struct {
	object
}

// Kind says what kind of object a link points to.
type Kind int

const (
	// KindOther is any other object, such as a dangling link.
	KindOther Kind = iota
	// KindGroup is a group.
	KindGroup
	// KindDataset is a dataset.
	KindDataset
	// KindDatatype is a committed (named) datatype.
	KindDatatype
)

// String returns "group", "dataset", "datatype" or "other".
func (k Kind) String() string {
	switch k {
	case KindGroup:
		return "group"
	case KindDataset:
		return "dataset"
	case KindDatatype:
		return "datatype"
	}
	return "other"
}

// Close closes the group. Closing a closed group does nothing.
func (g *Group) Close() error {
	var err error
	do(func() { err = g.h.close() })
	if err != nil {
		return g.fail("close group", err)
	}
	return nil
}

// CreateGroup creates the group name, and any missing groups on its path.
func (g *Group) CreateGroup(name string) (*Group, error) {
	var ng *Group
	var err error
	full := g.child(name)
	do(func() {
		id, e := g.h.get()
		if e != nil {
			err = e
			return
		}
		cname := C.CString(name)
		defer C.free(unsafe.Pointer(cname))
		gid := C.sciml_group_create(id, cname)
		if gid < 0 {
			err = hdf5Error("H5Gcreate2")
			return
		}
		ng = &Group{object{g.h.file.register(gid, full)}}
	})
	if err != nil {
		return nil, wrap(g.h.file.path, "create group", full, err)
	}
	return ng, nil
}

// OpenGroup opens the existing group name. A missing group gives an error
// wrapping ErrNotFound.
func (g *Group) OpenGroup(name string) (*Group, error) {
	var ng *Group
	full := g.child(name)
	err := g.open(name, KindGroup, func(id C.hid_t, cname *C.char) error {
		gid := C.H5Gopen2(id, cname, C.H5P_DEFAULT)
		if gid < 0 {
			return hdf5Error("H5Gopen2")
		}
		ng = &Group{object{g.h.file.register(gid, full)}}
		return nil
	})
	if err != nil {
		return nil, wrap(g.h.file.path, "open group", full, err)
	}
	return ng, nil
}

// open checks that name exists and is of kind k, then calls fn on the
// worker.
func (g *Group) open(name string, k Kind, fn func(id C.hid_t, cname *C.char) error) error {
	var err error
	do(func() {
		id, e := g.h.get()
		if e != nil {
			err = e
			return
		}
		cname := C.CString(name)
		defer C.free(unsafe.Pointer(cname))
		got, e := kindOf(id, name, cname)
		if e != nil {
			err = e
			return
		}
		if got != k {
			err = fmt.Errorf("is a %s, not a %s", got, k)
			return
		}
		err = fn(id, cname)
	})
	return err
}

// Members returns the names of the links in the group, sorted by name.
func (g *Group) Members() ([]string, error) {
	var names []string
	var err error
	do(func() {
		id, e := g.h.get()
		if e != nil {
			err = e
			return
		}
		var info C.H5G_info_t
		if C.H5Gget_info(id, &info) < 0 {
			err = hdf5Error("H5Gget_info")
			return
		}
		dot := C.CString(".")
		defer C.free(unsafe.Pointer(dot))
		names = make([]string, 0, int(info.nlinks))
		var buf []byte
		for i := C.hsize_t(0); i < info.nlinks; i++ {
			n := C.H5Lget_name_by_idx(id, dot, C.H5_INDEX_NAME, C.H5_ITER_INC, i, nil, 0, C.H5P_DEFAULT)
			if n < 0 {
				err = hdf5Error("H5Lget_name_by_idx")
				return
			}
			if int(n)+1 > len(buf) {
				buf = make([]byte, int(n)+1)
			}
			p := (*C.char)(unsafe.Pointer(&buf[0]))
			if C.H5Lget_name_by_idx(id, dot, C.H5_INDEX_NAME, C.H5_ITER_INC, i, p, C.size_t(len(buf)), C.H5P_DEFAULT) < 0 {
				err = hdf5Error("H5Lget_name_by_idx")
				return
			}
			names = append(names, string(buf[:n]))
		}
	})
	if err != nil {
		return nil, g.fail("list group", err)
	}
	return names, nil
}

// Exists reports whether name resolves to an object: every component of
// the path must exist and every component but the last must be a group.
// The empty name, "." and "/" always exist.
func (g *Group) Exists(name string) (bool, error) {
	var ok bool
	var err error
	do(func() {
		id, e := g.h.get()
		if e != nil {
			err = e
			return
		}
		ok, err = exists(id, name)
	})
	if err != nil {
		return false, wrap(g.h.file.path, "look up", g.child(name), err)
	}
	return ok, nil
}

// Kind returns the kind of the object name resolves to. A missing object
// gives an error wrapping ErrNotFound.
func (g *Group) Kind(name string) (Kind, error) {
	var k Kind
	var err error
	do(func() {
		id, e := g.h.get()
		if e != nil {
			err = e
			return
		}
		cname := C.CString(name)
		defer C.free(unsafe.Pointer(cname))
		k, err = kindOf(id, name, cname)
	})
	if err != nil {
		return KindOther, wrap(g.h.file.path, "look up", g.child(name), err)
	}
	return k, nil
}

// kindOf returns the kind of name, or ErrNotFound. Worker only.
func kindOf(loc C.hid_t, name string, cname *C.char) (Kind, error) {
	ok, err := exists(loc, name)
	if err != nil {
		return KindOther, err
	}
	if !ok {
		return KindOther, ErrNotFound
	}
	t := C.sciml_obj_type(loc, cname)
	switch t {
	case C.H5O_TYPE_GROUP:
		return KindGroup, nil
	case C.H5O_TYPE_DATASET:
		return KindDataset, nil
	case C.H5O_TYPE_NAMED_DATATYPE:
		return KindDatatype, nil
	}
	if t < 0 {
		clearError() // a dangling soft or external link
	}
	return KindOther, nil
}

// exists implements Group.Exists. Worker only.
func exists(loc C.hid_t, name string) (bool, error) {
	trimmed := strings.Trim(name, "/")
	if trimmed == "" || trimmed == "." {
		return true, nil
	}
	prefix := ""
	if strings.HasPrefix(name, "/") {
		prefix = "/"
	}
	parts := strings.Split(trimmed, "/")
	for i, part := range parts {
		if part == "" || part == "." {
			continue
		}
		prefix += part
		cp := C.CString(prefix)
		ex := C.H5Lexists(loc, cp, C.H5P_DEFAULT)
		if ex < 0 {
			C.free(unsafe.Pointer(cp))
			return false, hdf5Error("H5Lexists")
		}
		if ex == 0 {
			C.free(unsafe.Pointer(cp))
			return false, nil
		}
		if i < len(parts)-1 {
			t := C.sciml_obj_type(loc, cp)
			if t < 0 {
				clearError()
			}
			if t != C.H5O_TYPE_GROUP {
				C.free(unsafe.Pointer(cp))
				return false, nil
			}
		}
		C.free(unsafe.Pointer(cp))
		prefix += "/"
	}
	return true, nil
}
