package hdf5

/*
#include "h5.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"unsafe"
)

// Mode is the access mode of Open.
type Mode int

const (
	// ReadOnly opens a file for reading only.
	ReadOnly Mode = iota
	// ReadWrite opens a file for reading and writing.
	ReadWrite
)

// String returns "read-only" or "read-write".
func (m Mode) String() string {
	switch m {
	case ReadOnly:
		return "read-only"
	case ReadWrite:
		return "read-write"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// File is an open HDF5 file. Its embedded Group is the root group "/", so
// groups, datasets and attributes of the root are reached directly
// (f.CreateDataset, f.SetAttr, …). A File is safe for concurrent use.
type File struct {
	Group
	state *fileState
}

// fileState is shared by a File and every object opened through it. It is
// read and written only on the worker.
type fileState struct {
	id   C.hid_t // -1 once closed
	path string
	objs map[*handle]struct{} // open groups and datasets, root included
}

// handle is an open group or dataset. id is read and written only on the
// worker; name and file never change.
type handle struct {
	id   C.hid_t // -1 once closed
	name string  // absolute path inside the file
	file *fileState
}

// get returns the identifier of an open handle, or an error wrapping
// ErrClosed. Worker only.
func (h *handle) get() (C.hid_t, error) {
	if h.id < 0 {
		return -1, ErrClosed
	}
	return h.id, nil
}

// register tracks a newly opened object so that closing its file closes it.
// Worker only.
func (s *fileState) register(id C.hid_t, name string) *handle {
	h := &handle{id: id, name: name, file: s}
	s.objs[h] = struct{}{}
	return h
}

// close closes the handle and forgets it. Worker only.
func (h *handle) close() error {
	if h.id < 0 {
		return nil
	}
	rc := C.H5Oclose(h.id)
	h.id = -1
	delete(h.file.objs, h)
	if rc < 0 {
		return hdf5Error("H5Oclose")
	}
	return nil
}

// Create creates an HDF5 file at path, truncating any existing file, and
// opens it for reading and writing. Writing a file atomically (temporary
// name, then rename) is the caller's job.
func Create(path string) (*File, error) {
	var f *File
	var err error
	do(func() {
		if initErr != nil {
			err = initErr
			return
		}
		cpath := C.CString(path)
		defer C.free(unsafe.Pointer(cpath))
		id := C.H5Fcreate(cpath, C.H5F_ACC_TRUNC, C.H5P_DEFAULT, C.H5P_DEFAULT)
		if id < 0 {
			err = hdf5Error("H5Fcreate")
			return
		}
		f, err = newFile(id, path)
	})
	if err != nil {
		return nil, wrap(path, "create", "", err)
	}
	return f, nil
}

// Open opens an existing HDF5 file. A missing file gives an error wrapping
// fs.ErrNotExist; a file that is not HDF5, or is truncated or empty, gives
// an error carrying libhdf5's diagnosis.
func Open(path string, mode Mode) (*File, error) {
	var flags C.uint
	switch mode {
	case ReadOnly:
		flags = C.H5F_ACC_RDONLY
	case ReadWrite:
		flags = C.H5F_ACC_RDWR
	default:
		return nil, fmt.Errorf("hdf5: %s: open: invalid mode %d", path, int(mode))
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("hdf5: %s: open: %w", path, fs.ErrNotExist)
	case err == nil && st.IsDir():
		return nil, fmt.Errorf("hdf5: %s: open: is a directory", path)
	case err == nil && st.Size() == 0:
		// libhdf5 1.10 would turn an empty file opened read-write into a
		// new HDF5 file instead of failing.
		return nil, fmt.Errorf("hdf5: %s: open: empty file, not HDF5", path)
	}
	var f *File
	do(func() {
		if initErr != nil {
			err = initErr
			return
		}
		cpath := C.CString(path)
		defer C.free(unsafe.Pointer(cpath))
		id := C.H5Fopen(cpath, flags, C.H5P_DEFAULT)
		if id < 0 {
			err = hdf5Error("H5Fopen")
			return
		}
		f, err = newFile(id, path)
	})
	if err != nil {
		return nil, wrap(path, "open", "", err)
	}
	return f, nil
}

// newFile opens the root group of a freshly opened file. Worker only.
func newFile(id C.hid_t, path string) (*File, error) {
	root := C.CString("/")
	defer C.free(unsafe.Pointer(root))
	gid := C.H5Gopen2(id, root, C.H5P_DEFAULT)
	if gid < 0 {
		err := hdf5Error("H5Gopen2")
		C.H5Fclose(id)
		return nil, err
	}
	s := &fileState{id: id, path: path, objs: make(map[*handle]struct{})}
	return &File{Group: Group{object{s.register(gid, "/")}}, state: s}, nil
}

// Path returns the path the file was created or opened with.
func (f *File) Path() string { return f.state.path }

// Flush asks libhdf5 to write its buffers for this file to disk.
func (f *File) Flush() error {
	var err error
	do(func() {
		if f.state.id < 0 {
			err = ErrClosed
			return
		}
		if C.H5Fflush(f.state.id, C.H5F_SCOPE_LOCAL) < 0 {
			err = hdf5Error("H5Fflush")
		}
	})
	if err != nil {
		return wrap(f.state.path, "flush", "", err)
	}
	return nil
}

// Close closes every group and dataset still open in the file, then the
// file itself. Objects of a closed file return errors wrapping ErrClosed.
// Closing a closed file does nothing.
func (f *File) Close() error {
	var err error
	do(func() {
		s := f.state
		if s.id < 0 {
			return
		}
		for h := range s.objs {
			if e := h.close(); e != nil && err == nil {
				err = e
			}
		}
		if C.H5Fclose(s.id) < 0 && err == nil {
			err = hdf5Error("H5Fclose")
		}
		s.id = -1
	})
	if err != nil {
		return wrap(f.state.path, "close", "", err)
	}
	return nil
}
