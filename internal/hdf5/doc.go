// Package hdf5 is a thin binding over the libhdf5 1.10 C API: files,
// groups, datasets of float32, float64 and int64 (contiguous or chunked,
// with shuffle and deflate filters, extendible along unlimited
// dimensions), hyperslab reads and writes, and attributes.
//
// Only code that does I/O may import this package (in sciml: data/ and
// cmd/); it is the reason a binary links libhdf5. Everything else works
// on Go slices.
//
// # Use
//
//	f, err := hdf5.Create("burgers.h5")
//	…
//	defer f.Close()
//	ds, err := f.CreateDataset("input", hdf5.Float32, []int{0, 64, 64},
//		&hdf5.DatasetOptions{
//			MaxDims: []int{hdf5.Unlimited, 64, 64},
//			Chunk:   []int{1, 64, 64},
//			Shuffle: true, Deflate: 4,
//		})
//	err = ds.Extend([]int{n + 1, 64, 64})                       // append
//	err = ds.WriteSlab([]int{n, 0, 0}, []int{1, 64, 64}, sample) // sample: []float32
//	err = f.SetAttr("pde", "burgers")
//
// and to read one sample back:
//
//	f, err := hdf5.Open("burgers.h5", hdf5.ReadOnly)
//	ds, err := f.OpenDataset("input")
//	buf := make([]float32, 64*64)
//	err = ds.ReadSlab([]int{i, 0, 0}, []int{1, 64, 64}, buf)
//
// # Threads
//
// The serial libhdf5 is not thread-safe and keeps its error state per
// thread. So every C call of this package runs on one dedicated goroutine
// locked to its OS thread (runtime.LockOSThread): a public method packs all
// the C calls it needs into one closure, sends it to that goroutine and
// waits. The public API is therefore safe for concurrent use by any number
// of goroutines, but HDF5 work is serialized. A method costs one hand-off
// between threads on top of libhdf5's own work: both sides poll briefly
// before they park, so back-to-back calls (a loader reading sample after
// sample) pay about a microsecond each instead of two futex wake-ups.
//
// # Errors
//
// The library's automatic printing of errors to stderr is switched off
// (H5Eset_auto2 with a nil function) before the first call, so libhdf5
// never writes to stderr. When a call fails, its error stack is walked
// (H5Ewalk2) into an *Error, which holds every message; methods wrap it
// with the file path, the operation and the object's name, for example
//
//	hdf5: data.h5: open: H5Fopen(): unable to open file: …: H5F__super_read(): file signature not found
//
// Sentinel errors are wrapped where they apply: ErrNotFound (missing
// group, dataset or attribute), ErrClosed (use after Close), ErrDType
// (Go slice or value of the wrong type), and fs.ErrNotExist (Open of a
// missing file). Files that are empty, truncated or not HDF5 give errors,
// never crashes.
//
// # Types
//
// Datasets hold Float32, Float64 or Int64 elements, stored little-endian,
// and are read and written through []float32, []float64 and []int64 of the
// stored type only: a mismatch is an error, not a conversion. Datasets of
// other types (written by other tools) open, and Info describes them, but
// they cannot be read.
//
// Attributes, on the root group (the File), groups and datasets, are
// scalar int64 or float64, 1-D []int64 or []float64, or scalar strings,
// written as variable-length UTF-8 strings (H5T_C_S1, H5T_VARIABLE,
// H5T_CSET_UTF8, scalar dataspace), which h5py reads as str. Reading
// accepts integer and float attributes of any width (as int64 and float64)
// and fixed-length strings too.
//
// # Handles
//
// Files, groups and datasets have Close methods and no finalizers. Closing
// a File also closes every group and dataset still open in it, so no
// libhdf5 identifier outlives its file. Go programs exit without running
// libhdf5's exit handler, so a file that is not closed (or flushed) before
// the program exits may be left incomplete.
package hdf5
