package main

import (
	"fmt"
	"math"

	"github.com/sciml-go/sciml/internal/fft"
)

func init() {
	registerBench("fft", "batched float32 real FFT, 1280 signals of 1024 (--set n=,batch=)", func(o benchOptions) ([]benchResult, error) {
		n, batch := 1024, 1280
		for key, p := range map[string]*int{"n": &n, "batch": &batch} {
			if v, ok := o.args[key]; ok {
				if _, err := fmt.Sscan(v, p); err != nil || *p <= 0 {
					return nil, fmt.Errorf("--set %s=%s: want a positive integer", key, v)
				}
			}
		}
		x := make([]float32, batch*n)
		for i := range x {
			x[i] = float32(math.Sin(float64(i) * 0.37))
		}
		z := make([]complex64, batch*(n/2+1))
		y := make([]float32, batch*n)
		dims := []int{n}
		cfg := fmt.Sprintf("%dx%d", batch, n)
		// 2.5·n·log2(n) flops per real transform.
		flops := 2.5 * float64(n) * math.Log2(float64(n)) * float64(batch)
		med, mn, _ := timeSteps(o.runs, func() { fft.RFFT32(z, x, dims, batch) })
		res := []benchResult{{Name: "rfft", Config: cfg, DType: "float32", Threads: o.threads, StepMsMedian: med, StepMsMin: mn, GFLOPS: flops / mn / 1e6}}
		med, mn, _ = timeSteps(o.runs, func() { fft.IRFFT32(y, z, dims, batch) })
		res = append(res, benchResult{Name: "irfft", Config: cfg, DType: "float32", Threads: o.threads, StepMsMedian: med, StepMsMin: mn, GFLOPS: flops / mn / 1e6})
		return res, nil
	})
}
