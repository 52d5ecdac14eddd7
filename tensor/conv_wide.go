package tensor

import (
	"github.com/sciml-go/sciml/internal/sgemm"
	"github.com/sciml-go/sciml/internal/vmath"
)

// The wide layout of a convolution. With the input padded once per
// sample, and for strides sh × sw > 1 split into its sh·sw phases, into
// planes xp[c, a, b] of hp × wp values, hp = ho + ⌈kh/sh⌉ − 1 and
// wp = wo + ⌈kw/sw⌉ − 1,
//
//	xp[c, a, b][r, t] = x̃[c, r·sh + a − ph, t·sw + b − pw]
//
// (zeros or the periodic continuation outside the grid, a crop where the
// padding is negative), the convolution is a stride-1 one on the planes:
//
//	y[o, i, j] = Σ_{c, m, n} w[o, c, m, n] · xp[c, m mod sh, n mod sw][i + ⌊m/sh⌋, j + ⌊n/sw⌋].
//
// On the "wide" positions q = i·wp + j of the output (the grid with
// ⌈kw/sw⌉ − 1 extra columns a row, whose values are discarded) tap
// (c, m, n) reads its plane from q plus a fixed offset (wideTaps): the row
// of the column matrix is one contiguous copy per block instead of one
// gather per output row and tap. The products are those of im2col, on
// (⌈kw/sw⌉ − 1)/wo more columns. For float32 the forward product skips the
// column matrix altogether: sgemm's direct kernel reads the planes in
// place (convForwardWide), and so does the filter gradient (convWeight,
// sgemm.ConvWeight). With strides of 1 the layout is the input padded
// once (one phase).

// wideMin is the least output width, in multiples of ⌈kw/sw⌉ − 1 (at
// least 1), for which convolutions take the wide layout (below it the
// extra columns cost more than the gathers save). Tests change it to
// cover both paths.
var wideMin = 4

// wide reports whether the kernels of g use the wide layout.
func (g *convGeom) wide() bool {
	_, kw := g.subKernel()
	return !g.pointwise() && g.wo >= wideMin*max(1, kw-1)
}

// subKernel returns the extent ⌈kh/sh⌉ × ⌈kw/sw⌉ of the kernel on the
// phase planes.
func (g *convGeom) subKernel() (kh, kw int) { return ceilDiv(g.kh, g.sh), ceilDiv(g.kw, g.sw) }

// wideDims returns the rows hp and columns wp of one plane and the
// number np = (ho − 1)·wp + wo of wide positions (the last row needs no
// extra columns, which keeps every read inside the planes).
func (g *convGeom) wideDims() (hp, wp, np int) {
	kh, kw := g.subKernel()
	hp, wp = g.ho+kh-1, g.wo+kw-1
	return hp, wp, (g.ho-1)*wp + g.wo
}

// widePlane is the length hp·wp of one plane.
func (g *convGeom) widePlane() int {
	hp, wp, _ := g.wideDims()
	return hp * wp
}

// wideSample is the length of one sample's planes: ci·sh·sw planes.
func (g *convGeom) wideSample() int { return g.ci * g.sh * g.sw * g.widePlane() }

// wideTaps returns the offset of tap (c, m, n) from a wide position in a
// sample's planes, in the order (c, m, n) of the filter matrix's columns.
func (g *convGeom) wideTaps() []int {
	_, wp, _ := g.wideDims()
	plane := g.widePlane()
	taps := make([]int, 0, g.rows())
	for c := range g.ci {
		for m := range g.kh {
			for n := range g.kw {
				pl := (c*g.sh+m%g.sh)*g.sw + n%g.sw
				taps = append(taps, pl*plane+(m/g.sh)*wp+n/g.sw)
			}
		}
	}
	return taps
}

// padWide writes every sample of x [b, ci, h, w] into its planes
// xp [b, ci, sh, sw, hp, wp].
func padWide[T Float](xp, x []T, g *convGeom) {
	hp, wp, _ := g.wideDims()
	hw, plane, ph := g.h*g.w, hp*wp, g.sh*g.sw
	parallelRange(g.b*g.ci*ph, max(1, grain/plane), func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			a, b := pl%ph/g.sw, pl%g.sw
			src, dst := x[pl/ph*hw:(pl/ph+1)*hw], xp[pl*plane:(pl+1)*plane]
			if s32, ok := any(src).([]float32); ok && !g.periodic {
				padPlane32(any(dst).([]float32), s32, g, a, b)
				continue
			}
			for r := range hp {
				row := dst[r*wp : (r+1)*wp]
				ih := r*g.sh + a - g.ph
				if g.periodic {
					ih = wrap(ih, g.h)
				} else if ih < 0 || ih >= g.h {
					clear(row)
					continue
				}
				gather(row, src[ih*g.w:(ih+1)*g.w], b-g.pw, g.sw, g.periodic)
			}
		}
	})
}

