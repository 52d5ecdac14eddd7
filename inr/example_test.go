package inr_test

import (
	"context"
	"fmt"
	"math"

	"github.com/sciml-go/sciml/inr"
)

// Fit a SIREN to a 1-D signal, then evaluate it at four times the
// resolution.
func ExampleFit() {
	n := 64
	f := inr.Field{Shape: []int{n}, Channels: 1, Data: make([]float64, n)}
	for i := range n {
		x := -1 + 2*float64(i)/float64(n-1)
		f.Data[i] = math.Sin(4 * x)
	}
	m, err := inr.New(inr.Config{Model: "siren", InDim: 1, Hidden: 32, Layers: 2, Seed: 1})
	if err != nil {
		panic(err)
	}
	last, err := inr.Fit(context.Background(), m, f, inr.FitConfig{Steps: 300, LR: 1e-3, DataRange: 2}, nil)
	if err != nil {
		panic(err)
	}
	fine := inr.Render(m, 1, 4*n)
	fmt.Println("PSNR above 40 dB:", last.PSNR > 40)
	fmt.Println("fine grid:", fine.Shape, len(fine.Data))
	// Output:
	// PSNR above 40 dB: true
	// fine grid: [256] 256
}
