package tensor

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// grain is the number of elements per chunk of an elementwise kernel. Chunk
// boundaries depend only on the problem size, so results — including those
// of reductions, which combine per-chunk partial results in chunk order —
// are bitwise identical for any number of threads.
const grain = 1 << 14

var maxThreads atomic.Int64

// SetThreads sets how many goroutines kernels use (n <= 0: GOMAXPROCS).
// Results do not depend on it.
func SetThreads(n int) { maxThreads.Store(int64(max(n, 0))) }

// Threads returns how many goroutines kernels use.
func Threads() int {
	if n := maxThreads.Load(); n > 0 {
		return int(n)
	}
	return runtime.GOMAXPROCS(0)
}

// chunks returns how many chunks of size at most g cover n.
func chunks(n, g int) int {
	if n <= 0 {
		return 0
	}
	return (n + g - 1) / g
}

// parallelFor runs f(i) for i in [0, count) on up to Threads() goroutines.
func parallelFor(count int, f func(i int)) {
	w := min(Threads(), count)
	if w <= 1 {
		for i := range count {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(w - 1)
	work := func() {
		for {
			i := int(next.Add(1)) - 1
			if i >= count {
				return
			}
			f(i)
		}
	}
	for range w - 1 {
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}

// parallelRange splits [0, n) into chunks of g elements and runs f on each
// chunk, in parallel when there is more than one.
func parallelRange(n, g int, f func(lo, hi int)) {
	c := chunks(n, g)
	if c <= 1 {
		if n > 0 {
			f(0, n)
		}
		return
	}
	parallelFor(c, func(i int) {
		lo := i * g
		f(lo, min(n, lo+g))
	})
}

// ParallelRange runs f on the chunks of [0, n) that elementwise kernels
// use (boundaries that depend only on n), in parallel when there is more
// than one: for custom kernels outside the package that must stay bitwise
// deterministic for any number of threads.
func ParallelRange(n int, f func(lo, hi int)) { parallelRange(n, grain, f) }

// ParallelFor runs f(i) for i in [0, count) on up to Threads() goroutines,
// for kernels outside the package whose units (rows, chunks) are
// independent, so that the result does not depend on the split.
func ParallelFor(count int, f func(i int)) { parallelFor(count, f) }
