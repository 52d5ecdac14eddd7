package main

import (
	"github.com/sciml-go/sciml/internal/fft"
	"github.com/sciml-go/sciml/internal/hdf5"
)

func fftBackend() string { return fft.Backend() }

func hdf5Backend() string { return "libhdf5 " + hdf5.LibVersion() }
