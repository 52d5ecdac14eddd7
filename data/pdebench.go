package data

import (
	"fmt"
	"slices"

	"github.com/sciml-go/sciml/internal/hdf5"
)

// initPDEBench reads the layout of the PDEBench files (Takamoto et al.
// 2022): a float dataset "tensor" of shape (N, T, X) or (N, T, X, Y) and
// the coordinates "x-coordinate", "y-coordinate", "t-coordinate".
//
//   - With a dataset "nu" of shape (N, X[, Y]) (2D_DarcyFlow: the
//     coefficient a; tensor (N, 1, X, Y) holds u), the input is nu and the
//     output tensor.
//   - Otherwise the file holds trajectories: the input is the first time
//     step tensor[:, 0] and the output the rest, tensor[:, 1:], with time
//     as the channel axis.
func (d *Dataset) initPDEBench() error {
	d.layout = PDEBench
	ds, dims, err := d.openFloat("tensor")
	if err != nil {
		return err
	}
	r := len(dims) - 2
	if r < 1 || r > 2 {
		return fmt.Errorf("dataset %q has rank %d (shape %v), want 3 (N, T, X) or 4 (N, T, X, Y)", "tensor", len(dims), dims)
	}
	if float64(prod(dims[1:])) > maxSampleValues || dims[1] < 0 {
		return fmt.Errorf("dataset %q has shape %v: samples of more than %d values are not supported", "tensor", dims, maxSampleValues)
	}
	spatial := dims[2:]
	if r == 2 && spatial[0] != spatial[1] {
		return fmt.Errorf("dataset %q has a %d×%d grid; only square grids are supported", "tensor", spatial[0], spatial[1])
	}
	d.rank, d.res, d.n = r, spatial[0], dims[0]
	hasNu, err := d.f.Exists("nu")
	if err != nil {
		return err
	}
	if nu, ndims, err := d.openNu(hasNu); err != nil {
		return err
	} else if nu != nil {
		if len(ndims) != r+1 || ndims[0] != dims[0] || !slices.Equal(ndims[1:], spatial) {
			return fmt.Errorf("dataset %q has shape %v, want (%d, %s) to match %q %v", "nu", ndims, dims[0], shapeString(spatial), "tensor", dims)
		}
		d.in = newSource(nu, "nu", 0, ndims[1:], r)
		d.out = newSource(ds, "tensor", 0, dims[1:], r)
	} else {
		if dims[1] < 2 {
			return fmt.Errorf("dataset %q has %d time steps; trajectories need at least 2 (input t0, output the rest)", "tensor", dims[1])
		}
		in := slices.Clone(dims[1:])
		in[0] = 1
		out := slices.Clone(dims[1:])
		out[0]--
		d.in = newSource(ds, "tensor", 0, in, r)
		d.out = newSource(ds, "tensor", 1, out, r)
	}
	for axis, name := range map[string]string{"x": "x-coordinate", "y": "y-coordinate", "t": "t-coordinate"} {
		if ok, _ := d.f.Exists(name); ok {
			if v, err := d.readVector(name); err == nil {
				d.grid[axis] = v
			}
		}
	}
	return nil
}

// openNu opens the PDEBench "nu" dataset when it is an array (some files
// keep ν as a scalar attribute or a 0-d dataset instead).
func (d *Dataset) openNu(exists bool) (*hdf5.Dataset, []int, error) {
	if !exists {
		return nil, nil, nil
	}
	ds, dims, err := d.openFloat("nu")
	if err != nil {
		return nil, nil, err
	}
	if len(dims) <= 1 {
		if v, err := d.readVector("nu"); err == nil && len(v) > 0 {
			d.attrs["nu"] = v[0]
		}
		return nil, nil, nil
	}
	return ds, dims, nil
}
