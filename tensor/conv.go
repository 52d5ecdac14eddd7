package tensor

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/sciml-go/sciml/internal/blas"
	"github.com/sciml-go/sciml/internal/sgemm"
)

// ConvOptions configures Conv1d and Conv2d. The zero value is a stride-1
// convolution without padding.
type ConvOptions struct {
	// Stride is the step s between output samples along every spatial axis
	// (0 means 1).
	Stride int
	// Padding is the number p of samples added at both ends of every
	// spatial axis.
	Padding int
	// Mode says what the padding holds: zeros (PadZero, PyTorch's
	// padding_mode "zeros") or the periodic continuation (PadPeriodic,
	// "circular"); the other modes of Pad are not supported.
	Mode PadMode
}

// ConvOutSize is the output length of a convolution along an axis of n
// samples with kernel size k, stride s and padding p: ⌊(n + 2p − k)/s⌋ + 1.
func ConvOutSize(n, k, s, p int) int {
	if s < 1 {
		panic(fmt.Sprintf("tensor.ConvOutSize: stride %d < 1", s))
	}
	return floorDiv(n+2*p-k, s) + 1
}

// ConvTransposeOutSize is the output length of a transposed convolution
// along an axis of n samples with kernel size k, stride s and padding p:
// (n − 1)·s − 2p + k, the length whose convolution with the same k, s, p
// has n samples.
func ConvTransposeOutSize(n, k, s, p int) int { return (n-1)*s - 2*p + k }

// Conv1d returns the cross-correlation of x [B, Ci, L] with the filters
// w [Co, Ci, K], plus the bias b [Co] (nil: none), in PyTorch's channel-first
// layout:
//
//	y[b, o, l] = bias[o] + Σ_{c<Ci} Σ_{k<K} w[o, c, k] · x̃[b, c, l·s + k − p],
//
// where s and p are opt's stride and padding, x̃ reads zero (PadZero) or
// x[b, c, i mod L] (PadPeriodic) outside [0, L), and l < Lo =
// ⌊(L + 2p − K)/s⌋ + 1. It is Conv2d on a grid of height 1.
func Conv1d(x, w, b *Tensor, opt ConvOptions) *Tensor {
	if x.NDim() != 3 || w.NDim() != 3 {
		panic(fmt.Sprintf("tensor.Conv1d: want x [B, Ci, L] and w [Co, Ci, K], have %v and %v", x.shape, w.shape))
	}
	s := opt.stride()
	geo := newConvGeom("Conv1d", x.shape[0], x.shape[1], 1, x.shape[2], w.shape[0], w.shape[1], 1, w.shape[2], 1, s, 0, opt.Padding, opt.Mode)
	checkConvArgs("Conv1d", x, w, b, geo.co)
	y := convOp(Reshape(x, geo.b, geo.ci, 1, geo.w), Reshape(w, geo.co, geo.ci, 1, geo.kw), b, geo)
	return Reshape(y, geo.b, geo.co, geo.wo)
}

// Conv2d returns the cross-correlation of x [B, Ci, H, W] with the filters
// w [Co, Ci, Kh, Kw], plus the bias b [Co] (nil: none):
//
//	y[b, o, i, j] = bias[o] + Σ_{c, m, n} w[o, c, m, n] · x̃[b, c, i·s + m − p, j·s + n − p],
//
// with x̃ zero (PadZero) or periodic (PadPeriodic) outside the grid and an
// output grid of ⌊(H + 2p − Kh)/s⌋ + 1 by ⌊(W + 2p − Kw)/s⌋ + 1 (PyTorch's
// conv2d with padding_mode "zeros" or "circular").
//
// Each sample is unfolded block by block into columns (im2col) that one
// GEMM with the shared filter matrix [Co, Ci·Kh·Kw] turns into output
// samples. The gradient with respect to x is a transposed convolution (for
// stride 1, a convolution with the flipped, transposed filters), the one
// with respect to w a correlation of x with the output gradient; both are
// differentiable operations, so gradients of gradients work.
func Conv2d(x, w, b *Tensor, opt ConvOptions) *Tensor {
	if x.NDim() != 4 || w.NDim() != 4 {
		panic(fmt.Sprintf("tensor.Conv2d: want x [B, Ci, H, W] and w [Co, Ci, Kh, Kw], have %v and %v", x.shape, w.shape))
	}
	s, p := opt.stride(), opt.Padding
	geo := newConvGeom("Conv2d", x.shape[0], x.shape[1], x.shape[2], x.shape[3], w.shape[0], w.shape[1], w.shape[2], w.shape[3], s, s, p, p, opt.Mode)
	checkConvArgs("Conv2d", x, w, b, geo.co)
	return convOp(x, w, b, geo)
}

