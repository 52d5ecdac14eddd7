package sgemm

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// fma32 is fl32(a·b + c) rounded once (round-to-odd in float64, as
// internal/vmath's fma32); TestFMA32Ref checks it against math/big.
func fma32(a, b, c float32) float32 {
	p := float64(float64(a) * float64(b))
	s := p + float64(c)
	bb := s - p
	e := (p - (s - bb)) + (float64(c) - bb)
	if u := math.Float64bits(s); e != 0 && u&1 == 0 {
		if (e > 0) == (s > 0) {
			u++
		} else {
			u--
		}
		s = math.Float64frombits(u)
	}
	return float32(s)
}

func TestFMA32Ref(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		a := float32(r.NormFloat64())
		b := float32(r.NormFloat64() * math.Ldexp(1, r.IntN(40)-20))
		c := float32(r.NormFloat64() * math.Ldexp(1, r.IntN(40)-20))
		x := new(big.Float).SetPrec(512).SetFloat64(float64(a))
		x.Mul(x, new(big.Float).SetFloat64(float64(b)))
		x.Add(x, new(big.Float).SetFloat64(float64(c)))
		want, _ := x.Float32()
		if got := fma32(a, b, c); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("fma32(%g, %g, %g) = %g, want %g", a, b, c, got, want)
		}
	}
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// refGemm is the documented chain, element by element: C(i,j) = init,
// then fma(A(i,p), B(p,j), C) for p = 0, 1, …; B(p,j) = b[p·ldb + j] or,
// when transB, b[j·ldb + p].
func refGemm(m, n, k int, a []float32, lda int, transA bool, b []float32, ldb int, transB bool,
	c []float32, ldc int, bias []float32, acc bool) {
	for i := range m {
		for j := range n {
			var s float32
			switch {
			case acc:
				s = c[i*ldc+j]
			case bias != nil:
				s = bias[j]
			}
			for p := range k {
				var av, bv float32
				if transA {
					av = a[i+p*lda]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s = fma32(av, bv, s)
			}
			c[i*ldc+j] = s
		}
	}
}

func skipUnavailable(t *testing.T) {
	if !Available() {
		t.Skip("sgemm kernels not available (no AVX2+FMA or purego build)")
	}
}

// eachLevel runs f on the AVX2 tiles and, where the CPU has AVX-512, on
// the AVX-512 ones too (the same chains: the same bits).
func eachLevel(t *testing.T, f func(t *testing.T)) {
	skipUnavailable(t)
	has512 := use512
	defer func() { use512 = has512 }()
	if !has512 {
		t.Log("no AVX-512 on this CPU: only the AVX2 tiles are checked")
	}
	for _, w := range []bool{false, true} {
		if w && !has512 {
			continue
		}
		use512 = w
		t.Run(Level(), f)
	}
}

// TestGemmBitwise compares Gemm with the reference chain bit for bit over
// sizes that are and are not multiples of the 6×16 and 6×32 tiles (odd m, n, k,
// padded leading dimensions), both layouts of A and B, all three
// initial values; C's padding columns must stay untouched.
func TestGemmBitwise(t *testing.T) { eachLevel(t, testGemmBitwise) }

func testGemmBitwise(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	sizes := [][3]int{{1, 1, 1}, {6, 16, 8}, {7, 17, 5}, {5, 15, 33}, {12, 32, 64}, {13, 40, 0}, {23, 3, 19}, {2, 256, 2}, {37, 50, 71},
		{9, 48, 7}, {6, 31, 10}, {11, 63, 4}}
	for _, sz := range sizes {
		m, n, k := sz[0], sz[1], sz[2]
		for _, transA := range []bool{false, true} {
			for _, transB := range []bool{false, true} {
				for mode := range 3 {
					lda := k + 3
					if transA {
						lda = m + 2
					}
					ldb, ldc := n+1, n+5
					if transB {
						ldb = k + 4
					}
					na := m * lda
					if transA {
						na = k * lda
					}
					nb := k * ldb
					if transB {
						nb = n * ldb
					}
					a, b := randSlice(r, na), randSlice(r, nb)
					c := randSlice(r, m*ldc)
					want := append([]float32(nil), c...)
					var bias []float32
					if mode == 1 {
						bias = randSlice(r, n)
					}
					bp := make([]float32, PackedLen(k, n))
					Pack(bp, b, k, n, ldb, transB)
					Gemm(m, n, k, a, lda, transA, bp, c, ldc, bias, mode == 2, b, a[:len(a)/2], make([]float32, 1000))
					refGemm(m, n, k, a, lda, transA, b, ldb, transB, want, ldc, bias, mode == 2)
					for i := range c {
						if math.Float32bits(c[i]) != math.Float32bits(want[i]) {
							t.Fatalf("m=%d n=%d k=%d transA=%v transB=%v mode=%d: c[%d] = %g, want %g",
								m, n, k, transA, transB, mode, i, c[i], want[i])
						}
					}
				}
			}
		}
	}
}

// TestPack checks the packed layout against its definition.
func TestPack(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, sz := range [][2]int{{3, 16}, {5, 37}, {1, 1}, {9, 48}} {
		k, n := sz[0], sz[1]
		for _, trans := range []bool{false, true} {
			ldb := n + 2
			nb := k * ldb
			if trans {
				ldb = k + 1
				nb = n * ldb
			}
			b := randSlice(r, nb)
			dst := randSlice(r, PackedLen(k, n))
			if !Available() {
				t.Skip("sgemm kernels not available")
			}
			Pack(dst, b, k, n, ldb, trans)
			for p := range k {
				for j := range (n + NR - 1) / NR * NR {
					var want float32
					switch {
					case j >= n:
					case trans:
						want = b[j*ldb+p]
					default:
						want = b[p*ldb+j]
					}
					if got := dst[j/NR*NR*k+NR*p+j%NR]; got != want {
						t.Fatalf("k=%d n=%d trans=%v: B(%d,%d) packed %g, want %g", k, n, trans, p, j, got, want)
					}
				}
			}
		}
	}
}

// TestGemmLayer checks the layer shapes against a float64 product: a
// 256-row block of x [rows, 256] times wᵀ plus bias, and the weight
// gradient gᵀ·x over k = 1000 rows computed in two calls (acc), which
// must also equal one call bit for bit. The float64 bound is the classic
// one for a chain of k + 1 roundings, (k + 1)·u·(|init| + Σ|a·b|) with
// u = 2⁻²⁴.
func TestGemmLayer(t *testing.T) { eachLevel(t, testGemmLayer) }

func testGemmLayer(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const u = 0x1p-24
	check := func(name string, got []float32, want, mag []float64, k int) {
		t.Helper()
		for i := range got {
			if e := math.Abs(float64(got[i]) - want[i]); e > float64(k+1)*u*mag[i] {
				t.Fatalf("%s: element %d = %g, want %g (error %g > bound %g)", name, i, got[i], want[i], e, float64(k+1)*u*mag[i])
			}
		}
	}
	const rows, in, out = 256, 256, 250
	x, w, bias := randSlice(r, rows*in), randSlice(r, out*in), randSlice(r, out)
	wp := make([]float32, PackedLen(in, out))
	Pack(wp, w, in, out, in, true)
	z := make([]float32, rows*out)
	Gemm(rows, out, in, x, in, false, wp, z, out, bias, false)
	want, mag := make([]float64, rows*out), make([]float64, rows*out)
	for i := range rows {
		for j := range out {
			s, m := float64(bias[j]), math.Abs(float64(bias[j]))
			for p := range in {
				v := float64(x[i*in+p]) * float64(w[j*in+p])
				s += v
				m += math.Abs(v)
			}
			want[i*out+j], mag[i*out+j] = s, m
		}
	}
	check("forward", z, want, mag, in)

	const k = 1000
	g, xs := randSlice(r, k*out), randSlice(r, k*in)
	gw := make([]float32, out*in)
	xp := make([]float32, PackedLen(k, in))
	Pack(xp, xs, k, in, in, false)
	Gemm(out, in, k, g, out, true, xp, gw, in, nil, false)
	gw2 := make([]float32, out*in)
	const k1 = 333
	xp1 := make([]float32, PackedLen(k1, in))
	Pack(xp1, xs, k1, in, in, false)
	Gemm(out, in, k1, g, out, true, xp1, gw2, in, nil, false)
	xp2 := make([]float32, PackedLen(k-k1, in))
	Pack(xp2, xs[k1*in:], k-k1, in, in, false)
	Gemm(out, in, k-k1, g[k1*out:], out, true, xp2, gw2, in, nil, true)
	want, mag = make([]float64, out*in), make([]float64, out*in)
	for p := range k {
		for i := range out {
			gv := float64(g[p*out+i])
			for j := range in {
				v := gv * float64(xs[p*in+j])
				want[i*in+j] += v
				mag[i*in+j] += math.Abs(v)
			}
		}
	}
	check("weight gradient", gw, want, mag, k)
	for i := range gw {
		if math.Float32bits(gw[i]) != math.Float32bits(gw2[i]) {
			t.Fatalf("weight gradient in two calls: element %d = %g, one call %g", i, gw2[i], gw[i])
		}
	}
}

func TestPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"short c": func() {
			Gemm(2, 16, 1, make([]float32, 2), 1, false, make([]float32, 16), make([]float32, 31), 16, nil, false)
		},
		"short a": func() {
			Gemm(2, 16, 2, make([]float32, 3), 2, false, make([]float32, 32), make([]float32, 32), 16, nil, false)
		},
		"short bp": func() {
			Gemm(2, 17, 1, make([]float32, 2), 1, false, make([]float32, 16), make([]float32, 34), 17, nil, false)
		},
		"bias": func() {
			Gemm(1, 16, 1, make([]float32, 1), 1, false, make([]float32, 16), make([]float32, 16), 16, make([]float32, 15), false)
		},
		"pack dst": func() { Pack(make([]float32, 15), make([]float32, 16), 1, 16, 16, false) },
		"pack ldb": func() { Pack(make([]float32, 32), make([]float32, 32), 2, 16, 8, false) },
		"trans lda": func() {
			Gemm(3, 16, 2, make([]float32, 6), 2, true, make([]float32, 32), make([]float32, 48), 16, nil, false)
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// benchLevels runs f as name/<level> on the AVX2 tiles and, where the CPU
// has them, the AVX-512 ones, so that one binary compares the two.
func benchLevels(b *testing.B, name string, f func(b *testing.B)) {
	has512 := use512
	defer func() { use512 = has512 }()
	for _, w := range []bool{false, true} {
		if w && !has512 {
			continue
		}
		use512 = w
		b.Run(name+"/"+Level(), f)
	}
}

// BenchmarkGemm runs the forward product of an MLP layer on one 256-row
// block (256 → 256, bias as the initial value, one thread) on each level.
func BenchmarkGemm(b *testing.B) {
	if !Available() {
		b.Skip("kernels not available")
	}
	const m, k, n = 256, 256, 256
	r := rand.New(rand.NewPCG(1, 2))
	a, w, bias := randSlice(r, m*k), randSlice(r, n*k), randSlice(r, n)
	wp := make([]float32, PackedLen(k, n))
	Pack(wp, w, k, n, k, true)
	c := make([]float32, m*n)
	benchLevels(b, "layer", func(b *testing.B) {
		for b.Loop() {
			Gemm(m, n, k, a, k, false, wp, c, n, bias, false)
		}
		b.ReportMetric(2*m*n*k*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}
