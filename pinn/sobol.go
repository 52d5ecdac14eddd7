package pinn

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
)

// sobolDirections holds Joe & Kuo's primitive polynomials and initial
// direction numbers (file new-joe-kuo-6.21201, "Constructing Sobol
// sequences with better two-dimensional projections", SIAM J. Sci.
// Comput. 30, 2008) for dimensions 2 … 21: degree s, coefficients a, and
// m_1 … m_s. Dimension 1 is the van der Corput sequence (all m_k = 1).
var sobolDirections = []struct {
	s, a int
	m    []uint32
}{
	{1, 0, []uint32{1}},
	{2, 1, []uint32{1, 3}},
	{3, 1, []uint32{1, 3, 1}},
	{3, 2, []uint32{1, 1, 1}},
	{4, 1, []uint32{1, 1, 3, 3}},
	{4, 4, []uint32{1, 3, 5, 13}},
	{5, 2, []uint32{1, 1, 5, 5, 17}},
	{5, 4, []uint32{1, 1, 5, 5, 5}},
	{5, 7, []uint32{1, 1, 7, 11, 19}},
	{5, 11, []uint32{1, 1, 5, 1, 1}},
	{5, 13, []uint32{1, 1, 1, 3, 11}},
	{5, 14, []uint32{1, 3, 5, 5, 31}},
	{6, 1, []uint32{1, 3, 3, 9, 7, 49}},
	{6, 13, []uint32{1, 1, 1, 15, 21, 21}},
	{6, 16, []uint32{1, 3, 1, 13, 27, 49}},
	{6, 19, []uint32{1, 1, 1, 15, 7, 5}},
	{6, 22, []uint32{1, 3, 1, 15, 13, 25}},
	{6, 25, []uint32{1, 1, 5, 5, 19, 61}},
	{7, 1, []uint32{1, 3, 7, 11, 23, 15, 103}},
	{7, 4, []uint32{1, 3, 7, 13, 13, 15, 69}},
}

// SobolMaxDim is the highest dimension Sobol supports.
var SobolMaxDim = 1 + len(sobolDirections)

const sobolBits = 32

// sobolV returns the direction numbers v_k (k = 0 … 31, scaled by 2³²)
// of dimension d (0-based): v_k = m_k·2^{32−k} for k ≤ s, then the
// recurrence
//
//	v_k = v_{k−s} ⊕ (v_{k−s} ≫ s) ⊕ ⨁_{j=1}^{s−1} a_j v_{k−j},
//
// a_j the j-th bit of a from the top (Bratley & Fox 1988).
func sobolV(d int) [sobolBits]uint32 {
	var v [sobolBits]uint32
	if d == 0 {
		for k := range v {
			v[k] = 1 << (sobolBits - 1 - k)
		}
		return v
	}
	p := sobolDirections[d-1]
	s := p.s
	for k := 0; k < s && k < sobolBits; k++ {
		v[k] = p.m[k] << (sobolBits - 1 - k)
	}
	for k := s; k < sobolBits; k++ {
		x := v[k-s] ^ (v[k-s] >> s)
		for j := 1; j < s; j++ {
			if (p.a>>(s-1-j))&1 == 1 {
				x ^= v[k-j]
			}
		}
		v[k] = x
	}
	return v
}

// Sobol is the Sobol sequence with Joe–Kuo direction numbers (up to
// SobolMaxDim dimensions), in Gray-code order (Antonov & Saleev), the
// order of PyTorch's SobolEngine and SciPy's qmc.Sobol: its first 2^m
// points form a (t, m, d)-net, so every 1-D projection puts one point in
// each interval [k/2^m, (k+1)/2^m). Sample returns points Skip … Skip+n−1
// (Skip 0 means 1, dropping the origin), each coordinate XORed with a
// random 32-bit word per dimension drawn from r (a random digital shift,
// which keeps the net property); set NoShift for the plain sequence.
type Sobol struct {
	Skip    int
	NoShift bool
}

// Sample returns n points of the sequence in [0, 1)^dim.
func (q Sobol) Sample(n, dim int, r *rand.Rand) []float64 {
	if dim > SobolMaxDim || dim < 1 {
		panic(fmt.Sprintf("pinn.Sobol: dimension %d (1 … %d)", dim, SobolMaxDim))
	}
	skip := q.Skip
	if skip == 0 {
		skip = 1
	}
	if uint64(skip+n) > 1<<sobolBits {
		panic(fmt.Sprintf("pinn.Sobol: %d points past %d (at most 2^32)", n, skip))
	}
	vs := make([][sobolBits]uint32, dim)
	shift := make([]uint32, dim)
	x := make([]uint32, dim)
	for d := range dim {
		vs[d] = sobolV(d)
		if !q.NoShift {
			shift[d] = r.Uint32()
		}
		// the point of index skip: x = ⨁ v_k over the set bits of its
		// Gray code skip ⊕ (skip ≫ 1)
		g := uint32(skip) ^ uint32(skip>>1)
		for k := 0; g != 0; k, g = k+1, g>>1 {
			if g&1 == 1 {
				x[d] ^= vs[d][k]
			}
		}
	}
	p := make([]float64, n*dim)
	for i := range n {
		for d := range dim {
			p[i*dim+d] = float64(x[d]^shift[d]) / (1 << sobolBits)
		}
		// next point: flip the direction number of the lowest zero bit
		// of the index
		c := bits.TrailingZeros32(^uint32(skip + i))
		for d := range dim {
			x[d] ^= vs[d][c]
		}
	}
	return p
}
