package pinn

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// Piecewise is the network of a time-marching run: Nets[k] on the slab
// Breaks[k] ≤ x_Axis < Breaks[k+1] (the last slab closed; points outside
// [Breaks[0], Breaks[K]] go to the nearest slab).
type Piecewise struct {
	Axis   int
	Breaks []float64
	Nets   []Net
}

// Dims returns the dimensions of the first window's network.
func (p *Piecewise) Dims() (int, int) { return p.Nets[0].Dims() }

// window returns the slab of a coordinate.
func (p *Piecewise) window(t float64) int {
	k := sort.SearchFloat64s(p.Breaks[1:len(p.Nets)], t)
	if k < len(p.Nets)-1 && t == p.Breaks[k+1] {
		k++ // t on an inner break belongs to the later slab
	}
	return min(k, len(p.Nets)-1)
}

// Forward evaluates each point with the network of its slab.
func (p *Piecewise) Forward(x *tensor.Tensor) *tensor.Tensor {
	n, d := x.Dim(0), x.Dim(1)
	xs := x.ToFloat64s()
	rows := make([][]int, len(p.Nets))
	for i := range n {
		k := p.window(xs[i*d+p.Axis])
		rows[k] = append(rows[k], i)
	}
	var parts []*tensor.Tensor
	perm := make([]int, n) // row i of the result is row perm[i] of the concatenation
	at := 0
	for k, r := range rows {
		if len(r) == 0 {
			continue
		}
		parts = append(parts, p.Nets[k].Forward(tensor.IndexSelect(x, 0, r)))
		for j, i := range r {
			perm[i] = at + j
		}
		at += len(r)
	}
	return tensor.IndexSelect(tensor.Concat(0, parts...), 0, perm)
}

// Visit declares the windows' networks ("windows.0.…", …).
func (p *Piecewise) Visit(v *nn.Visitor) { nn.VisitList(v, "windows", p.Nets) }

// Marcher trains a time-dependent problem by time-marching
// ("sequence-to-sequence" training, Krishnapriyan et al. 2021; Wight &
// Zhao 2020; Mattey & Ghosh 2022): the time interval [T0, T1] of the
// Box domain is split into Windows equal slabs, and a network is trained
// on each in turn, with Config's Adam steps and L-BFGS iterations, its
// initial conditions taken from the network of the previous slab. A
// condition is initial when all its points lie on t = T0: on slab k > 0
// its points move to t = t_k and its target becomes what the previous
// network gives for the same quantity (αu + β∂u/∂n) there. Other
// conditions with a target keep the points inside the slab; those
// without (homogeneous, periodic) have their points' times mapped
// affinely onto the slab, so each slab keeps them all: data points
// (inverse problems) are thus split between the slabs. Trainable PDE
// coefficients (Problem.Params) are the same tensors in every slab, so
// each slab's optimizer starts from the value the previous slab reached.
// Conditions imposed exactly by an output transform go in NewNet instead:
// WindowConstrained turns the first slab's Constrained network into the
// slab's, whose initial values are the previous network's.
type Marcher struct {
	Problem *Problem
	// Axis is the time axis; Windows the number of slabs.
	Axis    int
	Windows int
	// NewNet returns the network of slab k on [lo, hi]; prev is the
	// trained network of slab k − 1 (nil for k = 0), whose weights it may
	// copy (a warm start).
	NewNet func(k int, lo, hi float64, prev Net) Net
	// Config is each slab's training (Collocation points per slab; the
	// sampler seed is Config.Seed + k).
	Config Config
	// Logger receives each slab's progress (the attribute "window" added);
	// Metric, when set, is each slab trainer's Metric.
	Logger *slog.Logger
	Metric func(net Net) float64
	// Done, when set, is called after each slab with its trainer.
	Done func(k int, t *Trainer)
	// Trained holds the networks of slabs already trained (a resumed
	// run): Run starts at slab len(Trained), with the last of them as the
	// previous slab's network. As every slab's training depends only on
	// the previous network and the slab's seed, a resumed march gives the
	// same networks as an uninterrupted one.
	Trained []Net
}

// SlabBreaks returns the Windows + 1 slab boundaries of [t0, t1] that a
// Marcher uses: t0 + (t1 − t0)·k/windows, the last exactly t1.
func SlabBreaks(t0, t1 float64, windows int) []float64 {
	b := make([]float64, windows+1)
	for k := range b {
		b[k] = t0 + (t1-t0)*float64(k)/float64(windows)
	}
	b[windows] = t1
	return b
}