// ConvTranspose1d returns the transposed convolution of x [B, Ci, L] with
// w [Ci, Co, K] (PyTorch's layout), stride s and padding p, plus the bias
// b [Co] (nil: none):
//
//	y[b, o, l·s + k − p] += w[c, o, k] · x[b, c, l]   (summed over c, l, k),
//
// keeping the output positions in [0, Lo), Lo = (L − 1)·s − 2p + K. It is
// the adjoint (gradient with respect to the input) of Conv1d with the same
// w, s and p and zero padding.
func ConvTranspose1d(x, w, b *Tensor, stride, padding int) *Tensor {
	if x.NDim() != 3 || w.NDim() != 3 {
		panic(fmt.Sprintf("tensor.ConvTranspose1d: want x [B, Ci, L] and w [Ci, Co, K], have %v and %v", x.shape, w.shape))
	}
	if stride < 1 {
		panic(fmt.Sprintf("tensor.ConvTranspose1d: stride %d < 1", stride))
	}
	bs, ci, l := x.shape[0], x.shape[1], x.shape[2]
	co, k := w.shape[1], w.shape[2]
	lo := ConvTransposeOutSize(l, k, stride, padding)
	// The convolution whose adjoint this is maps [B, Co, 1, Lo] to x's grid.
	geo := newConvGeom("ConvTranspose1d", bs, co, 1, lo, w.shape[0], co, 1, k, 1, stride, 0, padding, PadZero)
	if w.shape[0] != ci || geo.wo != l {
		panic(fmt.Sprintf("tensor.ConvTranspose1d: x %v, w %v, stride %d, padding %d do not fit", x.shape, w.shape, stride, padding))
	}
	checkConvArgs("ConvTranspose1d", x, w, b, co)
	y := convInputGrad(Reshape(x, bs, ci, 1, l), Reshape(w, ci, co, 1, k), geo)
	if b != nil {
		y = Add(y, Reshape(b, 1, co, 1, 1))
	}
	return Reshape(y, bs, co, lo)
}

// ConvTranspose2d returns the transposed convolution of x [B, Ci, H, W]
// with w [Ci, Co, Kh, Kw] (PyTorch's layout), stride s and padding p along
// both axes, plus the bias b [Co] (nil: none):
//
//	y[b, o, i·s + m − p, j·s + n − p] += w[c, o, m, n] · x[b, c, i, j],
//
// on the output grid (H − 1)·s − 2p + Kh by (W − 1)·s − 2p + Kw, as
// PyTorch's conv_transpose2d. With a 4×4 kernel, s = 2 and p = 1 it doubles
// the grid (MgNO's prolongation). It is the adjoint of Conv2d with the same
// w, s, p and zero padding, and is computed as one: for s = 1 a
// convolution with the flipped filters; otherwise, on grids wide enough,
// one stride-1 correlation per phase of the output (conv_wide.go; four
// 2×2 ones for MgNO's 4×4 stride-2 kernel), and on narrow grids a GEMM
// with the transposed filters and a scatter of the columns (col2im).
func ConvTranspose2d(x, w, b *Tensor, stride, padding int) *Tensor {
	if x.NDim() != 4 || w.NDim() != 4 {
		panic(fmt.Sprintf("tensor.ConvTranspose2d: want x [B, Ci, H, W] and w [Ci, Co, Kh, Kw], have %v and %v", x.shape, w.shape))
	}
	if stride < 1 {
		panic(fmt.Sprintf("tensor.ConvTranspose2d: stride %d < 1", stride))
	}
	bs, ci, h, wd := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	co, kh, kw := w.shape[1], w.shape[2], w.shape[3]
	ho, wo := ConvTransposeOutSize(h, kh, stride, padding), ConvTransposeOutSize(wd, kw, stride, padding)
	geo := newConvGeom("ConvTranspose2d", bs, co, ho, wo, w.shape[0], co, kh, kw, stride, stride, padding, padding, PadZero)
	if w.shape[0] != ci || geo.ho != h || geo.wo != wd {
		panic(fmt.Sprintf("tensor.ConvTranspose2d: x %v, w %v, stride %d, padding %d do not fit", x.shape, w.shape, stride, padding))
	}
	checkConvArgs("ConvTranspose2d", x, w, b, co)
	y := convInputGrad(x, w, geo)
	if b != nil {
		y = Add(y, Reshape(b, 1, co, 1, 1))
	}
	return y
}

// ChannelMix applies the matrix w [Co, Ci] to the channel axis of
// x [B, Ci, S₁, …, S_d] at every grid point, plus the bias b [Co] (nil:
// none):
//
//	y[b, o, s] = bias[o] + Σ_c w[o, c] · x[b, c, s].
//
// It is the 1×1 convolution (the pointwise linear skip of FNO layers) for
// any number d ≥ 0 of spatial axes, computed as one batched GEMM
// w · x[b] with w shared across the batch; for real dtypes the output is
// first filled with the bias and the product accumulated onto it
// (C = w·x + 1·C), so the bias costs no pass of its own. Its gradients
// are written with MatMul and SumAxes, so it is differentiable to any
// order.
func ChannelMix(x, w, b *Tensor) *Tensor { return channelMix("ChannelMix", x, w, b, nil) }

// ChannelMixAdd returns r + ChannelMix(x, w, b) for r of the output's
// shape [B, Co, S₁, …, S_d] and dtype: the pointwise path of a Fourier
// layer added to its spectral path,
//
//	y[b, o, s] = r[b, o, s] + bias[o] + Σ_c w[o, c] · x[b, c, s].
//
// For real dtypes it is one pass and one GEMM: the output is filled with
// r + bias and the product accumulated onto it (C = w·x + 1·C), where
// ChannelMix followed by Add would take three passes over the output
// (the values differ only by float rounding: (r + bias) + w·x is summed
// in that order). The gradient with respect to r is g itself.
func ChannelMixAdd(x, w, b, r *Tensor) *Tensor {
	if r == nil {
		panic("tensor.ChannelMixAdd: nil r (use ChannelMix)")
	}
	return channelMix("ChannelMixAdd", x, w, b, r)
}

