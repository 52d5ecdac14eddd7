package tensor

import "github.com/sciml-go/sciml/internal/sgemm"

// The wide layout of a stride-1 convolution. With the input padded once
// per sample into xp [ci, hp, wp], hp = ho + kh − 1 and wp = wo + kw − 1
// (xp[c, r, t] = x̃[c, r − ph, t − pw]: zeros or the periodic continuation
// outside the grid, a crop where the padding is negative),
//
//	y[o, i, j] = Σ_{c, m, n} w[o, c, m, n] · xp[c, i + m, j + n],
//
// and on the "wide" positions q = i·wp + j of the output (the grid with
// kw − 1 extra columns a row, whose values are discarded) the row (c, m, n)
// of the column matrix is xp[c] read from q + m·wp + n: one contiguous copy
// per row and block instead of one gather per output row and kernel tap.
// The products are those of im2col, on (kw − 1)/wo more columns. For
// float32 the forward product skips the column matrix altogether: sgemm's
// direct kernel reads the padded sample in place (convForwardWide).

// wideMin is the least output width, in multiples of kw − 1, for which
// stride-1 convolutions take the wide layout (below it the extra columns
// cost more than the gathers save). Tests change it to cover both paths.
var wideMin = 4

// wide reports whether the kernels of g use the wide layout.
func (g *convGeom) wide() bool {
	return g.sh == 1 && g.sw == 1 && !g.pointwise() && g.wo >= wideMin*(g.kw-1)
}

// wideDims returns the padded sample's rows hp and columns wp and the
// number np = (ho − 1)·wp + wo of wide positions (the last row needs no
// extra columns, which keeps every read inside xp).
func (g *convGeom) wideDims() (hp, wp, np int) {
	hp, wp = g.ho+g.kh-1, g.wo+g.kw-1
	return hp, wp, (g.ho-1)*wp + g.wo
}

// widePlane is the length hp·wp of one padded channel.
func (g *convGeom) widePlane() int {
	hp, wp, _ := g.wideDims()
	return hp * wp
}

// padWide writes every sample of x [b, ci, h, w] into xp [b, ci, hp, wp].
func padWide[T Float](xp, x []T, g *convGeom) {
	hp, wp, _ := g.wideDims()
	hw, plane := g.h*g.w, hp*wp
	parallelRange(g.b*g.ci, max(1, grain/plane), func(lo, hi int) {
		for pl := lo; pl < hi; pl++ {
			src, dst := x[pl*hw:(pl+1)*hw], xp[pl*plane:(pl+1)*plane]
			for r := range hp {
				row := dst[r*wp : (r+1)*wp]
				ih := r - g.ph
				if g.periodic {
					ih = wrap(ih, g.h)
				} else if ih < 0 || ih >= g.h {
					clear(row)
					continue
				}
				gather(row, src[ih*g.w:(ih+1)*g.w], -g.pw, 1, g.periodic)
			}
		}
	})
}

// wideCols writes the column matrix [rows, q1 − q0] of the wide positions
// [q0, q1) of the padded sample xs [ci, hp, wp].
func wideCols[T Float](cols, xs []T, g *convGeom, q0, q1 int) {
	hp, wp, _ := g.wideDims()
	plane, n := hp*wp, q1-q0
	r := 0
	for c := range g.ci {
		xc := xs[c*plane : (c+1)*plane]
		for m := range g.kh {
			for k := range g.kw {
				o := q0 + m*wp + k
				copy(cols[r*n:(r+1)*n], xc[o:o+n])
				r++
			}
		}
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
	hp, wp, np := g.wideDims()
	rows, p, plane := g.rows(), g.ho*g.wo, hp*wp
	var z T
	tile := g.tileOf(np, sizeOf(z))
	nt := ceilDiv(np, tile)
	xp := getScratch[T](planesPool, g.b*g.ci*plane)
	defer putScratch(planesPool, xp)
	padWide(*xp, x, g)
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
		xs := (*xp)[b*g.ci*plane : (b+1)*g.ci*plane]
		yw := buf[size-g.co*tile : size-g.co*tile+g.co*n]
		if direct {
			sgemm.Conv(any(yw).([]float32), n, any(xs[q0:]).([]float32), plane, wp, g.ci, g.kh, g.kw, wpk, g.co, n)
		} else {
			cols := buf[:rows*n]
			wideCols(cols, xs, g, q0, q1)
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
// [q0, q1) of the padded sample xs, and the sample's output gradient gs
// [co, ho·wo] spread onto those positions with zeros in the extra
// columns, so that they add nothing. buf holds (rows + co)·tile values.
func wideWeightUnit[T Float](acc, buf, xs, gs []T, g *convGeom, q0, q1, tile int) {
	rows, p, n := g.rows(), g.ho*g.wo, q1-q0
	cols, gw := buf[:rows*n], buf[rows*tile:rows*tile+g.co*n]
	wideCols(cols, xs, g, q0, q1)
	clear(gw)
	eachWideRow(g, q0, q1, func(i, j0, j1, d int) {
		for o := range g.co {
			copy(gw[o*n+d:o*n+d+j1-j0], gs[o*p+i*g.wo+j0:o*p+i*g.wo+j1])
		}
	})
	gemm1(false, true, rows, g.co, n, cols, n, gw, n, 1, acc, g.co)
}