// Run trains the slabs in order and returns the piecewise network.
func (m *Marcher) Run(ctx context.Context) (*Piecewise, error) {
	box, ok := m.Problem.Domain.(Box)
	if !ok {
		return nil, fmt.Errorf("pinn: time-marching needs a Box domain, got %T", m.Problem.Domain)
	}
	if m.Windows < 1 || m.Axis < 0 || m.Axis >= box.Dim() {
		return nil, fmt.Errorf("pinn: time-marching over %d windows along axis %d of a %d-D box", m.Windows, m.Axis, box.Dim())
	}
	if len(m.Trained) > m.Windows {
		return nil, fmt.Errorf("pinn: time-marching over %d windows with %d trained already", m.Windows, len(m.Trained))
	}
	pw := &Piecewise{Axis: m.Axis, Breaks: SlabBreaks(box.Lo[m.Axis], box.Hi[m.Axis], m.Windows), Nets: slices.Clone(m.Trained)}
	var prev Net
	if n := len(m.Trained); n > 0 {
		prev = m.Trained[n-1]
	}
	for k := len(m.Trained); k < m.Windows; k++ {
		lo, hi := pw.Breaks[k], pw.Breaks[k+1]
		wp := WindowProblem(m.Problem, m.Axis, lo, hi, prev, m.Config.Mode)
		net := m.NewNet(k, lo, hi, prev)
		cfg := m.Config
		cfg.Seed += uint64(k)
		cfg.Checkpoint = ""
		tr := NewTrainer(wp, net, cfg)
		lg := m.Logger
		if lg == nil {
			lg = slog.Default()
		}
		tr.Logger = lg.With("window", k)
		tr.Metric = m.Metric
		if err := tr.Run(ctx); err != nil {
			return nil, fmt.Errorf("pinn: window %d: %w", k, err)
		}
		if m.Done != nil {
			m.Done(k, tr)
		}
		pw.Nets = append(pw.Nets, net)
		prev = net
	}
	return pw, nil
}

// WindowProblem returns the problem p restricted to the slab
// lo ≤ x_axis ≤ hi of its Box domain (see Marcher): initial conditions
// (all points on the box's lower time face) are kept when prev is nil and
// otherwise moved to t = lo with the targets prev gives; other
// conditions keep their points in the slab (with a target) or have them
// mapped onto it (without).
func WindowProblem(p *Problem, axis int, lo, hi float64, prev Net, mode Mode) *Problem {
	box := p.Domain.(Box)
	wb := Box{Lo: append([]float64(nil), box.Lo...), Hi: append([]float64(nil), box.Hi...)}
	wb.Lo[axis], wb.Hi[axis] = lo, hi
	t0, t1 := box.Lo[axis], box.Hi[axis]
	out := &Problem{Domain: wb, Residual: p.Residual, Needs: p.Needs, Params: p.Params}
	for _, c := range p.Conditions {
		n, d := c.X.Dim(0), c.X.Dim(1)
		xs := c.X.ToFloat64s()
		initial := c.Partner == nil
		for i := range n {
			if xs[i*d+axis] != t0 {
				initial = false
			}
		}
		nc := *c
		switch {
		case initial && prev == nil:
		case initial:
			moved := append([]float64(nil), xs...)
			for i := range n {
				moved[i*d+axis] = lo
			}
			nc.X = tensor.New(moved, n, d)
			v := c.values(prev, castTo(nc.X, paramDType(prev)), mode)[0]
			nc.Target = tensor.New(v.Detach().ToFloat64s(), n)
		case c.Target == nil:
			mapT := func(x *tensor.Tensor) *tensor.Tensor {
				m := x.ToFloat64s()
				for i := range n {
					m[i*d+axis] = lo + (m[i*d+axis]-t0)*(hi-lo)/(t1-t0)
				}
				return tensor.New(m, n, d)
			}
			nc.X = mapT(c.X)
			if c.Partner != nil {
				nc.Partner = mapT(c.Partner)
			}
		default:
			var rows []int
			for i := range n {
				if t := xs[i*d+axis]; t >= lo && t <= hi {
					rows = append(rows, i)
				}
			}
			if len(rows) == 0 {
				continue
			}
			nc.X = tensor.IndexSelect(c.X, 0, rows)
			nc.Target = tensor.IndexSelect(c.Target, 0, rows)
			if c.Partner != nil {
				nc.Partner = tensor.IndexSelect(c.Partner, 0, rows)
			}
			if c.Normal != nil {
				nc.Normal = tensor.IndexSelect(c.Normal, 0, rows)
			}
		}
		out.Conditions = append(out.Conditions, &nc)
	}
	return out
}