func channelMix(op string, x, w, b, r *Tensor) *Tensor {
	if x.NDim() < 2 || w.NDim() != 2 || x.shape[1] != w.shape[1] {
		panic(fmt.Sprintf("tensor.%s: want x [B, Ci, ...] and w [Co, Ci], have %v and %v", op, x.shape, w.shape))
	}
	co := w.shape[0]
	if b != nil && (b.NDim() != 1 || b.shape[0] != co) {
		panic(fmt.Sprintf("tensor.%s: bias %v for w %v (want [%d])", op, b.shape, w.shape, co))
	}
	bs, ci := x.shape[0], x.shape[1]
	shape := append([]int{bs, co}, x.shape[2:]...)
	if r != nil && (!sameShape(r.shape, shape) || r.dtype != x.dtype) {
		panic(fmt.Sprintf("tensor.%s: r %v%v for an output %v%v", op, r.dtype, r.shape, x.dtype, shape))
	}
	isReal := x.dtype == Float32 || x.dtype == Float64
	if !isReal || w.dtype != x.dtype || (b != nil && b.dtype != x.dtype) || ci == 0 {
		// The composition (complex dtypes; dtype mismatches panic in it).
		y := MatMul(w, Reshape(x, bs, ci, -1))
		if b != nil {
			y = Add(y, Reshape(b, co, 1))
		}
		y = Reshape(y, shape...)
		if r != nil {
			y = Add(r, y)
		}
		return y
	}
	s := numel(x.shape[2:])
	y := alloc(arenaOf(x, w, b, r), x.dtype, shape, false)
	switch d := y.data.(type) {
	case []float32:
		mixForward(d, x.Float32s(), w.Float32s(), biasOf[float32](b), dataOf[float32](r), bs, ci, co, s, blas.SgemmBatched)
	case []float64:
		mixForward(d, x.Float64s(), w.Float64s(), biasOf[float64](b), dataOf[float64](r), bs, ci, co, s, blas.DgemmBatched)
	}
	return record(y, op, func(g *Tensor, in []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		res := make([]*Tensor, 4)
		g3 := Reshape(g, bs, co, s)
		if needs[0] {
			res[0] = Reshape(MatMulT(in[1], g3, true, false), in[0].shape...)
		}
		if needs[1] {
			res[1] = SumTo(MatMulT(g3, Reshape(in[0], bs, ci, s), false, true), co, ci)
		}
		if needs[2] {
			// Row sums first (contiguous), then over the batch.
			res[2] = SumAxes(SumAxes(g3, []int{2}, false), []int{0}, false)
		}
		if needs[3] {
			res[3] = g
		}
		return res
	}, x, w, b, r)
}

// mixForward sets y[n] = r[n] + bias·1ᵀ + w·x[n] for n < bs, with
// x[n] [ci, s], y[n] and r[n] [co, s] (r, bias nil: zero): the rows of y
// are filled first and the product accumulated onto them with one
// batched GEMM (beta = 1).
func mixForward[T Float](y, x, w, bias, r []T, bs, ci, co, s int, gemm batchedGemm[T]) {
	var beta T
	if bias != nil || r != nil {
		beta = 1
		parallelRange(bs*co, max(1, grain/max(s, 1)), func(lo, hi int) {
			for row := lo; row < hi; row++ {
				dst := y[row*s : (row+1)*s]
				switch {
				case r != nil && bias != nil:
					addVS(dst, r[row*s:(row+1)*s], bias[row%co])
				case r != nil:
					copy(dst, r[row*s:(row+1)*s])
				default:
					fill(dst, bias[row%co])
				}
			}
		})
	}
	gemm(false, false, co, s, ci, 1, w, ci, 0, x, s, ci*s, beta, y, s, co*s, bs)
}

