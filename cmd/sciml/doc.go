// Command sciml is the command-line front end of the sciml toolkit.
//
// Usage:
//
//	sciml version [--json]            the version and the native backends in use
//	sciml demo                        a short end-to-end check with figures to verify
//	sciml generate <pde> ...          solve a PDE on random inputs into an HDF5 dataset
//	sciml inspect file.h5             shapes, attributes and statistics of a dataset
//	sciml merge a.h5 b.h5 -o all.h5   merge dataset shards
//	sciml run <name|config.yaml>      generate data, train, evaluate, write a report
//	sciml train / sciml eval          train on your own data; evaluate across resolutions
//	sciml bench <name> [--json]       benchmarks (gemm, fft, fno, pinn, siren, ...)
//
// Run `sciml help <command>` for the flags of each command. Long commands
// show progress, and Ctrl-C stops them cleanly.
package main