// padPlane32 is padWide's loop for one zero-padded float32 plane (phase
// a, b): the rows and columns that read x are one strided block
// (vmath.GatherRows, vectorised), the rest is cleared.
func padPlane32(dst, src []float32, g *convGeom, a, b int) {
	hp, wp, _ := g.wideDims()
	start := b - g.pw
	c0, c1 := validRange(start, g.sw, wp, g.w)
	r0, r1 := validRange(a-g.ph, g.sh, hp, g.h)
	clear(dst[:r0*wp])
	clear(dst[r1*wp:])
	for r := r0; r < r1; r++ {
		// A padding of a column or two: stores, not calls to clear.
		for j := r * wp; j < r*wp+c0; j++ {
			dst[j] = 0
		}
		for j := r*wp + c1; j < (r+1)*wp; j++ {
			dst[j] = 0
		}
	}
	if r1 > r0 && c1 > c0 {
		vmath.GatherRows(dst[r0*wp+c0:], src[(r0*g.sh+a-g.ph)*g.w+start+c0*g.sw:], r1-r0, c1-c0, wp, g.sh*g.w, g.sw)
	}
}

// wideCols writes the column matrix [rows, q1 − q0] of the wide positions
// [q0, q1) of a sample's planes xs, taps from wideTaps.
func wideCols[T Float](cols, xs []T, taps []int, q0, q1 int) {
	n := q1 - q0
	for r, o := range taps {
		copy(cols[r*n:(r+1)*n], xs[o+q0:o+q1])
	}
}

// eachWideRow calls f(i, j0, j1, d) for every output row i that the wide
// positions [q0, q1) meet, with the valid columns [j0, j1) (j1 ≤ wo) and
// the offset d = i·wp + j0 − q0 of column j0 in the block.
func eachWideRow(g *convGeom, q0, q1 int, f func(i, j0, j1, d int)) {
	_, wp, _ := g.wideDims()
	for i := q0 / wp; i*wp < q1; i++ {
		j0, j1 := max(q0-i*wp, 0), min(q1-i*wp, g.wo)
		if j0 < j1 {
			f(i, j0, j1, i*wp+j0-q0)
		}
	}
}

// convForwardWide is convForward in the wide layout: per block of wide
// positions, the product into a scratch block, and the valid columns
// (plus the bias) copied into y. The product is sgemm's direct kernel for
// float32 where it is available (tiles of 6 channels × 16 positions
// reading the padded sample in place: no column matrix), the columns and
// one GEMM otherwise.
func convForwardWide[T Float](y, x, w, bias []T, g *convGeom) {
	_, _, np := g.wideDims()
	rows, p, sample := g.rows(), g.ho*g.wo, g.wideSample()
	var z T
	tile := g.tileOf(np, sizeOf(z))
	nt := ceilDiv(np, tile)
	xp := getScratch[T](planesPool, g.b*sample)
	defer putScratch(planesPool, xp)
	padWide(*xp, x, g)
	taps := g.wideTaps()
	w32, direct := any(w).([]float32)
	direct = direct && sgemm.Available()
	size := (rows + g.co) * tile
	var wpk []float32
	if direct {
		pk := getScratch[float32](packPool, sgemm.ConvPackedLen(g.co, g.ci, g.kh, g.kw))
		defer putScratch(packPool, pk)
		wpk = *pk
		sgemm.PackConv(wpk, w32, g.co, g.ci, g.kh, g.kw)
		size = g.co * tile
	}
	parallelScratch(g.b*nt, size, func(buf []T, u int) {
		b, t := u/nt, u%nt
		q0 := t * tile
		q1 := min(np, q0+tile)
		n := q1 - q0
		xs := (*xp)[b*sample : (b+1)*sample]
		yw := buf[size-g.co*tile : size-g.co*tile+g.co*n]
		if direct {
			sgemm.Conv(any(yw).([]float32), n, any(xs[q0:]).([]float32), taps, wpk, g.co, n)
		} else {
			cols := buf[:rows*n]
			wideCols(cols, xs, taps, q0, q1)
			gemm1(false, false, g.co, n, rows, w, rows, cols, n, 0, yw, n)
		}
		ys := y[b*g.co*p : (b+1)*g.co*p]
		eachWideRow(g, q0, q1, func(i, j0, j1, d int) {
			for o := range g.co {
				dst := ys[o*p+i*g.wo+j0 : o*p+i*g.wo+j1]
				copy(dst, yw[o*n+d:o*n+d+j1-j0])
				if bias != nil {
					addScalar(dst, bias[o])
				}
			}
		})
	})
}