func (o ConvOptions) stride() int {
	if o.Stride == 0 {
		return 1
	}
	if o.Stride < 0 {
		panic(fmt.Sprintf("tensor: convolution stride %d < 0", o.Stride))
	}
	return o.Stride
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// convGeom describes a 2-D convolution of x [b, ci, h, w] with filters
// [co, ci, kh, kw], strides (sh, sw) and paddings (ph, pw), giving
// y [b, co, ho, wo]. Paddings may be negative (a crop) inside the package.
// Every kernel below is defined through it: the convolution, its adjoint in
// x (a transposed convolution) and its adjoint in the filters.
type convGeom struct {
	b, ci, co int
	h, w      int
	kh, kw    int
	sh, sw    int
	ph, pw    int
	ho, wo    int
	periodic  bool
}

func newConvGeom(op string, b, ci, h, w, co, wci, kh, kw, sh, sw, ph, pw int, mode PadMode) convGeom {
	if wci != ci {
		panic(fmt.Sprintf("tensor.%s: input has %d channels, filters expect %d", op, ci, wci))
	}
	if sh < 1 || sw < 1 || kh < 1 || kw < 1 || h < 1 || w < 1 || ph < 0 || pw < 0 {
		panic(fmt.Sprintf("tensor.%s: grid %dx%d, kernel %dx%d, stride %d/%d, padding %d/%d are not valid", op, h, w, kh, kw, sh, sw, ph, pw))
	}
	if mode != PadZero && mode != PadPeriodic {
		panic(fmt.Sprintf("tensor.%s: padding mode %v not supported (want zero or periodic)", op, mode))
	}
	g := convGeom{b: b, ci: ci, co: co, h: h, w: w, kh: kh, kw: kw, sh: sh, sw: sw, ph: ph, pw: pw, periodic: mode == PadPeriodic}
	g.ho, g.wo = ConvOutSize(h, kh, sh, ph), ConvOutSize(w, kw, sw, pw)
	if g.ho < 1 || g.wo < 1 {
		panic(fmt.Sprintf("tensor.%s: kernel %dx%d with padding %d/%d does not fit the grid %dx%d", op, kh, kw, ph, pw, h, w))
	}
	return g
}

func checkConvArgs(op string, x, w, b *Tensor, co int) {
	if x.dtype != w.dtype || (x.dtype != Float32 && x.dtype != Float64) {
		panic(fmt.Sprintf("tensor.%s: want float32 or float64 x and w of one dtype, have %v and %v", op, x.dtype, w.dtype))
	}
	if b != nil && (b.dtype != x.dtype || b.NDim() != 1 || b.shape[0] != co) {
		panic(fmt.Sprintf("tensor.%s: bias %v%v for %d output channels of %v", op, b.dtype, b.shape, co, x.dtype))
	}
}

func (g *convGeom) xShape() []int { return []int{g.b, g.ci, g.h, g.w} }
func (g *convGeom) yShape() []int { return []int{g.b, g.co, g.ho, g.wo} }
func (g *convGeom) wShape() []int { return []int{g.co, g.ci, g.kh, g.kw} }

// rows is the number of rows of the column matrix: ci·kh·kw.
func (g *convGeom) rows() int { return g.ci * g.kh * g.kw }

// pointwise reports a 1×1 convolution without stride or padding, whose
// column matrix is the input itself.
func (g *convGeom) pointwise() bool {
	return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0
}

// flippable reports whether the adjoint in x is the stride-1 convolution
// of the output gradient with the flipped, transposed filters (flipped).
// For zero padding that holds for any stride-1 geometry (padding k−1−p);
// for periodic padding when the output grid is the input grid (2p = k−1).
func (g *convGeom) flippable() bool {
	if g.sh != 1 || g.sw != 1 {
		return false
	}
	return !g.periodic || (2*g.ph == g.kh-1 && 2*g.pw == g.kw-1)
}

// flipped is the geometry of that convolution: it maps [b, co, ho, wo] to
// [b, ci, h, w].
func (g *convGeom) flipped() convGeom {
	f := convGeom{b: g.b, ci: g.co, co: g.ci, h: g.ho, w: g.wo, kh: g.kh, kw: g.kw, sh: 1, sw: 1,
		ph: g.kh - 1 - g.ph, pw: g.kw - 1 - g.pw, ho: g.h, wo: g.w, periodic: g.periodic}
	return f
}

// phased reports whether the kernels read x through its phase planes: with
// a column stride s > 1 each input row is stored as its s phases (columns
// φ, φ+s, φ+2s, … for φ < s) one after the other, so that the strided
// reads and writes of im2col and col2im become contiguous copies and adds.
// Periodic padding needs w divisible by s (each phase then wraps onto
// itself).
func (g *convGeom) phased() bool {
	return g.sw > 1 && (!g.periodic || g.w%g.sw == 0)
}

// colAccess says where kernel column kw reads in an input row: output
// column j reads index j·mul + shift of the window row[off : off+size]
// (outside the window: zero, or wrapped when periodic).
type colAccess struct{ off, size, mul, shift int }

func (g *convGeom) access(kw int) colAccess {
	if !g.phased() {
		return colAccess{0, g.w, g.sw, kw - g.pw}
	}
	s := g.sw
	ph := mod(kw-g.pw, s)
	off := 0
	for q := range ph {
		off += ceilDiv(g.w-q, s)
	}
	return colAccess{off, ceilDiv(g.w-ph, s), 1, floorDiv(kw-g.pw, s)}
}

// deinterleave stores each row (length w) of src in dst as its s phases.
func deinterleave[T Float](dst, src []T, w, s int) {
	rows := len(src) / w
	parallelRange(rows, max(1, grain/w), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			sr, dr := src[r*w:(r+1)*w], dst[r*w:(r+1)*w]
			if s == 2 {
				h := (w + 1) / 2
				e, o := dr[:h], dr[h:]
				for t := range o {
					e[t], o[t] = sr[2*t], sr[2*t+1]
				}
				if w%2 == 1 {
					e[h-1] = sr[w-1]
				}
				continue
			}
			k := 0
			for ph := range s {
				for i := ph; i < w; i += s {
					dr[k] = sr[i]
					k++
				}
			}
		}
	})
}

// interleave is the inverse of deinterleave.
func interleave[T Float](dst, src []T, w, s int) {
	rows := len(src) / w
	parallelRange(rows, max(1, grain/w), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			sr, dr := src[r*w:(r+1)*w], dst[r*w:(r+1)*w]
			if s == 2 {
				h := (w + 1) / 2
				e, o := sr[:h], sr[h:]
				for t := range o {
					dr[2*t], dr[2*t+1] = e[t], o[t]
				}
				if w%2 == 1 {
					dr[w-1] = e[h-1]
				}
				continue
			}
			k := 0
			for ph := range s {
				for i := ph; i < w; i += s {
					dr[i] = sr[k]
					k++
				}
			}
		}
	})
}

