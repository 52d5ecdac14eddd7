package hdf5

/*
#cgo pkg-config: hdf5
#include "h5.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

// The worker is the single goroutine, locked to its OS thread, that makes
// every libhdf5 call. Callers hand it closures through do and wait until
// the closure has run; mu makes the hand-off one caller at a time, so one
// pair of channels (and no per-call allocation beyond the closure)
// suffices.
//
// Waking a goroutine parked on another (locked) OS thread costs a futex
// round trip, tens of microseconds on a busy machine, which would dominate
// small reads. So both sides spin briefly on buffered channels before they
// park: the worker for a while after each call (the next call of a reading
// loop usually arrives within microseconds), the caller while the call
// runs, yielding to other goroutines as it spins.
var (
	startOnce sync.Once
	mu        sync.Mutex
	requests  = make(chan func(), 1)
	results   = make(chan any, 1)
	initErr   error
)

const (
	workerSpin = 50 * time.Microsecond  // worker: wait for the next call
	callerSpin = 200 * time.Microsecond // caller: wait for the result
)

// do runs fn on the worker thread and waits for it. A panic inside fn is
// re-raised on the calling goroutine. fn must not call do (it would
// deadlock): closures call only C functions and unexported helpers that
// assume they already run on the worker.
func do(fn func()) {
	startOnce.Do(startWorker)
	mu.Lock()
	requests <- fn
	p := receive(results, callerSpin, true)
	mu.Unlock()
	if p != nil {
		panic(p)
	}
}

// receive takes a value from c, polling it for up to spin before parking.
// yield lets other goroutines run between polls; the worker must not
// yield, since rescheduling a locked goroutine is itself a thread hand-off.
func receive[T any](c chan T, spin time.Duration, yield bool) T {
	start := time.Now()
	for i := 0; ; i++ {
		select {
		case v := <-c:
			return v
		default:
		}
		if i&15 == 15 && time.Since(start) > spin {
			return <-c
		}
		if yield {
			runtime.Gosched()
		}
	}
}

func startWorker() {
	ready := make(chan struct{})
	go func() {
		runtime.LockOSThread() // never unlocked: the thread belongs to libhdf5
		// Error state (and the automatic printing switch) is per thread in
		// thread-safe builds, so this must happen on the worker.
		if C.sciml_init() < 0 {
			initErr = hdf5Error("H5open")
		}
		close(ready)
		for {
			results <- run(receive(requests, workerSpin, false))
		}
	}()
	<-ready
}

func run(fn func()) (p any) {
	defer func() { p = recover() }()
	fn()
	return nil
}

// LibVersion returns the version of the libhdf5 library in use, such as
// "1.10.8".
func LibVersion() string {
	var maj, min, rel C.uint
	do(func() { C.H5get_libversion(&maj, &min, &rel) })
	return fmt.Sprintf("%d.%d.%d", maj, min, rel)
}

// openIDs reports how many libhdf5 identifiers (files, groups, datasets,
// datatypes, attributes) are open in the process. Used by tests.
func openIDs() int {
	var n C.ssize_t
	do(func() { n = C.sciml_open_ids() })
	return int(n)
}
