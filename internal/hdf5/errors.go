package hdf5

/*
#include "h5.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"
)

// Sentinel errors, to be tested with errors.Is.
var (
	// ErrNotFound is wrapped by errors about a group, dataset, link or
	// attribute that does not exist.
	ErrNotFound = errors.New("not found")
	// ErrClosed is wrapped by errors about a File, Group or Dataset used
	// after Close (its own, or its file's).
	ErrClosed = errors.New("use of closed handle")
	// ErrDType is wrapped by errors about a Go value whose element type does
	// not match the stored type of a dataset or attribute.
	ErrDType = errors.New("type mismatch")
)

// Error is a failed libhdf5 call together with the library's error stack.
// Methods wrap it with the file path and object name, so use errors.As to
// reach it.
type Error struct {
	// Func is the libhdf5 API function that failed, e.g. "H5Dopen2".
	Func string
	// Stack holds the libhdf5 error stack, outermost (the API function)
	// first, innermost (the root cause) last; one "func(): description
	// (minor message)" string per entry. It may be empty.
	Stack []string
}

// Error returns the failed function with the outermost and innermost
// messages of the stack; Stack has all of them.
func (e *Error) Error() string {
	switch n := len(e.Stack); {
	case n == 0:
		return e.Func + " failed"
	case n == 1:
		return e.Stack[0]
	case n == 2:
		return e.Stack[0] + ": " + e.Stack[1]
	default:
		return e.Stack[0] + ": …: " + e.Stack[n-1]
	}
}

// hdf5Error takes the libhdf5 error stack (saved by a C helper, or else the
// current one) and clears it. It must be called on the worker right after
// the failing call.
func hdf5Error(fn string) error {
	e := &Error{Func: fn}
	cs := C.sciml_take_error()
	if cs != nil {
		s := strings.TrimRight(C.GoString(cs), "\n")
		C.free(unsafe.Pointer(cs))
		if s != "" {
			e.Stack = strings.Split(s, "\n")
		}
	}
	return e
}

// clearError discards the libhdf5 error stack after a failure that is
// expected and handled.
func clearError() {
	cs := C.sciml_take_error()
	if cs != nil {
		C.free(unsafe.Pointer(cs))
	}
}

// wrap adds the file path, the operation and the object name to err.
func wrap(file, op, name string, err error) error {
	if name == "" {
		return fmt.Errorf("hdf5: %s: %s: %w", file, op, err)
	}
	return fmt.Errorf("hdf5: %s: %s %q: %w", file, op, name, err)
}