// WindowConstrained returns the hard-constrained network of the time slab
// starting at lo in a time-marching run whose first slab (starting at the
// box's t0) uses c = G + M ⊙ v (Constrained) to impose the initial
// conditions exactly: the same network v, M shifted in time to the slab
// and stretched by the factor stretch (0 means 1),
//
//	M_k(x) = M(x with x_axis ↦ t0 + (x_axis − lo)·stretch),
//
// and G replaced by the previous slab's network u_{k−1} expanded at the
// slab's start to the order of the initial conditions imposed (1: u; 2: u
// and u_t),
//
//	order 1:  G_k(x) = u_{k−1}(x|x_axis = lo)
//	order 2:  G_k(x) = u_{k−1}(x|lo) + (x_axis − lo)·∂u_{k−1}/∂x_axis(x|lo),
//
// so that u_k(·, lo) = u_{k−1}(·, lo) (and u_t too for order 2) exactly.
// M must vanish on t = t0 to that order and depend on time only through
// t − t0 (as t·S(x) and t²·S(x) do); boundary conditions that G and M of c
// meet (M = 0 on the boundary) hold in every slab, since G_k inherits them
// from the previous slab. A stretch of (t1 − t0)/(slab length) gives M
// over each slab the range it has over the whole interval [t0, t1]: with
// M = S(x)·t² and slabs of 0.2, M stays below 0.04·max S unstretched, and
// the network must output values 25 times larger to correct G. With prev
// nil it returns c (its M stretched, when stretch ≠ 1). The previous
// slab's network is evaluated at every G_k evaluation (its G at the one
// before, and so on); on the Taylor path Constrained keeps G_k per point
// set, so that is paid once per set of collocation or condition points.
func WindowConstrained(c *Constrained, axis int, t0, lo, stretch float64, order int, prev Net) *Constrained {
	if stretch == 0 {
		stretch = 1
	}
	if prev == nil && stretch == 1 {
		return c
	}
	if order < 1 || order > 2 {
		panic(fmt.Sprintf("pinn.WindowConstrained: order %d, want 1 or 2", order))
	}
	// row returns the [1, In] constant with v at axis and rest elsewhere
	row := func(x *tensor.Tensor, v, rest float64) *tensor.Tensor {
		r := make([]float64, x.Dim(1))
		for i := range r {
			r[i] = rest
		}
		r[axis] = v
		return tensor.FromFloat64s(x.DType(), r, 1, len(r))
	}
	base := func(x *tensor.Tensor) *tensor.Tensor {
		xs := tensor.Add(tensor.Mul(x, row(x, 0, 1)), row(x, lo, 0)) // time set to lo
		if order == 2 && !xs.RequiresGrad() {
			xs = xs.Detach().SetRequiresGrad(true)
		}
		u := prev.Forward(xs)
		if order == 1 {
			return u
		}
		_, out := prev.Dims()
		dt := tensor.AddScalar(tensor.Narrow(x, 1, axis, 1), -lo)
		cols := make([]*tensor.Tensor, out)
		for k := range out {
			uk := tensor.Narrow(u, 1, k, 1)
			g := tensor.Grad([]*tensor.Tensor{uk}, []*tensor.Tensor{xs}, nil, true)[0]
			cols[k] = tensor.Add(uk, tensor.Mul(dt, tensor.Narrow(g, 1, axis, 1)))
		}
		if out == 1 {
			return cols[0]
		}
		return tensor.Concat(1, cols...)
	}
	scale := func(x *tensor.Tensor) *tensor.Tensor { // x_axis ↦ t0 + (x_axis − lo)·stretch
		return c.Scale(tensor.Add(tensor.Mul(x, row(x, stretch, 1)), row(x, t0-lo*stretch, 0)))
	}
	if prev == nil {
		return &Constrained{Net: c.Net, Base: c.Base, Scale: scale}
	}
	return &Constrained{Net: c.Net, Base: base, Scale: scale}
}