// Blocking: the column matrix of one block has about colsBytes bytes (so it
// stays in the L2 cache while the GEMM reads it) and at least minTile
// columns; a batch is cut into at least minUnits blocks where the grid
// allows, so that threads share the work. These depend on sizes only.
const (
	colsBytes = 384 << 10
	minTile   = 64
	minUnits  = 8
	maxParts  = 16 // partial sums of a filter gradient
)

// tile returns the number of output positions per block.
func (g *convGeom) tile(elem int) int { return g.tileOf(g.ho*g.wo, elem) }

// tileOf returns the number of positions per block among p positions a
// sample.
func (g *convGeom) tileOf(p, elem int) int { return tileFor(p, g.rows(), g.b, elem) }

// tileFor returns the number of positions per block among p positions of
// each of units independent products whose column matrix has rows rows.
func tileFor(p, rows, units, elem int) int {
	t := max(minTile, colsBytes/(elem*max(1, rows)))
	if per := ceilDiv(minUnits, max(1, units)); per > 1 {
		t = min(t, max(minTile, ceilDiv(p, per)))
	}
	return max(1, min(t, p))
}

// convOp is the convolution of x with w (and bias b) as one recorded
// operation.
func convOp(x, w, b *Tensor, geo convGeom) *Tensor {
	out := alloc(arenaOf(x, w, b), x.dtype, geo.yShape(), false)
	switch y := out.data.(type) {
	case []float32:
		var bias []float32
		if b != nil {
			bias = b.Float32s()
		}
		convForward(y, x.Float32s(), w.Float32s(), bias, &geo)
	case []float64:
		var bias []float64
		if b != nil {
			bias = b.Float64s()
		}
		convForward(y, x.Float64s(), w.Float64s(), bias, &geo)
	}
	return record(out, "Conv", func(g *Tensor, in []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		r := make([]*Tensor, 3)
		if needs[0] {
			r[0] = convInputGrad(g, in[1], geo)
		}
		if needs[1] {
			r[1] = convWeightOp(in[0], g, geo)
		}
		if needs[2] {
			r[2] = SumAxes(g, []int{0, 2, 3}, false)
		}
		return r
	}, x, w, b)
}

// convInputGrad returns the adjoint of the convolution geo with filters w
// applied to g [b, co, ho, wo]: the gradient with respect to x, and the
// transposed convolution. Where geo is flippable it is a stride-1
// convolution with flipped filters, otherwise a GEMM plus col2im.
func convInputGrad(g, w *Tensor, geo convGeom) *Tensor {
	if geo.flippable() {
		return convOp(g, flipFilters(w), nil, geo.flipped())
	}
	return convTransposeOp(g, w, geo)
}

// convTransposeOp is the adjoint in x of the convolution geo with filters
// w, applied to g [b, co, ho, wo], as one recorded operation:
//
//	x[b, c, i·s + m − p, j·s + n − p] += w[o, c, m, n] · g[b, o, i, j]
//
// (indices wrapped for periodic padding, dropped outside the grid for zero
// padding). Being linear in g and in w, its gradients are the convolution
// (for g) and the filter correlation (for w).
func convTransposeOp(g, w *Tensor, geo convGeom) *Tensor {
	out := alloc(arenaOf(g, w), g.dtype, geo.xShape(), !geo.phased() && !geo.wide())
	switch x := out.data.(type) {
	case []float32:
		convTranspose(x, g.Float32s(), w.Float32s(), &geo)
	case []float64:
		convTranspose(x, g.Float64s(), w.Float64s(), &geo)
	}
	return record(out, "ConvTranspose", func(gx *Tensor, in []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		r := make([]*Tensor, 2)
		if needs[0] {
			r[0] = convOp(gx, in[1], nil, geo)
		}
		if needs[1] {
			r[1] = convWeightOp(gx, in[0], geo)
		}
		return r
	}, g, w)
}

// convWeightOp is the adjoint in the filters of the convolution geo of x,
// applied to g [b, co, ho, wo] — the filter gradient — as one recorded
// operation:
//
//	dw[o, c, m, n] = Σ_{b, i, j} g[b, o, i, j] · x̃[b, c, i·s + m − p, j·s + n − p].
func convWeightOp(x, g *Tensor, geo convGeom) *Tensor {
	out := alloc(arenaOf(x, g), x.dtype, geo.wShape(), false)
	switch dw := out.data.(type) {
	case []float32:
		convWeight(dw, x.Float32s(), g.Float32s(), &geo)
	case []float64:
		convWeight(dw, x.Float64s(), g.Float64s(), &geo)
	}
	return record(out, "ConvWeight", func(v *Tensor, in []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		r := make([]*Tensor, 2)
		if needs[0] {
			r[0] = convInputGrad(in[1], v, geo)
		}
		if needs[1] {
			r[1] = convOp(in[0], v, nil, geo)
		}
		return r
	}, x, g)
}

