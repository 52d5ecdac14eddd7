package tensor

import (
	"fmt"
)

// backwardFn computes the gradients of an operation's inputs from the
// gradient g of its output. in and out are the operation's inputs and
// output; needs[i] reports whether the gradient of in[i] is wanted (a rule
// may return nil for the others). Rules are written with the package's own
// differentiable operations on in, out and g only — never on tensors
// captured from the forward pass — so that the same rule yields a
// differentiable gradient when a graph of the backward pass is requested
// (createGraph), and a plain computation otherwise (the engine then passes
// detached inputs).
type backwardFn func(g *Tensor, in []*Tensor, out *Tensor, needs []bool) []*Tensor

type node struct {
	op       string
	inputs   []*Tensor
	backward backwardFn
}

// recording reports whether an operation on ins must be recorded.
func recording(ins ...*Tensor) bool {
	any := false
	for _, t := range ins {
		if t == nil {
			continue
		}
		if t.arena != nil && t.arena.noGrad {
			return false
		}
		if t.requiresGrad {
			any = true
		}
	}
	return any
}

// record makes out the result of operation op on ins, differentiable by
// bwd, when any input requires a gradient. It returns out.
func record(out *Tensor, op string, bwd backwardFn, ins ...*Tensor) *Tensor {
	if bwd == nil || !recording(ins...) {
		return out
	}
	out.requiresGrad = true
	out.node = &node{op: op, inputs: ins, backward: bwd}
	return out
}

// RequiresGrad reports whether gradients flow to or through t.
func (t *Tensor) RequiresGrad() bool { return t.requiresGrad }

// SetRequiresGrad marks a leaf tensor (a parameter, or an input whose
// derivatives are wanted) as requiring gradients, and returns it.
func (t *Tensor) SetRequiresGrad(on bool) *Tensor {
	if t.node != nil && !on {
		panic("tensor.SetRequiresGrad: cannot turn off gradients of a non-leaf; use Detach")
	}
	t.requiresGrad = on
	return t
}

// IsLeaf reports whether t was not produced by a recorded operation.
func (t *Tensor) IsLeaf() bool { return t.node == nil }

// Op returns the name of the operation that produced t ("" for leaves).
func (t *Tensor) Op() string {
	if t.node == nil {
		return ""
	}
	return t.node.op
}

// Grad returns the gradient accumulated in a leaf by Backward (nil before).
func (t *Tensor) Grad() *Tensor { return t.grad }

// SetGrad replaces the accumulated gradient of a leaf (nil clears it).
func (t *Tensor) SetGrad(g *Tensor) { t.grad = g }

// ZeroGrad sets the accumulated gradient to zero in place, keeping its
// storage for the next step.
func (t *Tensor) ZeroGrad() {
	if t.grad != nil {
		t.grad.Fill(0)
	}
}

// Backward computes the gradient of the scalar t with respect to every leaf
// that requires gradients and adds it to that leaf's Grad (allocated on the
// heap at the first call, updated in place afterwards).
func (t *Tensor) Backward() {
	if t.Numel() != 1 {
		panic(fmt.Sprintf("tensor.Backward: output has shape %v; call BackwardWith with a gradient", t.shape))
	}
	t.BackwardWith(nil)
}

// BackwardWith is Backward for a non-scalar t, seeded with the gradient g
// of some scalar with respect to t (nil means ones).
func (t *Tensor) BackwardWith(g *Tensor) {
	if !t.requiresGrad {
		panic("tensor.Backward: the output does not require gradients (no input or parameter does)")
	}
	var seeds []*Tensor
	if g != nil {
		seeds = []*Tensor{g}
	}
	run([]*Tensor{t}, seeds, nil, false, true)
}

// Grad returns the gradients of the outputs with respect to inputs, where
// the outputs are seeded with gradOutputs (nil: ones for each output). The
// result has one entry per input; an input the outputs do not depend on
// gets a zero tensor. With createGraph the returned gradients are
// themselves differentiable (recorded), which is how higher derivatives are
// taken: for a network u(x), ux := Grad(u, x, ones, true) and
// uxx := Grad(ux, x, ones, true) are ∂u/∂x and ∂²u/∂x². Leaf Grad fields
// are not touched.
func Grad(outputs, inputs, gradOutputs []*Tensor, createGraph bool) []*Tensor {
	return run(outputs, gradOutputs, inputs, createGraph, false)
}

// Grad1 is Grad for one output and one input, seeded with ones.
func Grad1(output, input *Tensor, createGraph bool) *Tensor {
	return Grad([]*Tensor{output}, []*Tensor{input}, nil, createGraph)[0]
}

