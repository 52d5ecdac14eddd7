// Package data generates, stores and reads the toolkit's PDE datasets: one
// HDF5 file per dataset, written by Generate from the problems of package
// pde and the solvers of package solvers, read back in batches of
// *tensor.Tensor by a Loader at any reachable resolution, with the
// normalizers training needs. The file schema is documented in
// docs/datasets.md.
//
// # Schema
//
// Datasets "input" and "output" are sample-major, float32 (or float64),
// chunked one sample per chunk, with shuffle + deflate (level 4 by
// default; off allowed), and extendible along the sample axis:
//
//	Burgers        input (N, X) = u0      output (N, X) = u(T), or (N, T, X)
//	Darcy          input (N, X, Y) = a    output (N, X, Y) = u
//	Navier–Stokes  input (N, X, Y) = w0   output (N, T, X, Y) = w(t)
//
// with coordinates in grid/x, grid/y and grid/t, and root attributes
// holding every parameter of the GenerateSpec (also as the canonical JSON
// "spec" and its hash "cache_key"), the solver, the seed, the sciml version,
// the creation time and the command line. A dataset "progress" records the
// progress of the run that writes the file.
//
// # Generation
//
// Sample i of a dataset with seed s draws every random number from
// pde.NewRand(s, i), so it does not depend on the number of workers, on
// sharding or on resumption: a dataset generated in one run equals, bitwise
// in input, output and grid, the Merge of its shards (Shard: samples i,
// i+n, …, or contiguous index ranges).
//
// Generate solves samples on Options.Workers goroutines and streams them to
// path+".partial" as they finish, so memory stays flat for any N. Samples
// finish out of order; each is written to its own slot at once, and the
// progress dataset records the complete prefix and the finished samples
// beyond it (at most 1024; workers run at most that far ahead). Progress is
// committed every FlushInterval (500 ms) in two steps — flush the data and
// chunk index, then overwrite the progress dataset in place and flush again —
// and recording it never moves HDF5 metadata, so a run killed at any moment
// (even with SIGKILL) leaves a readable partial file that claims only
// samples on disk. The partial file is created under a temporary name and
// renamed, so no half-created file exists either. Cancelling ctx writes
// every finished sample and closes the file cleanly; Options.Resume
// continues where the run stopped, after checking that every parameter
// matches. The complete file is synced and renamed to path, so path never
// holds a half-written file; a complete file of the same spec at path makes
// Generate a no-op (generate-if-missing, with CacheKey for file names).
//
// # Reading
//
// Open reads sciml files and PDEBench files (tensor, nu, x-coordinate,
// t-coordinate). Dataset.Loader takes a sample range (train/test splits are
// ranges), a resolution and a Method: Stride keeps every k-th point as the
// FNO scripts do (421 Darcy nodes → (421−1)/k + 1, 8192 Burgers points →
// 8192/k), Spectral resamples periodic data through its Fourier series
// (keep |k| < min(n, s)/2), and unreachable resolutions are errors. Batches
// are channel-first tensors [B, C, spatial...] — C = 1 for scalar fields and
// the number of recorded times for trajectories — read by hyperslab one
// sample at a time, straight into the tensor's storage when no conversion
// is needed, shuffled deterministically from (seed, epoch). Non-finite
// values are errors that name the file, dataset and sample.
//
// # Normalizers
//
// Gaussian (per channel, the default; resolution independent) and
// Pointwise (per grid point, as the FNO Darcy script) implement Normalizer:
// Encode (x − μ)/(σ + ε), Decode y(σ + ε) + μ from differentiable tensor
// operations, and State/LoadState as named tensors for checkpoints.
package data