// flipFilters returns w [co, ci, kh, kw] flipped in space with the channel
// axes swapped: f[c, o, m, n] = w[o, c, kh−1−m, kw−1−n]. The map is its own
// inverse and adjoint, so it is its own backward rule.
func flipFilters(w *Tensor) *Tensor {
	co, ci, kh, kw := w.shape[0], w.shape[1], w.shape[2], w.shape[3]
	out := alloc(arenaOf(w), w.dtype, []int{ci, co, kh, kw}, false)
	switch f := out.data.(type) {
	case []float32:
		flip(f, w.Float32s(), co, ci, kh*kw)
	case []float64:
		flip(f, w.Float64s(), co, ci, kh*kw)
	}
	return record(out, "FlipFilters", func(g *Tensor, _ []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		return []*Tensor{flipFilters(g)}
	}, w)
}

func flip[T Float](f, w []T, co, ci, kk int) {
	for o := range co {
		for c := range ci {
			src := w[(o*ci+c)*kk : (o*ci+c+1)*kk]
			dst := f[(c*co+o)*kk : (c*co+o+1)*kk]
			for k := range kk {
				dst[k] = src[kk-1-k]
			}
		}
	}
}

// gemm1 computes C = A·B (beta 0) or C += A·B (beta 1) on the calling
// goroutine: a batched product of one matrix is never split by the BLAS
// layer, which leaves the threading to the convolution's blocks.
func gemm1[T Float](tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	switch a := any(a).(type) {
	case []float32:
		blas.SgemmBatched(tA, tB, m, n, k, 1, a, lda, 0, any(b).([]float32), ldb, 0, float32(beta), any(c).([]float32), ldc, 0, 1)
	case []float64:
		blas.DgemmBatched(tA, tB, m, n, k, 1, a, lda, 0, any(b).([]float64), ldb, 0, float64(beta), any(c).([]float64), ldc, 0, 1)
	}
}

// convForward computes y = conv(x, w) + bias block by block: unit u is
// sample u / nt, output positions [p0, p1) of tile u mod nt; its columns
// are unfolded into a scratch buffer and multiplied by the filter matrix
// [co, rows] into y[b, :, p0:p1].
func convForward[T Float](y, x, w, bias []T, g *convGeom) {
	if g.wide() {
		convForwardWide(y, x, w, bias, g)
		return
	}
	rows, p, hw := g.rows(), g.ho*g.wo, g.h*g.w
	var z T
	tile := g.tile(sizeOf(z))
	nt := ceilDiv(p, tile)
	direct := g.pointwise()
	size := rows * tile
	if direct {
		size = 0
	}
	if g.phased() {
		xp := getScratch[T](planesPool, len(x))
		defer putScratch(planesPool, xp)
		deinterleave(*xp, x, g.w, g.sw)
		x = *xp
	}
	parallelScratch(g.b*nt, size, func(buf []T, u int) {
		b, t := u/nt, u%nt
		p0 := t * tile
		p1 := min(p, p0+tile)
		n := p1 - p0
		xs := x[b*g.ci*hw : (b+1)*g.ci*hw]
		ys := y[b*g.co*p:]
		if direct {
			gemm1(false, false, g.co, n, rows, w, rows, xs[p0:], hw, 0, ys[p0:], p)
		} else {
			cols := buf[:rows*n]
			im2col(cols, xs, g, p0, p1)
			gemm1(false, false, g.co, n, rows, w, rows, cols, n, 0, ys[p0:], p)
		}
		if bias != nil {
			for o, v := range bias {
				addScalar(ys[o*p+p0:o*p+p1], v)
			}
		}
	})
}

func addScalar[T Float](d []T, v T) {
	for i := range d {
		d[i] += v
	}
}

// convTranspose accumulates the adjoint in x of conv(·, w) applied to g
// into x, which must be zero unless g is wide or phased (x is then
// overwritten). Unit u is sample u / ng and the input channels of
// group u mod ng; per tile of output positions it forms the columns of those
// channels, Wᵀ[rows of the group, co] · g[b, :, p0:p1], and adds them into
// the grid (col2im). Units write disjoint parts of x and accumulate in a
// fixed order.
func convTranspose[T Float](x, gy, w []T, g *convGeom) {
	if g.wide() {
		convTransposeWide(x, gy, w, g)
		return
	}
	kk, rows, p, hw := g.kh*g.kw, g.rows(), g.ho*g.wo, g.h*g.w
	var z T
	tile := g.tile(sizeOf(z))
	grp := ceilDiv(g.ci, max(1, min(g.ci, ceilDiv(minUnits, max(1, g.b))))) // channels per group
	ng := ceilDiv(g.ci, grp)
	dst := x
	if g.phased() {
		xp := getScratch[T](planesPool, len(x))
		defer putScratch(planesPool, xp)
		x = *xp
		clear(x)
	}
	parallelScratch(g.b*ng, grp*kk*tile, func(buf []T, u int) {
		b, c0 := u/ng, (u%ng)*grp
		c1 := min(g.ci, c0+grp)
		m := (c1 - c0) * kk
		xs := x[b*g.ci*hw : (b+1)*g.ci*hw]
		gb := gy[b*g.co*p:]
		for p0 := 0; p0 < p; p0 += tile {
			p1 := min(p, p0+tile)
			n := p1 - p0
			cols := buf[:m*n]
			gemm1(true, false, m, n, g.co, w[c0*kk:], rows, gb[p0:], p, 0, cols, n)
			col2im(xs, cols, g, c0, c1, p0, p1)
		}
	})
	if g.phased() {
		interleave(dst, x, g.w, g.sw)
	}
}

