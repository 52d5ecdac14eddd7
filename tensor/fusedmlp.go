package tensor

import (
	"fmt"

	"github.com/sciml-go/sciml/internal/blas"
	"github.com/sciml-go/sciml/internal/sgemm"
	"github.com/sciml-go/sciml/internal/vmath"
)

// SineMLPMSE returns the mean squared error mean((f(x) − y)²), over every
// element of y, of the sine MLP
//
//	h₀ = x,  h_{l+1} = sin(ω·(h_l·w_lᵀ + b_l))  (l < L−1),
//	f(x) = h_{L−1}·w_{L−1}ᵀ + b_{L−1},
//
// the composition of SinLinear layers and a last Linear layer (a SIREN,
// the sine-MLP benchmark): x has shape [..., in] and y [..., out], ws[l]
// is [out_l, in_l] and bs[l] is [out_l] or nil (no bias). It is
//
//	Mean(Square(Sub(f(x), y)))
//
// with the forward and backward passes fused, the fully fused MLP of
// tiny-cuda-nn on a CPU: each block of rows goes forward through every
// layer, takes the loss gradient and goes back through every layer while
// its activations are in cache, and only the parameter gradients (summed
// per task of rows, tasks added in order) outlive the block. The layer
// products are the same as SinLinear's and Linear's (internal/sgemm for
// x·wᵀ + b and ∂z·w, BLAS for ∂w), the loss is summed in float64; no
// activation of the whole batch is stored, which saves the step their
// traffic to and from memory.
//
// Gradients flow to ws and bs. The fused form needs float32 on a CPU with
// internal/sgemm's kernels, many rows (as SinLinear's blocked path),
// inputs x and y that do not require gradients, and parameters that do;
// otherwise, and when a graph of the backward pass is built (higher
// derivatives), it is the composition itself.
func SineMLPMSE(x, y *Tensor, ws, bs []*Tensor, omega float64) *Tensor {
	L := len(ws)
	if L == 0 || len(bs) != L {
		panic(fmt.Sprintf("tensor.SineMLPMSE: %d weights and %d biases (want as many, ≥ 1)", L, len(bs)))
	}
	if x.NDim() < 1 {
		panic(fmt.Sprintf("tensor.SineMLPMSE: input of shape %v, want [..., in]", x.shape))
	}
	widths := make([]int, L+1)
	widths[0] = x.shape[x.NDim()-1]
	for l := range L {
		w, b := ws[l], bs[l]
		if w.NDim() != 2 || w.shape[1] != widths[l] || w.dtype != x.dtype ||
			(b != nil && (b.NDim() != 1 || b.shape[0] != w.shape[0] || b.dtype != x.dtype)) {
			bshape := "nil"
			if b != nil {
				bshape = fmt.Sprintf("%v %v", b.dtype, b.shape)
			}
			panic(fmt.Sprintf("tensor.SineMLPMSE: layer %d: w %v %v, b %s for %d %v input features: want w [out, %d], b [out]",
				l, w.dtype, w.shape, bshape, widths[l], x.dtype, widths[l]))
		}
		widths[l+1] = w.shape[0]
	}
	in0, outL := widths[0], widths[L]
	rows := x.Numel() / max(in0, 1)
	if y.NDim() < 1 || y.shape[y.NDim()-1] != outL || y.Numel() != rows*outL || y.dtype != x.dtype {
		panic(fmt.Sprintf("tensor.SineMLPMSE: target %v %v for %d rows of %d outputs (%v)", y.dtype, y.shape, rows, outL, x.dtype))
	}
	var params []*Tensor
	for l := range L {
		params = append(params, ws[l])
		if bs[l] != nil {
			params = append(params, bs[l])
		}
	}
	fused := x.dtype == Float32 && sgemm.Available() && in0 > 0 && rows >= 2*linChunk &&
		!x.requiresGrad && !y.requiresGrad && recording(append([]*Tensor{x}, params...)...)
	for _, p := range params {
		fused = fused && p.dtype == Float32
	}
	if !fused {
		return sineMLPMSEComposed(x, y, ws, bs, omega)
	}
	ar := arenaOf(x, y)
	loss, grads := sineMLPStep(ar, x.Float32s(), y.Float32s(), ws, bs, widths, rows, omega)
	out := alloc(ar, Float32, []int{}, false)
	out.Float32s()[0] = float32(loss)
	return record(out, "SineMLPMSE", func(g *Tensor, ins []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		r := make([]*Tensor, len(ins))
		if recording(append([]*Tensor{g}, ins...)...) {
			// A graph of the backward pass: the gradients of the
			// composition, as differentiable operations of the inputs.
			iw, ib := unpackParams(ins, bs)
			gs := Grad([]*Tensor{sineMLPMSEComposed(x, y, iw, ib, omega)}, ins, []*Tensor{g}, true)
			for i := range ins {
				if needs[i] {
					r[i] = gs[i]
				}
			}
			return r
		}
		s := g.Item()
		for i := range ins {
			if needs[i] {
				r[i] = grads[i]
				if s != 1 {
					r[i] = Scale(grads[i], s)
				}
			}
		}
		return r
	}, params...)
}

