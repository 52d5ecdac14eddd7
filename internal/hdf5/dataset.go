package hdf5

/*
#include "h5.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// maxRank is the largest rank libhdf5 supports (H5S_MAX_RANK).
const maxRank = 32

// Unlimited, as an entry of DatasetOptions.MaxDims, lets that dimension grow
// without bound; Info.MaxDims reports unlimited dimensions with it too.
const Unlimited = -1

// DType is the element type of a dataset.
type DType int

const (
	// Unsupported is any stored type other than the three below. Datasets
	// of such a type can be opened and inspected, not read or written.
	Unsupported DType = iota
	// Float32 is a 32-bit IEEE float, Go float32.
	Float32
	// Float64 is a 64-bit IEEE float, Go float64.
	Float64
	// Int64 is a 64-bit signed integer, Go int64.
	Int64
)

// String returns "float32", "float64", "int64" or "unsupported".
func (t DType) String() string {
	switch t {
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	case Int64:
		return "int64"
	}
	return "unsupported"
}

// Size returns the size of one element in bytes (0 for Unsupported).
func (t DType) Size() int {
	switch t {
	case Float32:
		return 4
	case Float64, Int64:
		return 8
	}
	return 0
}

// memType is the native in-memory type of t. Worker only.
func (t DType) memType() C.hid_t {
	switch t {
	case Float32:
		return C.sciml_native_float()
	case Float64:
		return C.sciml_native_double()
	case Int64:
		return C.sciml_native_llong()
	}
	return -1
}

// fileType is the little-endian type t is stored as. Worker only.
func (t DType) fileType() C.hid_t {
	switch t {
	case Float32:
		return C.sciml_ieee_f32le()
	case Float64:
		return C.sciml_ieee_f64le()
	case Int64:
		return C.sciml_std_i64le()
	}
	return -1
}

// sliceOf returns the DType, data pointer and length of a []float32,
// []float64 or []int64.
func sliceOf(data any) (DType, unsafe.Pointer, int, error) {
	switch s := data.(type) {
	case []float32:
		return Float32, unsafe.Pointer(unsafe.SliceData(s)), len(s), nil
	case []float64:
		return Float64, unsafe.Pointer(unsafe.SliceData(s)), len(s), nil
	case []int64:
		return Int64, unsafe.Pointer(unsafe.SliceData(s)), len(s), nil
	}
	return Unsupported, nil, 0, fmt.Errorf("%w: %T is not []float32, []float64 or []int64", ErrDType, data)
}

// Layout is the storage layout of a dataset.
type Layout int

const (
	// Contiguous stores the data in one block.
	Contiguous Layout = iota
	// Chunked stores the data in chunks, which filters compress; needed for
	// extendible datasets.
	Chunked
	// Compact stores the data in the object header.
	Compact
	// Virtual maps the data from other datasets.
	Virtual
)

// String returns "contiguous", "chunked", "compact" or "virtual".
func (l Layout) String() string {
	switch l {
	case Contiguous:
		return "contiguous"
	case Chunked:
		return "chunked"
	case Compact:
		return "compact"
	case Virtual:
		return "virtual"
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// DatasetOptions are the creation options of a dataset. The zero value (or
// a nil pointer) gives a contiguous, fixed-size, unfiltered dataset.
type DatasetOptions struct {
	// MaxDims are the maximum dimensions, Unlimited for unbounded ones
	// (typically the first: the sample axis a writer appends to). nil
	// means the dataset cannot be extended.
	MaxDims []int
	// Chunk are the chunk dimensions. nil means a contiguous layout;
	// MaxDims, Shuffle and Deflate need chunks.
	Chunk []int
	// Shuffle adds the byte-shuffle filter (before deflate), which helps
	// floating-point data compress.
	Shuffle bool
	// Deflate is the gzip level, 1 (fastest) to 9 (smallest); 0 adds no
	// deflate filter.
	Deflate int
}

// Filter is one filter of a dataset's pipeline.
type Filter struct {
	// ID is the HDF5 filter identifier (1 deflate, 2 shuffle, …).
	ID int
	// Name is the name the filter is registered with, such as "deflate"
	// or "shuffle".
	Name string
	// Params are the filter's client data values; Params[0] is the level
	// of deflate.
	Params []uint
}

// Info describes a dataset.
type Info struct {
	// DType is the stored element type, Unsupported if none of ours.
	DType DType
	// Type describes the stored type, such as "float32", "int32" or
	// "string"; it also names types that DType does not support.
	Type string
	// Dims are the current dimensions (empty for a scalar).
	Dims []int
	// MaxDims are the maximum dimensions, Unlimited for unbounded ones.
	MaxDims []int
	// Layout is the storage layout.
	Layout Layout
	// Chunk are the chunk dimensions, nil unless Layout is Chunked.
	Chunk []int
	// Filters is the filter pipeline in the order applied on write.
	Filters []Filter
}

// Deflate returns the deflate (gzip) level and whether the dataset has a
// deflate filter at all.
func (i Info) Deflate() (level int, ok bool) {
	for _, f := range i.Filters {
		if f.ID == C.H5Z_FILTER_DEFLATE {
			if len(f.Params) > 0 {
				level = int(f.Params[0])
			}
			return level, true
		}
	}
	return 0, false
}

// Shuffle reports whether the dataset has a shuffle filter.
func (i Info) Shuffle() bool {
	for _, f := range i.Filters {
		if f.ID == C.H5Z_FILTER_SHUFFLE {
			return true
		}
	}
	return false
}

// Dataset is an open HDF5 dataset. A Dataset is safe for concurrent use.
type Dataset struct {
	object
	dtype DType
	tname string
}

// CreateDataset creates the dataset name with element type dt and
// dimensions dims (empty for a scalar), creating missing groups on its
// path. opts may be nil.
func (g *Group) CreateDataset(name string, dt DType, dims []int, opts *DatasetOptions) (*Dataset, error) {
	full := g.child(name)
	fail := func(err error) (*Dataset, error) {
		return nil, wrap(g.h.file.path, "create dataset", full, err)
	}
	if dt != Float32 && dt != Float64 && dt != Int64 {
		return fail(fmt.Errorf("%w: cannot create a dataset of type %v", ErrDType, dt))
	}
	if opts == nil {
		opts = &DatasetOptions{}
	}
	rank := len(dims)
	if rank > maxRank {
		return fail(fmt.Errorf("rank %d exceeds %d", rank, maxRank))
	}
	cdims := make([]C.hsize_t, rank+1) // +1: never empty, so &cdims[0] is valid
	cmax := make([]C.hsize_t, rank+1)
	for i, d := range dims {
		if d < 0 {
			return fail(fmt.Errorf("negative dimension in %v", dims))
		}
		cdims[i], cmax[i] = C.hsize_t(d), C.hsize_t(d)
	}
	extendible := false
	if opts.MaxDims != nil {
		if len(opts.MaxDims) != rank {
			return fail(fmt.Errorf("MaxDims %v do not match dims %v", opts.MaxDims, dims))
		}
		for i, m := range opts.MaxDims {
			switch {
			case m == Unlimited:
				extendible = true
			case m < dims[i]:
				return fail(fmt.Errorf("MaxDims %v smaller than dims %v", opts.MaxDims, dims))
			case m > dims[i]:
				extendible = true
			}
		}
	}
	if opts.Deflate < 0 || opts.Deflate > 9 {
		return fail(fmt.Errorf("deflate level %d outside 0..9", opts.Deflate))
	}
	var cchunk []C.hsize_t
	if opts.Chunk == nil {
		if extendible || opts.Shuffle || opts.Deflate > 0 {
			return fail(errors.New("extendible or filtered datasets need DatasetOptions.Chunk"))
		}
	} else {
		if len(opts.Chunk) != rank || rank == 0 {
			return fail(fmt.Errorf("chunk %v does not match dims %v", opts.Chunk, dims))
		}
		cchunk = make([]C.hsize_t, rank)
		for i, c := range opts.Chunk {
			if c <= 0 {
				return fail(fmt.Errorf("chunk %v has a non-positive entry", opts.Chunk))
			}
			cchunk[i] = C.hsize_t(c)
		}
	}
	deflate := -1
	if opts.Deflate > 0 {
		deflate = opts.Deflate
	}
	shuffle := 0
	if opts.Shuffle {
		shuffle = 1
	}
	var ds *Dataset
	var err error
	do(func() {
		id, e := g.h.get()
		if e != nil {
			err = e
			return
		}
		if opts.MaxDims != nil {
			for i, m := range opts.MaxDims {
				if m == Unlimited {
					cmax[i] = C.sciml_unlimited()
				} else {
					cmax[i] = C.hsize_t(m)
				}
			}
		}
		var pchunk *C.hsize_t
		if cchunk != nil {
			pchunk = &cchunk[0]
		}
		cname := C.CString(name)
		defer C.free(unsafe.Pointer(cname))
		did := C.sciml_dataset_create(id, cname, dt.fileType(), C.int(rank), &cdims[0], &cmax[0],
			pchunk, C.int(shuffle), C.int(deflate))
		if did < 0 {
			err = hdf5Error("H5Dcreate2")
			return
		}
		ds = &Dataset{object: object{g.h.file.register(did, full)}, dtype: dt, tname: dt.String()}
	})
	if err != nil {
		return fail(err)
	}
	return ds, nil
}

// OpenDataset opens the existing dataset name. A missing dataset gives an
// error wrapping ErrNotFound. Datasets of unsupported types open too (see
// DType).
func (g *Group) OpenDataset(name string) (*Dataset, error) {
	var ds *Dataset
	full := g.child(name)
	err := g.open(name, KindDataset, func(id C.hid_t, cname *C.char) error {
		did := C.H5Dopen2(id, cname, C.H5P_DEFAULT)
		if did < 0 {
			return hdf5Error("H5Dopen2")
		}
		dt, tname, err := storedType(did)
		if err != nil {
			C.H5Dclose(did)
			return err
		}
		ds = &Dataset{object: object{g.h.file.register(did, full)}, dtype: dt, tname: tname}
		return nil
	})
	if err != nil {
		return nil, wrap(g.h.file.path, "open dataset", full, err)
	}
	return ds, nil
}

// storedType classifies the element type of a dataset. Worker only.
func storedType(did C.hid_t) (DType, string, error) {
	var size C.size_t
	var sign C.int
	cls := C.sciml_dataset_type(did, &size, &sign)
	if cls < 0 {
		return Unsupported, "", hdf5Error("H5Dget_type")
	}
	bits := 8 * int(size)
	switch cls {
	case C.H5T_FLOAT:
		switch bits {
		case 32:
			return Float32, "float32", nil
		case 64:
			return Float64, "float64", nil
		}
		return Unsupported, fmt.Sprintf("float%d", bits), nil
	case C.H5T_INTEGER:
		if sign == 1 {
			if bits == 64 {
				return Int64, "int64", nil
			}
			return Unsupported, fmt.Sprintf("int%d", bits), nil
		}
		return Unsupported, fmt.Sprintf("uint%d", bits), nil
	}
	names := map[C.int]string{
		C.H5T_TIME: "time", C.H5T_STRING: "string", C.H5T_BITFIELD: "bitfield",
		C.H5T_OPAQUE: "opaque", C.H5T_COMPOUND: "compound", C.H5T_REFERENCE: "reference",
		C.H5T_ENUM: "enum", C.H5T_VLEN: "vlen", C.H5T_ARRAY: "array",
	}
	if n, ok := names[cls]; ok {
		return Unsupported, n, nil
	}
	return Unsupported, "unknown", nil
}

// DType returns the stored element type.
func (d *Dataset) DType() DType { return d.dtype }

// Close closes the dataset. Closing a closed dataset does nothing.
func (d *Dataset) Close() error {
	var err error
	do(func() { err = d.h.close() })
	if err != nil {
		return d.fail("close dataset", err)
	}
	return nil
}

// dims returns the current dimensions. Worker only.
func (d *Dataset) dims() ([]int, error) {
	id, err := d.h.get()
	if err != nil {
		return nil, err
	}
	var cd [maxRank]C.hsize_t
	rank := C.sciml_dataset_dims(id, &cd[0], nil, maxRank)
	if rank < 0 {
		return nil, hdf5Error("H5Sget_simple_extent_dims")
	}
	dims := make([]int, rank)
	for i := range dims {
		dims[i] = int(cd[i])
	}
	return dims, nil
}

// Dims returns the current dimensions (empty for a scalar).
func (d *Dataset) Dims() ([]int, error) {
	var dims []int
	var err error
	do(func() { dims, err = d.dims() })
	if err != nil {
		return nil, d.fail("query dataset", err)
	}
	return dims, nil
}

// Info describes the dataset: type, dimensions, layout, chunks, filters.
func (d *Dataset) Info() (Info, error) {
	info := Info{DType: d.dtype, Type: d.tname}
	var err error
	do(func() { err = d.info(&info) })
	if err != nil {
		return Info{}, d.fail("query dataset", err)
	}
	return info, nil
}

// info fills info. Worker only.
func (d *Dataset) info(info *Info) error {
	id, err := d.h.get()
	if err != nil {
		return err
	}
	var cd, cm [maxRank]C.hsize_t
	rank := C.sciml_dataset_dims(id, &cd[0], &cm[0], maxRank)
	if rank < 0 {
		return hdf5Error("H5Sget_simple_extent_dims")
	}
	info.Dims = make([]int, rank)
	info.MaxDims = make([]int, rank)
	unl := C.sciml_unlimited()
	for i := range info.Dims {
		info.Dims[i] = int(cd[i])
		info.MaxDims[i] = int(cm[i])
		if cm[i] == unl {
			info.MaxDims[i] = Unlimited
		}
	}
	dcpl := C.H5Dget_create_plist(id)
	if dcpl < 0 {
		return hdf5Error("H5Dget_create_plist")
	}
	defer C.H5Pclose(dcpl)
	switch C.H5Pget_layout(dcpl) {
	case C.H5D_COMPACT:
		info.Layout = Compact
	case C.H5D_CONTIGUOUS:
		info.Layout = Contiguous
	case C.H5D_CHUNKED:
		info.Layout = Chunked
	case C.H5D_VIRTUAL:
		info.Layout = Virtual
	default:
		return hdf5Error("H5Pget_layout")
	}
	if info.Layout == Chunked {
		var cc [maxRank]C.hsize_t
		n := C.H5Pget_chunk(dcpl, maxRank, &cc[0])
		if n < 0 {
			return hdf5Error("H5Pget_chunk")
		}
		info.Chunk = make([]int, n)
		for i := range info.Chunk {
			info.Chunk[i] = int(cc[i])
		}
	}
	nf := C.H5Pget_nfilters(dcpl)
	if nf < 0 {
		return hdf5Error("H5Pget_nfilters")
	}
	for i := 0; i < int(nf); i++ {
		var flags, config C.uint
		var cdv [16]C.uint
		ncd := C.size_t(len(cdv))
		var name [256]C.char
		fid := C.H5Pget_filter2(dcpl, C.uint(i), &flags, &ncd, &cdv[0], C.size_t(len(name)), &name[0], &config)
		if fid < 0 {
			return hdf5Error("H5Pget_filter2")
		}
		f := Filter{ID: int(fid), Name: C.GoString(&name[0])}
		for j := 0; j < int(ncd) && j < len(cdv); j++ {
			f.Params = append(f.Params, uint(cdv[j]))
		}
		info.Filters = append(info.Filters, f)
	}
	return nil
}

// Extend changes the dimensions of an extendible (chunked) dataset to dims,
// within its MaxDims. Shrinking discards data.
func (d *Dataset) Extend(dims []int) error {
	var err error
	do(func() {
		var cur []int
		cur, err = d.dims()
		if err != nil {
			return
		}
		if len(dims) != len(cur) {
			err = fmt.Errorf("new dims %v do not match rank %d", dims, len(cur))
			return
		}
		var cd [maxRank]C.hsize_t
		for i, n := range dims {
			if n < 0 {
				err = fmt.Errorf("negative dimension in %v", dims)
				return
			}
			cd[i] = C.hsize_t(n)
		}
		if C.H5Dset_extent(d.h.id, &cd[0]) < 0 {
			err = hdf5Error("H5Dset_extent")
		}
	})
	if err != nil {
		return d.fail("extend dataset", err)
	}
	return nil
}

// Read reads the whole dataset into dst, a []float32, []float64 or []int64
// matching DType, of length the product of Dims.
func (d *Dataset) Read(dst any) error {
	return d.transfer("read", nil, nil, dst, false)
}

// Write writes the whole dataset from src, a []float32, []float64 or
// []int64 matching DType, of length the product of Dims.
func (d *Dataset) Write(src any) error {
	return d.transfer("write", nil, nil, src, true)
}

// ReadSlab reads the hyperslab at start with extent count (one entry per
// dimension) into dst, a slice matching DType of length the product of
// count, in row-major order. For example ReadSlab([]int{i, 0, 0},
// []int{1, X, Y}, buf) reads sample i of an (N, X, Y) dataset.
func (d *Dataset) ReadSlab(start, count []int, dst any) error {
	if start == nil {
		start = []int{}
	}
	return d.transfer("read", start, count, dst, false)
}

// WriteSlab writes src, a slice matching DType of length the product of
// count, to the hyperslab at start with extent count. To append, Extend the
// dataset first.
func (d *Dataset) WriteSlab(start, count []int, src any) error {
	if start == nil {
		start = []int{}
	}
	return d.transfer("write", start, count, src, true)
}

// ReadAll reads the whole dataset into a new []float32, []float64 or
// []int64, according to DType.
func (d *Dataset) ReadAll() (any, error) {
	var out any
	var err error
	do(func() {
		var dims []int
		dims, err = d.dims()
		if err != nil {
			return
		}
		n := 1
		for _, x := range dims {
			n *= x
		}
		switch d.dtype {
		case Float32:
			out = make([]float32, n)
		case Float64:
			out = make([]float64, n)
		case Int64:
			out = make([]int64, n)
		default:
			err = fmt.Errorf("%w: cannot read stored type %s", ErrDType, d.tname)
			return
		}
		_, p, _, _ := sliceOf(out)
		if n > 0 && C.sciml_dataset_rw(d.h.id, d.dtype.memType(), 0, nil, nil, p, 0) < 0 {
			err = hdf5Error("H5Dread")
		}
	})
	if err != nil {
		return nil, d.fail("read dataset", err)
	}
	return out, nil
}

// transfer implements Read, Write, ReadSlab and WriteSlab; start == nil
// means the whole dataset.
func (d *Dataset) transfer(op string, start, count []int, data any, write bool) error {
	err := d.doTransfer(start, count, data, write)
	if err != nil {
		return d.fail(op+" dataset", err)
	}
	return nil
}

func (d *Dataset) doTransfer(start, count []int, data any, write bool) error {
	dt, ptr, n, err := sliceOf(data)
	if err != nil {
		return err
	}
	if dt != d.dtype {
		return fmt.Errorf("%w: dataset holds %s, got %T", ErrDType, d.tname, data)
	}
	if start != nil {
		if len(start) != len(count) {
			return fmt.Errorf("start %v and count %v differ in length", start, count)
		}
		if len(start) > maxRank {
			return fmt.Errorf("rank %d exceeds %d", len(start), maxRank)
		}
	}
	var cstart, ccount [maxRank]C.hsize_t
	want := 1
	for i := range count {
		if start[i] < 0 || count[i] < 0 {
			return fmt.Errorf("negative entry in start %v or count %v", start, count)
		}
		cstart[i], ccount[i] = C.hsize_t(start[i]), C.hsize_t(count[i])
		want *= count[i]
	}
	do(func() {
		var dims []int
		dims, err = d.dims()
		if err != nil {
			return
		}
		if start == nil {
			want = 1
			for _, x := range dims {
				want *= x
			}
			if n != want {
				err = fmt.Errorf("buffer has %d elements, dataset %v has %d", n, dims, want)
				return
			}
			if n > 0 && C.sciml_dataset_rw(d.h.id, dt.memType(), 0, nil, nil, ptr, cbool(write)) < 0 {
				err = hdf5Error(rwName(write))
			}
			return
		}
		if len(start) != len(dims) {
			err = fmt.Errorf("start %v does not match dims %v", start, dims)
			return
		}
		for i := range dims {
			if start[i]+count[i] > dims[i] {
				err = fmt.Errorf("slab start %v count %v outside dims %v", start, count, dims)
				return
			}
		}
		if n != want {
			err = fmt.Errorf("buffer has %d elements, slab %v has %d", n, count, want)
			return
		}
		if n == 0 {
			return
		}
		ps, pc := &cstart[0], &ccount[0]
		if len(dims) == 0 {
			ps, pc = nil, nil // scalar: whole dataset
		}
		if C.sciml_dataset_rw(d.h.id, dt.memType(), C.int(len(dims)), ps, pc, ptr, cbool(write)) < 0 {
			err = hdf5Error(rwName(write))
		}
	})
	return err
}

func rwName(write bool) string {
	if write {
		return "H5Dwrite"
	}
	return "H5Dread"
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