// convWeight computes the filter gradient dw [co, rows] = Σ_units
// g[b, :, p0:p1] · colsᵀ. The units (sample, tile) are cut into at most
// maxParts fixed runs; each run accumulates its partial sum colsᵀ-wise
// ([rows, co]) and the partials are added in run order, so the result does
// not depend on the thread count.
func convWeight[T Float](dw, x, gy []T, g *convGeom) {
	rows, p, hw := g.rows(), g.ho*g.wo, g.h*g.w
	wide := g.wide()
	span := p // positions a sample: output positions, or wide ones
	if wide {
		_, _, span = g.wideDims()
	}
	var z T
	tile := g.tileOf(span, sizeOf(z))
	// The float32 wide path reads the planes and ∂y in place (sgemm's
	// direct kernel): its units are blocks of output rows.
	_, f32 := any(z).(float32)
	kernel := wide && f32 && sgemm.Available()
	_, wp, _ := g.wideDims()
	if kernel {
		span, tile = g.ho, max(1, tile/wp)
	}
	nt := ceilDiv(span, tile)
	units := g.b * nt
	if units == 0 {
		clear(dw)
		return
	}
	per := ceilDiv(units, min(units, maxParts))
	parts := ceilDiv(units, per)
	partial := make([]T, parts*rows*g.co)
	direct := g.pointwise()
	size := rows * tile
	switch {
	case direct:
		size = 0
	case kernel:
		size = rows * g.co
	case wide:
		size = (rows + g.co) * tile
	}
	var taps []int
	switch {
	case wide:
		xp := getScratch[T](planesPool, g.b*g.wideSample())
		defer putScratch(planesPool, xp)
		padWide(*xp, x, g)
		x, hw, taps = *xp, g.wideSample(), g.wideTaps()
	case g.phased():
		xp := getScratch[T](planesPool, len(x))
		defer putScratch(planesPool, xp)
		deinterleave(*xp, x, g.w, g.sw)
		x = *xp
	}
	parallelScratch(parts, size, func(buf []T, q int) {
		acc := partial[q*rows*g.co : (q+1)*rows*g.co]
		for u := q * per; u < min(units, (q+1)*per); u++ {
			b, t := u/nt, u%nt
			p0 := t * tile
			p1 := min(span, p0+tile)
			n := p1 - p0
			switch {
			case kernel:
				part := any(buf).([]float32)
				sgemm.ConvWeight(part, g.co, any(x[b*hw+p0*wp:(b+1)*hw]).([]float32), taps, wp,
					any(gy[b*g.co*p+p0*g.wo:]).([]float32), p, g.co, p1-p0, g.wo)
				addVV(acc, acc, buf)
			case wide:
				wideWeightUnit(acc, buf, x[b*hw:(b+1)*hw], gy[b*g.co*p:(b+1)*g.co*p], taps, g, p0, p1, tile)
			case direct:
				xs := x[b*g.ci*hw : (b+1)*g.ci*hw]
				gemm1(false, true, rows, g.co, n, xs[p0:], hw, gy[b*g.co*p+p0:], p, 1, acc, g.co)
			default:
				cols := buf[:rows*n]
				im2col(cols, x[b*g.ci*hw:(b+1)*g.ci*hw], g, p0, p1)
				gemm1(false, true, rows, g.co, n, cols, n, gy[b*g.co*p+p0:], p, 1, acc, g.co)
			}
		}
	})
	for o := range g.co {
		d := dw[o*rows : (o+1)*rows]
		for r := range d {
			var s T
			for q := range parts {
				s += partial[(q*rows+r)*g.co+o]
			}
			d[r] = s
		}
	}
}

func sizeOf[T Float](T) int {
	var z T
	if _, ok := any(z).(float32); ok {
		return 4
	}
	return 8
}

// wrap returns i mod n, dividing only when i is outside [0, n).
func wrap(i, n int) int {
	if i >= 0 && i < n {
		return i
	}
	return mod(i, n)
}

// inRow returns the input row that output row oh reads through kernel row
// kh, and whether it lies in the grid (always, when periodic).
func (g *convGeom) inRow(oh, kh int) (int, bool) {
	ih := oh*g.sh + kh - g.ph
	if g.periodic {
		return wrap(ih, g.h), true
	}
	return ih, ih >= 0 && ih < g.h
}

// im2col writes the columns of the sample xs [ci, h, w] (stored by phases
// when g is phased) for the output
// positions [p0, p1) (flattened over [ho, wo]) into cols, a [rows, p1−p0]
// matrix:
//
//	cols[(c, m, n), q − p0] = x̃[c, i·sh + m − ph, j·sw + n − pw],  (i, j) = (q / wo, q mod wo).
//
// Each row of cols is filled one output row (a segment of up to wo
// positions) at a time: a copy for stride 1, a strided gather otherwise.
func im2col[T Float](cols, xs []T, g *convGeom, p0, p1 int) {
	n := p1 - p0
	hw := g.h * g.w
	oh0, ow0 := p0/g.wo, p0%g.wo
	acc := make([]colAccess, g.kw)
	for kw := range acc {
		acc[kw] = g.access(kw)
	}
	r := 0
	for c := range g.ci {
		xc := xs[c*hw : (c+1)*hw]
		for kh := range g.kh {
			for _, a := range acc {
				row := cols[r*n : (r+1)*n]
				r++
				oh, ow := oh0, ow0
				for j := 0; j < n; {
					cnt := min(g.wo-ow, n-j)
					seg := row[j : j+cnt]
					if ih, ok := g.inRow(oh, kh); ok {
						o := ih*g.w + a.off
						gather(seg, xc[o:o+a.size], ow*a.mul+a.shift, a.mul, g.periodic)
					} else {
						clear(seg)
					}
					j += cnt
					oh, ow = oh+1, 0
				}
			}
		}
	}
}