// unpackParams splits the parameter list of SineMLPMSE (w₀, b₀, w₁, …,
// with the nil biases left out) back into weights and biases.
func unpackParams(ins, bs []*Tensor) (ws, bb []*Tensor) {
	i := 0
	bb = make([]*Tensor, len(bs))
	for l := range bs {
		ws = append(ws, ins[i])
		i++
		if bs[l] != nil {
			bb[l] = ins[i]
			i++
		}
	}
	return ws, bb
}

// sineMLPMSEComposed is SineMLPMSE as the composition of its operations.
func sineMLPMSEComposed(x, y *Tensor, ws, bs []*Tensor, omega float64) *Tensor {
	h := x
	for l := range ws {
		if l < len(ws)-1 {
			h = SinLinear(h, ws[l], bs[l], omega)
		} else {
			h = Linear(h, ws[l], bs[l])
		}
	}
	return Mean(Square(Sub(h, y)))
}

// fusedBlock is the number of rows SineMLPMSE takes through the network at
// once: its activations and cosines (5.5 MB a task for the reference
// 256-wide MLP) stay in the last-level cache (32 MB here), and the
// weight-gradient products are longer than SinLinear's blocks. Measured on the reference sine MLP
// (2 threads, interleaved steps): 512 rows 1–4 % faster than 256 or 1,024,
// 128 rows 5 % slower, and 5–9 % faster than the unfused composition.
var fusedBlock = 512

