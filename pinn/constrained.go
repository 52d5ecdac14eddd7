package pinn

import (
	"fmt"
	"hash/maphash"
	"math"
	"slices"
	"sync"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// Constrained imposes conditions exactly by the affine output transform
// (Lagaris, Likas & Fotiadis 1998; Sukumar & Srivastava 2022)
//
//	u(x) = G(x) + M(x) ⊙ v(x),
//
// with v the wrapped network, G a function that satisfies the conditions
// and M one that vanishes where they are imposed: for u(x, 0) = g(x) take
// G = g(x), M = t; for u = 0 at x = 0, 1 as well, M = x(1 − x)t; for
// u(x, 0) = g and u_t(x, 0) = 0, M = t². G and M depend on the points
// only (not on trained parameters) and must be written with
// differentiable tensor operations.
//
// Unlike the general Transformed, input derivatives of a Constrained MLP
// (float64) stay on the fast Taylor path: those of G and M are taken by
// nested autodiff of these parameter-free functions, those of v by Taylor
// propagation, and they are combined by the product rule,
//
//	u_i  = G_i + M_i v + M v_i,
//	u_ij = G_ij + M_ij v + M_i v_j + M_j v_i + M v_ij.
//
// As G and M do not change during training, their values and partials on
// the Taylor path are computed once per set of points and kept (a few
// sets: the collocation points and each condition's), so that a costly G
// (the previous window's network of a time-marching run, see
// WindowConstrained) costs one evaluation per set, not one per step.
type Constrained struct {
	Net Net
	// Base is G: [N, In] → [N, Out] (nil: zero).
	Base func(x *tensor.Tensor) *tensor.Tensor
	// Scale is M: [N, In] → [N, Out] or [N, 1] (the same factor for every
	// output).
	Scale func(x *tensor.Tensor) *tensor.Tensor

	cache *auxCache
}

// auxCache keeps the detached values and partials of G and M at the last
// few point sets, keyed by a hash of the points and checked against a
// copy of them.
type auxCache struct {
	mu      sync.Mutex
	seed    maphash.Seed
	entries []*auxEntry // most recent last
}

type auxEntry struct {
	hash uint64
	x    []float64
	vals map[string]*tensor.Tensor // "g"/"m" + partial key (or "U") → heap tensor
}

// auxCacheSize is the number of point sets kept.
const auxCacheSize = 8

var auxInit sync.Mutex

// entry returns the cache entry of the points xs (a new one, evicting the
// oldest, when they are not cached).
func (c *Constrained) entry(xs []float64) *auxEntry {
	auxInit.Lock()
	if c.cache == nil {
		c.cache = &auxCache{seed: maphash.MakeSeed()}
	}
	ac := c.cache
	auxInit.Unlock()
	ac.mu.Lock()
	defer ac.mu.Unlock()
	var h maphash.Hash
	h.SetSeed(ac.seed)
	var b [8]byte
	for _, v := range xs {
		u := math.Float64bits(v)
		for i := range b {
			b[i] = byte(u >> (8 * i))
		}
		h.Write(b[:])
	}
	hv := h.Sum64()
	for i, e := range ac.entries {
		if e.hash == hv && slices.Equal(e.x, xs) {
			ac.entries = append(append(ac.entries[:i:i], ac.entries[i+1:]...), e)
			return e
		}
	}
	e := &auxEntry{hash: hv, x: slices.Clone(xs), vals: map[string]*tensor.Tensor{}}
	if len(ac.entries) == auxCacheSize {
		ac.entries = ac.entries[1:]
	}
	ac.entries = append(ac.entries, e)
	return e
}

// Dims returns the dimensions of the wrapped network.
func (c *Constrained) Dims() (int, int) { return c.Net.Dims() }

// Forward returns G(x) + M(x) ⊙ Net(x).
func (c *Constrained) Forward(x *tensor.Tensor) *tensor.Tensor {
	u := tensor.Mul(c.Scale(x), c.Net.Forward(x))
	if c.Base != nil {
		u = tensor.Add(c.Base(x), u)
	}
	return u
}

// Visit declares the wrapped network's parameters under "net".
func (c *Constrained) Visit(v *nn.Visitor) { v.Module("net", c.Net) }

// evalConstrained evaluates a Constrained network whose inner network
// takes the Taylor path: the partials of v from Taylor propagation, those
// of G and M by nested autodiff (detached: they hold no parameters), then
// the product rule for every partial in needs.
func evalConstrained(c *Constrained, x *tensor.Tensor, needs []Partial, mode Mode) *Fields {
	// v needs every partial of a need and its lower-order factors
	var inner []Partial
	add := func(p Partial) {
		for _, q := range inner {
			if q.key() == p.key() {
				return
			}
		}
		inner = append(inner, p)
	}
	for _, p := range needs {
		add(D(p.Out))
		for _, a := range p.Axes {
			add(D(p.Out, a))
		}
		add(p)
	}
	fv := Eval(c.Net, x, inner, mode)
	// G and M: cached per point set (heap tensors, detached: they hold no
	// parameters), computed by nested autodiff on a miss
	ent := c.entry(x.ToFloat64s())
	var xg *tensor.Tensor
	fields := map[string]*Fields{}
	aux := func(which string) *Fields {
		if f, ok := fields[which]; ok {
			return f
		}
		if xg == nil {
			xg = x.Detach().SetRequiresGrad(true)
		}
		fn := c.Scale
		if which == "g" {
			fn = c.Base
		}
		f := &Fields{X: x, U: fn(xg), nested: true, xg: xg, grads: map[string]*tensor.Tensor{}}
		fields[which] = f
		return f
	}
	mu := &c.cache.mu
	cached := func(key string, compute func() *tensor.Tensor) *tensor.Tensor {
		mu.Lock()
		v, ok := ent.vals[key]
		mu.Unlock()
		if ok {
			return v
		}
		v = compute()
		v = tensor.New(v.Detach().ToFloat64s(), v.Shape()...)
		mu.Lock()
		ent.vals[key] = v
		mu.Unlock()
		return v
	}
	mU := cached("mU", func() *tensor.Tensor { return aux("m").U })
	mcols := mU.Dim(1)
	// d returns a partial of G ("g") or M ("m") as a constant [N] tensor
	// (nil: zero)
	d := func(which string, k int, axes ...int) *tensor.Tensor {
		if which == "g" && c.Base == nil {
			return nil
		}
		if which == "m" && mcols == 1 {
			k = 0
		}
		return cached(which+D(k, axes...).key(), func() *tensor.Tensor { return aux(which).D(k, axes...) })
	}
	acc := func(sum, a, b *tensor.Tensor) *tensor.Tensor {
		if a == nil || b == nil {
			return sum
		}
		t := tensor.Mul(a, b)
		if sum == nil {
			return t
		}
		return tensor.Add(sum, t)
	}
	plus := func(sum, a *tensor.Tensor) *tensor.Tensor {
		switch {
		case a == nil:
			return sum
		case sum == nil:
			return a
		}
		return tensor.Add(sum, a)
	}
	computed := map[string]*tensor.Tensor{}
	_, out := c.Net.Dims()
	n := x.Dim(0)
	for _, p := range needs {
		k := p.Out
		v, m := fv.D(k), d("m", k)
		var u *tensor.Tensor
		switch len(p.Axes) {
		case 0:
			u = plus(acc(nil, m, v), d("g", k))
		case 1:
			a := p.Axes[0]
			u = acc(nil, m, fv.D(k, a))
			u = acc(u, d("m", k, a), v)
			u = plus(u, d("g", k, a))
		case 2:
			a, b := p.Axes[0], p.Axes[1]
			u = acc(nil, m, fv.D(k, a, b))
			u = acc(u, d("m", k, a), fv.D(k, b))
			u = acc(u, d("m", k, b), fv.D(k, a))
			u = acc(u, d("m", k, a, b), v)
			u = plus(u, d("g", k, a, b))
		default:
			panic(fmt.Sprintf("pinn.Eval: partial %v of order > 2 on the Taylor path", p))
		}
		if u == nil {
			u = tensor.Scale(v, 0)
		}
		computed[p.key()] = u
	}
	// U: every output (those not asked for from G + M ⊙ v)
	uo := tensor.Mul(mU, fv.U)
	if c.Base != nil {
		uo = tensor.Add(cached("gU", func() *tensor.Tensor { return aux("g").U }), uo)
	}
	if out == 1 {
		if v, ok := computed[D(0).key()]; ok {
			uo = tensor.Reshape(v, n, 1)
		}
	}
	return &Fields{X: x, U: uo, net: c, computed: computed}
}

// taylorCapable reports whether net takes the Taylor path for points of
// dtype dt and partials needs.
func taylorCapable(net Net, dt tensor.DType, needs []Partial) bool {
	for _, p := range needs {
		if len(p.Axes) > 2 {
			return false
		}
	}
	switch n := net.(type) {
	case *MLP:
		return n.Act.All != nil && dt == tensor.Float64 && n.Layers[0].Weight.DType() == tensor.Float64
	case *Constrained:
		return taylorCapable(n.Net, dt, needs)
	}
	return false
}
