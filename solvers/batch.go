package solvers

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// Progress is called after each finished sample with the number of samples
// finished so far (1, 2, …, n, in increasing order, never concurrently).
// It may be nil.
type Progress func(done int)

// workerCount returns the number of worker goroutines for n samples.
func workerCount(workers, n int) int {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > n {
		workers = n
	}
	if workers < 1 {
		workers = 1
	}
	return workers
}

// runBatch calls do(ctx, state, i) for every i in [0, n) on the given number
// of worker goroutines, each owning one state made by newState. Samples are
// handed out in index order; the result of a sample must depend on i only,
// so the output does not depend on the number of workers. The first error
// (or the context's error) stops the batch and is returned.
func runBatch[S any](ctx context.Context, n, workers int, newState func() S, do func(ctx context.Context, s S, i int) error, progress Progress) error {
	if n == 0 {
		return ctx.Err()
	}
	workers = workerCount(workers, n)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		mu       sync.Mutex
		done     int
		firstErr error
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		cancel()
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newState()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := ctx.Err(); err != nil {
					fail(err)
					return
				}
				if err := do(ctx, s, i); err != nil {
					fail(err)
					return
				}
				mu.Lock()
				done++
				if progress != nil {
					progress(done)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return nil
}