// wideWeightUnit adds one unit's part of the filter gradient, in the
// wide layout, to acc ([rows, co]): the columns of the wide positions
// [q0, q1) of the sample's planes xs, and the sample's output gradient gs
// [co, ho·wo] spread onto those positions with zeros in the extra
// columns, so that they add nothing. buf holds (rows + co)·tile values.
func wideWeightUnit[T Float](acc, buf, xs, gs []T, taps []int, g *convGeom, q0, q1, tile int) {
	rows, p, n := g.rows(), g.ho*g.wo, q1-q0
	cols, gw := buf[:rows*n], buf[rows*tile:rows*tile+g.co*n]
	wideCols(cols, xs, taps, q0, q1)
	clear(gw)
	eachWideRow(g, q0, q1, func(i, j0, j1, d int) {
		for o := range g.co {
			copy(gw[o*n+d:o*n+d+j1-j0], gs[o*p+i*g.wo+j0:o*p+i*g.wo+j1])
		}
	})
	gemm1(false, true, rows, g.co, n, cols, n, gw, n, 1, acc, g.co)
}

// The transposed convolution in the wide layout. The adjoint in x of the
// convolution g is, on the extended grid E = Y + ph, F = X + pw (cropped
// to the grid for zero padding, folded onto it when periodic),
//
//	x̃[c, E, F] = Σ_{o, m, n, i, j : i·sh + m = E, j·sw + n = F} w[o, c, m, n] · ∂y[o, i, j],
//
// and splits by the phases a = E mod sh, b = F mod sw: with E = R·sh + a,
// F = Q·sw + b, m = a + sh·m' and n = b + sw·n',
//
//	x̃[c, R·sh + a, Q·sw + b] = Σ_{o, m', n'} w[o, c, a + sh·m', b + sw·n'] · ∂y[o, R − m', Q − n'],
//
// for each phase a stride-1 correlation of ∂y with a flipped sub-kernel.
// With ∂y padded once by ⌈kh/sh⌉ − 1 rows and ⌈kw/sw⌉ − 1 columns on every
// side, each phase is a product on the wide positions of R < hq, Q < wq
// (the direct kernel for float32, the columns and a GEMM otherwise), and
// the phases are then spread onto the grid (scatterAdd, in a fixed order).
// The MgNO prolongation (4×4, stride 2) is four 2×2 correlations.

// wideTDims returns the extent hq × wq of the phase grids (R, Q), the
// padded ∂y planes' hp × wp and the number np of wide positions.
func (g *convGeom) wideTDims() (hq, wq, hp, wp, np int) {
	kh, kw := g.subKernel()
	hq, wq = g.ho+kh-1, g.wo+kw-1
	hp, wp = hq+kh-1, wq+kw-1
	return hq, wq, hp, wp, (hq-1)*wp + wq
}

// phaseFilters returns the taps (o, m', n') of phase (a, b) as offsets in
// a sample's padded ∂y planes, and writes the phase's filter matrix
// [ci, taps] to the start of mat (which must hold ci·co·kh·kw values), returning it.
func phaseFilters[T Float](w, mat []T, g *convGeom, a, b int) ([]int, []T) {
	kh, kw := g.subKernel()
	_, _, hp, wp, _ := g.wideTDims()
	var taps []int
	for o := range g.co {
		for m := a; m < g.kh; m += g.sh {
			for n := b; n < g.kw; n += g.sw {
				taps = append(taps, o*hp*wp+(kh-1-m/g.sh)*wp+kw-1-n/g.sw)
			}
		}
	}
	mat = mat[:g.ci*len(taps)]
	for c := range g.ci {
		k := 0
		for o := range g.co {
			for m := a; m < g.kh; m += g.sh {
				for n := b; n < g.kw; n += g.sw {
					mat[c*len(taps)+k] = w[((o*g.ci+c)*g.kh+m)*g.kw+n]
					k++
				}
			}
		}
	}
	return taps, mat
}

