package fft

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// checksum hashes the outputs of a fixed set of transforms, run in the
// given order; plans are created in that order in a fresh process.
func checksum(reverse bool) string {
	rng := rand.New(rand.NewPCG(21, 22))
	type job func() []byte
	var jobs []job
	for _, c := range []struct {
		dims    []int
		howmany int
	}{{[]int{1024}, 130}, {[]int{85}, 1000}, {[]int{421}, 1}, {[]int{12, 85}, 7}, {[]int{64, 64}, 20}, {[]int{6, 8, 10}, 9}} {
		n, nh := prod(c.dims), halfLen(c.dims)
		x := randReal(rng, c.howmany*n)
		z := randComplex(rng, c.howmany*n)
		dims, how := c.dims, c.howmany
		jobs = append(jobs,
			func() []byte {
				d := make([]complex64, how*nh)
				RFFT32(d, to32(x), dims, how)
				b := make([]float32, how*n)
				IRFFT32(b, d, dims, how)
				return append(bytesOf(d), bytesOf(b)...)
			},
			func() []byte {
				d := make([]complex128, how*nh)
				RFFT64(d, x, dims, how)
				b := make([]float64, how*n)
				IRFFT64(b, d, dims, how)
				return append(bytesOf(d), bytesOf(b)...)
			},
			func() []byte {
				d := to32c(z)
				FFT32(d, d, dims, how, false)
				e := make([]complex64, len(d))
				FFT32(e, d, dims, how, true)
				return append(bytesOf(d), bytesOf(e)...)
			},
			func() []byte {
				d := make([]complex128, len(z))
				FFT64(d, z, dims, how, true)
				return bytesOf(d)
			})
	}
	outs := make([][]byte, len(jobs))
	order := make([]int, len(jobs))
	for i := range order {
		order[i] = i
	}
	if reverse {
		slices.Reverse(order)
	}
	for _, i := range order {
		outs[i] = jobs[i]()
	}
	h := fnv.New64a()
	for _, o := range outs {
		h.Write(o)
	}
	return fmt.Sprintf("%016x", h.Sum64())
}

func bytesOf[T any](x []T) []byte {
	var z T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x))), len(x)*int(unsafe.Sizeof(z)))
}

// TestDeterminismAcrossProcesses runs the same transforms in fresh
// processes, creating the plans in different orders under different
// GOMAXPROCS, and checks that every output bit agrees.
func TestDeterminismAcrossProcesses(t *testing.T) {
	if order := os.Getenv("SCIML_FFT_TEST_CHILD"); order != "" {
		fmt.Printf("checksum=%s\n", checksum(order == "reverse"))
		return
	}
	if testing.Short() {
		t.Skip("spawns processes")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	want := checksum(false)
	for _, child := range []struct{ order, procs string }{{"forward", "1"}, {"reverse", "2"}, {"reverse", "3"}} {
		cmd := exec.Command(exe, "-test.run=^TestDeterminismAcrossProcesses$", "-test.count=1")
		cmd.Env = append(os.Environ(), "SCIML_FFT_TEST_CHILD="+child.order, "GOMAXPROCS="+child.procs)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child %v: %v\n%s", child, err, out)
		}
		_, rest, ok := strings.Cut(string(out), "checksum=")
		if !ok || len(rest) < 16 {
			t.Fatalf("child %v: no checksum in output:\n%s", child, out)
		}
		if got := rest[:16]; got != want {
			t.Errorf("child %v (plans in %s order, GOMAXPROCS=%s): checksum %s, this process %s",
				child, child.order, child.procs, got, want)
		}
	}
}
