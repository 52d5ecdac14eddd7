package pde

import "math/rand/v2"

// SampleSeed derives the seed of sample index from a dataset seed. It is a
// SplitMix64 finaliser applied to (seed, index), so neighbouring indices give
// statistically unrelated streams. Dataset generators must draw every random
// number of sample i from NewRand(seed, i) (never from a stream shared
// between samples): the samples are then bitwise identical whatever the
// number of workers, the order in which samples are processed, or how the
// dataset is split into shards or resumed.
func SampleSeed(seed uint64, index int) uint64 {
	z := seed ^ (uint64(index)+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// NewRand returns the random source of sample index of a dataset with the
// given seed: a PCG generator seeded with (SampleSeed(seed, index), seed).
func NewRand(seed uint64, index int) *rand.Rand {
	return rand.New(rand.NewPCG(SampleSeed(seed, index), seed))
}