// sineMLPStep is the fused forward and backward pass of SineMLPMSE in
// float32: it returns the loss and the gradients of the parameters (w₀,
// b₀, w₁, …, nil biases left out), allocated from ar.
//
// Rows go in tasks of linChunk rows (in parallel) and blocks of fusedBlock
// rows within a task. Per block: z = h_l·w_lᵀ + b_l and (sin, cos)(ω·z)
// layer by layer (the last layer's z is f), ∂f = 2(f − y)/N, then from the
// last layer down ∂z_l = ω·∂h_{l+1}·cos (the bias gradient summed in the
// same pass), ∂w_l += ∂z_lᵀ·h_l and ∂h_l = ∂z_l·w_l. The per-task
// partial sums of ∂w (float32) and ∂b (float64) are added in task order,
// so the result does not depend on the number of threads.
func sineMLPStep(ar *Arena, xs, ys []float32, ws, bs []*Tensor, widths []int, rows int, omega float64) (float64, []*Tensor) {
	L := len(ws)
	in0, outL := widths[0], widths[L]
	nc := chunks(rows, linChunk)
	f32 := func(n int) []float32 { return alloc(ar, Float32, []int{n}, false).Float32s() }
	// Weights packed once: for x·wᵀ (every layer) and for ∂z·w (l ≥ 1).
	fw := make([][]float32, L)
	bw := make([][]float32, L)
	for l := range L {
		in, out := widths[l], widths[l+1]
		w := ws[l].Float32s()
		fw[l] = f32(sgemm.PackedLen(in, out))
		sgemm.Pack(fw[l], w, in, out, in, true)
		if l > 0 {
			bw[l] = f32(sgemm.PackedLen(out, in))
			sgemm.Pack(bw[l], w, out, in, in, false)
		}
	}
	maxW := 0
	for _, w := range widths[1:] {
		maxW = max(maxW, w)
	}
	// Per task: the activations h_1 … h_{L−1} and cosines of one block,
	// a pre-activation/∂z block, the output block and two ∂h blocks.
	hOff := make([]int, L+1) // offsets of h_l (l ≥ 1) and of c_{l−1} in a task's area
	per := 0
	for l := 1; l < L; l++ {
		hOff[l] = per
		per += 2 * fusedBlock * widths[l]
	}
	zOff := per
	per += fusedBlock * maxW
	fOff := per
	per += fusedBlock * outL
	dOff := per
	per += 2 * fusedBlock * maxW
	area := f32(nc * per)
	gwParts := make([][]float32, L)
	gbParts := make([][]float64, L)
	for l := range L {
		gwParts[l] = f32(nc * widths[l+1] * widths[l])
		if bs[l] != nil {
			gbParts[l] = alloc(ar, Float64, []int{nc * widths[l+1]}, true).Float64s()
		}
	}
	biases := make([][]float32, L)
	for l := range L {
		if bs[l] != nil {
			biases[l] = bs[l].Float32s()
		}
	}
	lossParts := make([]float64, nc)
	invN := 1 / float64(rows*outL)
	wf := float32(omega)
	parallelFor(nc, func(c int) {
		a := area[c*per : (c+1)*per]
		h := func(l, n int) []float32 { return a[hOff[l] : hOff[l]+n*widths[l]] }
		cos := func(l, n int) []float32 { // cos(ω·z) of layer l − 1
			o := hOff[l] + fusedBlock*widths[l]
			return a[o : o+n*widths[l]]
		}
		zb := a[zOff : zOff+fusedBlock*maxW]
		fb := a[fOff : fOff+fusedBlock*outL]
		db := [2][]float32{a[dOff : dOff+fusedBlock*maxW], a[dOff+fusedBlock*maxW : dOff+2*fusedBlock*maxW]}
		end := min(rows, (c+1)*linChunk)
		var sum float64
		for r0 := c * linChunk; r0 < end; r0 += fusedBlock {
			n := min(fusedBlock, end-r0)
			first := r0 == c*linChunk
			xb := xs[r0*in0 : (r0+n)*in0]
			// Forward.
			hin := xb
			for l := range L {
				in, out := widths[l], widths[l+1]
				dst := zb[:n*out]
				if l == L-1 {
					dst = fb[:n*out]
				}
				sgemm.Gemm(n, out, in, hin, in, false, fw[l], dst, out, biases[l], false)
				if l < L-1 {
					vmath.SinCos(h(l+1, n), cos(l+1, n), dst, wf)
					hin = h(l+1, n)
				}
			}
			// The loss and its gradient ∂f = 2(f − y)/N, in place of f.
			yb := ys[r0*outL : (r0+n)*outL]
			for i, v := range fb[:n*outL] {
				r := float64(v) - float64(yb[i])
				sum += r * r
				fb[i] = float32(2 * r * invN)
			}
			// Backward.
			g := fb[:n*outL]
			for l := L - 1; l >= 0; l-- {
				in, out := widths[l], widths[l+1]
				var acc []float64
				if gbParts[l] != nil {
					acc = gbParts[l][c*out : (c+1)*out]
				}
				d := g
				if l < L-1 {
					d = zb[:n*out]
					vmath.MulColSum(d, g, cos(l+1, n), out, omega, acc)
				} else if acc != nil {
					vmath.ColSum(acc, d, out)
				}
				hl := xb
				if l > 0 {
					hl = h(l, n)
				}
				var beta float32
				if !first {
					beta = 1
				}
				blas.SgemmBatched(true, false, out, in, n, 1, d, out, 0, hl, in, 0, beta, gwParts[l][c*out*in:(c+1)*out*in], in, 0, 1)
				if l > 0 {
					dx := db[l%2][:n*in]
					sgemm.Gemm(n, in, out, d, out, false, bw[l], dx, in, nil, false)
					g = dx
				}
			}
		}
		lossParts[c] = sum
	})
	loss := 0.0
	for _, s := range lossParts {
		loss += s
	}
	var grads []*Tensor
	for l := range L {
		in, out := widths[l], widths[l+1]
		gw := alloc(ar, Float32, []int{out, in}, false)
		addParts(gw.Float32s(), gwParts[l], nc)

		grads = append(grads, gw)
		if bs[l] != nil {
			gb := alloc(ar, Float64, []int{out}, false)
			addParts(gb.Float64s(), gbParts[l], nc)
			grads = append(grads, float64To32(ar, gb))
		}
	}
	return loss * invN, grads
}