// run is the reverse-mode engine. It visits the graph behind outputs in
// reverse topological order, skipping every node that leads to no target
// (the inputs, or in accumulate mode every leaf that requires gradients).
func run(outputs, seeds, inputs []*Tensor, createGraph, accumulate bool) []*Tensor {
	if seeds != nil && len(seeds) != len(outputs) {
		panic(fmt.Sprintf("tensor.Grad: %d gradients for %d outputs", len(seeds), len(outputs)))
	}
	target := make(map[*Tensor]bool, len(inputs))
	for _, x := range inputs {
		target[x] = true
	}
	// Depth-first post-order; live[t] says t leads to a target.
	order := make([]*Tensor, 0, 64)
	state := map[*Tensor]uint8{} // 1 = on stack, 2 = done
	live := map[*Tensor]bool{}
	type frame struct {
		t *Tensor
		i int
	}
	for _, o := range outputs {
		if !o.requiresGrad || state[o] != 0 {
			continue
		}
		stack := []frame{{o, 0}}
		state[o] = 1
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			if f.t.node != nil && f.i < len(f.t.node.inputs) {
				in := f.t.node.inputs[f.i]
				f.i++
				if in != nil && in.requiresGrad && state[in] == 0 {
					state[in] = 1
					stack = append(stack, frame{in, 0})
				}
				continue
			}
			t := f.t
			stack = stack[:len(stack)-1]
			state[t] = 2
			l := target[t] || (accumulate && t.node == nil)
			if t.node != nil {
				for _, in := range t.node.inputs {
					if in != nil && live[in] {
						l = true
					}
				}
			}
			live[t] = l
			if l {
				order = append(order, t)
			}
		}
	}
	grads := make(map[*Tensor]*Tensor, len(order))
	for i, o := range outputs {
		if !o.requiresGrad {
			continue
		}
		var g *Tensor
		if seeds != nil && seeds[i] != nil {
			g = seeds[i]
			if !sameShape(g.shape, o.shape) {
				panic(fmt.Sprintf("tensor.Grad: gradient of shape %v for output of shape %v", g.shape, o.shape))
			}
			if !createGraph {
				g = g.Detach()
			}
		} else {
			g = zeros(o.arena, o.dtype, o.shape...)
			g.Fill(1)
		}
		grads[o] = accum(grads[o], g)
	}
	for i := len(order) - 1; i >= 0; i-- {
		t := order[i]
		g := grads[t]
		if g == nil || t.node == nil {
			continue
		}
		if !target[t] {
			delete(grads, t) // free for the collector once consumed
		}
		nd := t.node
		ins := nd.inputs
		out := t
		if !createGraph {
			ins = make([]*Tensor, len(nd.inputs))
			for j, in := range nd.inputs {
				if in != nil {
					ins[j] = in.Detach()
				}
			}
			out = t.Detach()
		}
		needs := make([]bool, len(ins))
		anyNeed := false
		for j, in := range nd.inputs {
			needs[j] = in != nil && in.requiresGrad && live[in]
			anyNeed = anyNeed || needs[j]
		}
		if !anyNeed {
			continue
		}
		gi := nd.backward(g, ins, out, needs)
		for j, in := range nd.inputs {
			if !needs[j] || gi[j] == nil {
				continue
			}
			if !sameShape(gi[j].shape, in.shape) || gi[j].dtype != in.dtype {
				panic(fmt.Sprintf("tensor: backward of %s returned %v%v for input %d of %v%v", nd.op, gi[j].dtype, gi[j].shape, j, in.dtype, in.shape))
			}
			grads[in] = accum(grads[in], gi[j])
		}
	}
	if accumulate {
		for _, t := range order {
			if t.node != nil || !t.requiresGrad {
				continue
			}
			g := grads[t]
			if g == nil {
				continue
			}
			if t.grad == nil {
				t.grad = Zeros(t.dtype, t.shape...)
			}
			addInto(t.grad, g)
		}
		return nil
	}
	res := make([]*Tensor, len(inputs))
	for i, x := range inputs {
		if g := grads[x]; g != nil {
			res[i] = g
		} else {
			res[i] = zeros(x.arena, x.dtype, x.shape...)
		}
	}
	return res
}

// accum adds g to acc (either may be nil), as a recorded operation when
// either is recorded.
func accum(acc, g *Tensor) *Tensor {
	if acc == nil {
		return g
	}
	return Add(acc, g)
}
