package tensor

import (
	"fmt"
	"math/bits"
	"sync"
)

// An Arena recycles the storage of the tensors a training step creates, so
// that steady-state steps allocate no large buffers and the garbage
// collector has nothing to do. Results of an operation are allocated from
// the arena of its first input that has one; tensors enter an arena with
// In:
//
//	ar := tensor.NewArena()
//	for step := range steps {
//		x := batch.In(ar)            // everything computed from x lives in ar
//		loss := model.Loss(x, y)
//		loss.Backward()              // parameter gradients are heap tensors
//		opt.Step()
//		ar.Reset()                   // all of the step's tensors are recycled
//	}
//
// After Reset, tensors allocated from the arena must not be used (copy what
// must outlive the step, e.g. with Clone or Item). An arena can also turn
// gradient recording off for what is computed in it (SetGrad), which makes
// an inference pass record nothing.
//
// Storage of a size that no step has asked for in the last arenaIdle
// Resets is released (left to the garbage collector), so that an arena whose
// steps change shape — subsampled graphs, adaptive collocation sets, a
// shorter last batch — holds what its recent steps use, not every size it
// has ever seen. Steps that repeat with a period of up to arenaIdle Resets
// keep all their storage. Sizes are rounded up to classes 1/16 of a power
// of two apart (at most 12.5 % more storage), so that steps whose sizes
// vary a little — a radius graph's edge count over random node draws —
// reuse the same buffers instead of allocating (and zeroing) new ones; a
// request whose class has no free buffer takes one up to arenaSpill
// classes larger (a step a little smaller than the one before).
//
// An Arena is safe for use by several goroutines, but Reset must not run
// while another goroutine still computes in it.
type Arena struct {
	mu     sync.Mutex
	free   map[arenaKey][]any
	used   []arenaBuf
	noGrad bool
	bytes  int64 // bytes held, used or free
	gen    uint64
	last   map[arenaKey]uint64 // the generation (Reset count) a size was last asked for
}

// arenaIdle is the number of Resets after which storage of a size nobody
// asked for is released.
const arenaIdle = 2

type arenaKey struct {
	d DType
	n int
}

type arenaBuf struct {
	k arenaKey
	b any
}

// NewArena returns an empty arena that records gradients.
func NewArena() *Arena {
	return &Arena{free: map[arenaKey][]any{}, last: map[arenaKey]uint64{}}
}

// SetGrad turns gradient recording on or off for operations whose inputs
// live in the arena (off: an inference mode that records nothing).
func (a *Arena) SetGrad(on bool) { a.noGrad = !on }

// Reset makes every buffer handed out since the last Reset available again,
// and releases the storage of sizes not asked for in the last arenaIdle
// Resets.
func (a *Arena) Reset() {
	a.mu.Lock()
	for _, u := range a.used {
		a.free[u.k] = append(a.free[u.k], u.b)
	}
	clear(a.used)
	a.used = a.used[:0]
	for k, l := range a.free {
		if a.gen-a.last[k] >= arenaIdle {
			a.bytes -= int64(len(l) * k.n * k.d.Size())
			delete(a.free, k)
			delete(a.last, k)
		}
	}
	a.gen++
	a.mu.Unlock()
}

// Bytes returns the number of bytes of storage the arena holds.
func (a *Arena) Bytes() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.bytes
}

// arenaClass is the size class of n elements: n rounded up to keep its
// four leading bits (n itself up to 16).
func arenaClass(n int) int {
	s := bits.Len(uint(n)) - 4
	if s <= 0 {
		return n
	}
	g := 1 << s
	return (n + g - 1) &^ (g - 1)
}

// arenaSpill is the number of larger size classes a request may take a
// free buffer from when its own class has none (the sizes of the step
// before were a little larger).
const arenaSpill = 2

// get returns storage for n elements of d (a slice of length n of a buffer
// of n's size class, or of one of the arenaSpill classes above it when
// that is what is free); zeroed when zero is set.
func (a *Arena) get(d DType, n int, zero bool) any {
	k := arenaKey{d, arenaClass(n)}
	a.mu.Lock()
	for c, i := k.n, 0; i <= arenaSpill; c, i = arenaClass(c+1), i+1 {
		kc := arenaKey{d, c}
		l := a.free[kc]
		if len(l) == 0 {
			continue
		}
		a.last[kc] = a.gen
		b := l[len(l)-1]
		l[len(l)-1] = nil
		a.free[kc] = l[:len(l)-1]
		a.used = append(a.used, arenaBuf{kc, b})
		a.mu.Unlock()
		b = sliceData(b, n)
		if zero {
			clearData(b)
		}
		return b
	}
	a.last[k] = a.gen
	var b any
	a.bytes += int64(k.n * d.Size())
	a.mu.Unlock()
	b = makeData(d, k.n)
	a.mu.Lock()
	a.used = append(a.used, arenaBuf{k, b})
	a.mu.Unlock()
	return sliceData(b, n)
}

// sliceData returns the first n elements of the storage b.
func sliceData(b any, n int) any {
	switch x := b.(type) {
	case []float32:
		return x[:n:n]
	case []float64:
		return x[:n:n]
	case []complex64:
		return x[:n:n]
	case []complex128:
		return x[:n:n]
	}
	panic(fmt.Sprintf("tensor: bad storage %T", b))
}

func clearData(b any) {
	switch x := b.(type) {
	case []float32:
		clear(x)
	case []float64:
		clear(x)
	case []complex64:
		clear(x)
	case []complex128:
		clear(x)
	default:
		panic(fmt.Sprintf("tensor: bad storage %T", b))
	}
}

// arenaOf returns the arena of the first input that has one.
func arenaOf(ts ...*Tensor) *Arena {
	for _, t := range ts {
		if t != nil && t.arena != nil {
			return t.arena
		}
	}
	return nil
}

// alloc returns a new tensor of the given dtype and shape whose storage
// comes from ar (or the heap when ar is nil). The storage is zeroed only
// when zero is set; kernels that overwrite every element pass false.
func alloc(ar *Arena, d DType, shape []int, zero bool) *Tensor {
	n := numel(shape)
	t := &Tensor{shape: shape, dtype: d, arena: ar}
	if ar == nil {
		t.data = makeData(d, n)
	} else {
		t.data = ar.get(d, n, zero)
	}
	return t
}

// empty is alloc with a copied shape and no zeroing.
func empty(ar *Arena, d DType, shape ...int) *Tensor {
	return alloc(ar, d, append([]int(nil), shape...), false)
}

// zeros is alloc with a copied shape and zeroing.
func zeros(ar *Arena, d DType, shape ...int) *Tensor {
	return alloc(ar, d, append([]int(nil), shape...), true)
}
