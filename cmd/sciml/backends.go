package main

import (
	"github.com/sciml-go/sciml/internal/fft"
	"github.com/sciml-go/sciml/internal/hdf5"
	"github.com/sciml-go/sciml/internal/sgemm"
)

func fftBackend() string { return fft.Backend() }

func hdf5Backend() string { return "libhdf5 " + hdf5.LibVersion() }

// sgemmBackend names the instruction set of sciml's own float32 GEMM and
// convolution tiles (the same bits on either).
func sgemmBackend() string {
	if !sgemm.Available() {
		return "none (OpenBLAS for every float32 product)"
	}
	return sgemm.Level() + " tiles (MLP layers, direct convolutions)"
}
