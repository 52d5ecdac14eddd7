package data_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sciml-go/sciml/data"
)

// Generate a small Darcy dataset, then read it at a coarser resolution in
// shuffled batches with a fitted normalizer.
func Example() {
	dir, _ := os.MkdirTemp("", "sciml-data")
	defer os.RemoveAll(dir)

	spec, _ := data.DefaultSpec(data.Darcy)
	spec.N = 6
	spec.Darcy.SolveResolution = 41 // the FNO data use 421
	spec.Resolution = 41
	path := filepath.Join(dir, "darcy-"+spec.CacheKey()+".h5")
	if err := data.Generate(context.Background(), spec, path, data.Options{}); err != nil {
		panic(err)
	}

	d, err := data.Open(path)
	if err != nil {
		panic(err)
	}
	defer d.Close()
	train, err := d.Loader(data.LoaderConfig{
		End: 4, Resolution: 11, Method: data.Stride, // every 4th node: (41−1)/4 + 1 = 11
		BatchSize: 2, Shuffle: true, Seed: 1,
	})
	if err != nil {
		panic(err)
	}
	norm, err := data.FitGaussian(train.Field(data.Input), true)
	if err != nil {
		panic(err)
	}
	for b, err := range train.Batches(0) {
		if err != nil {
			panic(err)
		}
		x := norm.Encode(b.Input)
		fmt.Println(x.Shape(), b.Output.Shape(), x.DType())
	}
	// Output:
	// [2 1 11 11] [2 1 11 11] float32
	// [2 1 11 11] [2 1 11 11] float32
}

// Shards generated separately merge into the dataset of a single run.
func ExampleMerge() {
	dir, _ := os.MkdirTemp("", "sciml-data")
	defer os.RemoveAll(dir)
	spec, _ := data.DefaultSpec(data.Burgers)
	spec.N, spec.Resolution, spec.Burgers.SolveResolution = 5, 64, 64
	var shards []string
	for i := 0; i < 2; i++ {
		p := filepath.Join(dir, fmt.Sprintf("shard-%d.h5", i))
		err := data.Generate(context.Background(), spec, p, data.Options{Shard: data.Shard{Index: i, Count: 2}})
		if err != nil {
			panic(err)
		}
		shards = append(shards, p)
	}
	all := filepath.Join(dir, "all.h5")
	if err := data.Merge(context.Background(), shards, all, data.MergeOptions{}); err != nil {
		panic(err)
	}
	fmt.Println(data.UpToDate(spec, all, data.Shard{}))
	// Output: true
}