// col2im is the adjoint of im2col restricted to channels [c0, c1): it adds
// the rows of cols ([(c1−c0)·kh·kw, p1−p0]) into the sample xs [ci, h, w].
func col2im[T Float](xs, cols []T, g *convGeom, c0, c1, p0, p1 int) {
	n := p1 - p0
	hw := g.h * g.w
	oh0, ow0 := p0/g.wo, p0%g.wo
	acc := make([]colAccess, g.kw)
	for kw := range acc {
		acc[kw] = g.access(kw)
	}
	r := 0
	for c := c0; c < c1; c++ {
		xc := xs[c*hw : (c+1)*hw]
		for kh := range g.kh {
			for _, a := range acc {
				row := cols[r*n : (r+1)*n]
				r++
				oh, ow := oh0, ow0
				for j := 0; j < n; {
					cnt := min(g.wo-ow, n-j)
					if ih, ok := g.inRow(oh, kh); ok {
						o := ih*g.w + a.off
						scatterAdd(xc[o:o+a.size], row[j:j+cnt], ow*a.mul+a.shift, a.mul, g.periodic)
					}
					j += cnt
					oh, ow = oh+1, 0
				}
			}
		}
	}
}

// validRange returns the range [lo, hi) of j < n for which
// 0 ≤ start + j·step < size.
func validRange(start, step, n, size int) (lo, hi int) {
	if start < 0 {
		lo = ceilDiv(-start, step)
	}
	if end := start + (n-1)*step; end < size {
		hi = n
	} else if start < size {
		hi = (size-1-start)/step + 1
	}
	lo = min(lo, hi)
	return lo, hi
}

// gather sets dst[j] = src[start + j·step], reading zero outside src or,
// when periodic, src at the index mod len(src).
func gather[T Float](dst, src []T, start, step int, periodic bool) {
	size := len(src)
	if periodic {
		i := wrap(start, size)
		if step == 1 {
			for j := 0; j < len(dst); {
				c := min(len(dst)-j, size-i)
				copy(dst[j:j+c], src[i:i+c])
				j += c
				i = 0
			}
			return
		}
		for j := range dst {
			dst[j] = src[i]
			if i += step; i >= size {
				i = wrap(i, size)
			}
		}
		return
	}
	lo, hi := validRange(start, step, len(dst), size)
	clear(dst[:lo])
	clear(dst[hi:])
	if step == 1 {
		copy(dst[lo:hi], src[start+lo:start+hi])
		return
	}
	d := dst[lo:hi]
	s := src[start+lo*step:]
	if step == 2 {
		for j := range d {
			d[j] = s[2*j]
		}
		return
	}
	for j := range d {
		d[j] = s[j*step]
	}
}

// scatterAdd is the adjoint of gather: dst[start + j·step] += src[j].
func scatterAdd[T Float](dst, src []T, start, step int, periodic bool) {
	size := len(dst)
	if periodic {
		i := wrap(start, size)
		for j := range src {
			dst[i] += src[j]
			if i += step; i >= size {
				i = wrap(i, size)
			}
		}
		return
	}
	lo, hi := validRange(start, step, len(src), size)
	s := src[lo:hi]
	d := dst[start+lo*step:]
	switch step {
	case 1:
		d = d[:len(s)]
		for j := range s {
			d[j] += s[j]
		}
	case 2:
		for j := range s {
			d[2*j] += s[j]
		}
	default:
		for j := range s {
			d[j*step] += s[j]
		}
	}
}

// Scratch buffers of the convolution kernels, recycled across calls: the
// column blocks (per goroutine), the phase planes or padded samples (per
// call) and the packed filters of the direct kernel (per call) are pooled
// apart.
var scratchPools [3][2]sync.Pool // [cols, planes, packed filters][float32, float64] of *[]T

const (
	colsPool = iota
	planesPool
	packPool
)

func getScratch[T Float](kind, size int) *[]T {
	var z T
	p := &scratchPools[kind][sizeOf(z)/8]
	if v, ok := p.Get().(*[]T); ok && cap(*v) >= size {
		*v = (*v)[:size]
		return v
	}
	b := make([]T, size)
	return &b
}

func putScratch[T Float](kind int, b *[]T) {
	var z T
	scratchPools[kind][sizeOf(z)/8].Put(b)
}

// parallelScratch runs f(buf, i) for i in [0, count) on up to Threads()
// goroutines, each with its own scratch buffer of size elements.
func parallelScratch[T Float](count, size int, f func(buf []T, i int)) {
	if count <= 0 {
		return
	}
	var next atomic.Int64
	work := func() {
		bp := getScratch[T](colsPool, size)
		for {
			i := int(next.Add(1)) - 1
			if i >= count {
				break
			}
			f(*bp, i)
		}
		putScratch(colsPool, bp)
	}
	w := min(Threads(), count)
	if w <= 1 {
		work()
		return
	}
	var wg sync.WaitGroup
	wg.Add(w - 1)
	for range w - 1 {
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}