// convTransposeWide sets x [b, ci, h, w] to the adjoint in x of the
// convolution g with filters w, applied to gy [b, co, ho, wo].
func convTransposeWide[T Float](x, gy, w []T, g *convGeom) {
	kh, kw := g.subKernel()
	hq, wq, hp, wp, np := g.wideTDims()
	nph, plane, p, hw := g.sh*g.sw, hp*wp, g.ho*g.wo, g.h*g.w
	gp := getScratch[T](planesPool, g.b*g.co*plane)
	defer putScratch(planesPool, gp)
	parallelRange(g.b*g.co, max(1, grain/plane), func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			dst, src := (*gp)[pl*plane:(pl+1)*plane], gy[pl*p:(pl+1)*p]
			clear(dst)
			for i := range g.ho {
				copy(dst[(i+kh-1)*wp+kw-1:], src[i*g.wo:(i+1)*g.wo])
			}
		}
	})
	// Per phase its taps and filter matrix (the phases share the filters
	// out: one buffer of ci·co·kh·kw values) and, for the direct kernel,
	// the matrix packed (one pooled buffer).
	taps := make([][]int, nph)
	mats := make([][]T, nph)
	packed := make([][]float32, nph)
	_, direct := any(w).([]float32)
	direct = direct && sgemm.Available()
	mb := getScratch[T](colsPool, g.ci*g.co*g.kh*g.kw)
	defer putScratch(colsPool, mb)
	var pk *[]float32
	if direct {
		pk = getScratch[float32](packPool, sgemm.ConvPackedLen(g.ci, g.co, g.kh, g.kw)) // ⌈ci/6⌉·6 × all taps
		defer putScratch(packPool, pk)
	}
	most, used, off := 1, 0, 0
	for ph := range nph {
		taps[ph], mats[ph] = phaseFilters(w, (*mb)[used:], g, ph/g.sw, ph%g.sw)
		used += len(mats[ph])
		most = max(most, len(taps[ph]))
		if direct && len(taps[ph]) > 0 {
			n := (g.ci + sgemm.MR - 1) / sgemm.MR * sgemm.MR * len(taps[ph])
			packed[ph] = (*pk)[off : off+n]
			off += n
			sgemm.PackConv(packed[ph], any(mats[ph]).([]float32), g.ci, len(taps[ph]), 1, 1)
		}
	}
	out := getScratch[T](planesPool, g.b*nph*g.ci*np)
	defer putScratch(planesPool, out)
	var z T
	tile := tileFor(np, most, g.b*nph, sizeOf(z))
	nt := ceilDiv(np, tile)
	size := most * tile
	if direct {
		size = 0
	}
	parallelScratch(g.b*nph*nt, size, func(buf []T, u int) {
		t := u % nt
		b, ph := u/nt/nph, u/nt%nph
		q0 := t * tile
		q1 := min(np, q0+tile)
		n := q1 - q0
		gs := (*gp)[b*g.co*plane : (b+1)*g.co*plane]
		ys := (*out)[(b*nph+ph)*g.ci*np:]
		tp := taps[ph]
		switch {
		case len(tp) == 0:
			for c := range g.ci {
				clear(ys[c*np+q0 : c*np+q1])
			}
		case direct:
			sgemm.Conv(any(ys[q0:]).([]float32), np, any(gs[q0:]).([]float32), tp, packed[ph], g.ci, n)
		default:
			cols := buf[:len(tp)*n]
			wideCols(cols, gs, tp, q0, q1)
			gemm1(false, false, g.ci, n, len(tp), mats[ph], len(tp), cols, n, 0, ys[q0:], np)
		}
	})
	parallelRange(g.b*g.ci, max(1, grain/hw), func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			b, c := pl/g.ci, pl%g.ci
			xs := x[pl*hw : (pl+1)*hw]
			clear(xs)
			for ph := range nph {
				a, bb := ph/g.sw, ph%g.sw
				src := (*out)[((b*nph+ph)*g.ci+c)*np:]
				if x32, ok := any(xs).([]float32); ok && !g.periodic {
					// The rows and columns that land in x: one strided block.
					start := bb - g.pw
					c0, c1 := validRange(start, g.sw, wq, g.w)
					r0, r1 := validRange(a-g.ph, g.sh, hq, g.h)
					if r1 > r0 && c1 > c0 {
						vmath.ScatterAddRows(x32[(r0*g.sh+a-g.ph)*g.w+start+c0*g.sw:], any(src[r0*wp+c0:]).([]float32),
							r1-r0, c1-c0, g.sh*g.w, wp, g.sw)
					}
					continue
				}
				for r := range hq {
					ih := r*g.sh + a - g.ph
					if g.periodic {
						ih = wrap(ih, g.h)
					} else if ih < 0 || ih >= g.h {
						continue
					}
					scatterAdd(xs[ih*g.w:(ih+1)*g.w], src[r*wp:r*wp+wq], bb-g.pw, g.sw, g.periodic)
				}
			}
		}
	})
}
