package pinn

import (
	"math"
	"testing"

	"github.com/sciml-go/sciml/nn"
)

// The unshifted sequence matches the published Joe–Kuo Sobol points
// (PyTorch's SobolEngine, which uses the same direction numbers and
// Gray-code order), scaled by 2³², in all 21 dimensions.
func TestSobolPublished(t *testing.T) {
	want := map[int][]uint64{
		1:     {2147483648, 2147483648, 2147483648, 2147483648, 2147483648, 2147483648, 2147483648, 2147483648, 2147483648, 2147483648, 2147483648, 2147483648, 2147483648, 2147483648, 2147483648, 2147483648, 2147483648, 2147483648, 2147483648, 2147483648, 2147483648},
		2:     {3221225472, 1073741824, 1073741824, 1073741824, 3221225472, 3221225472, 1073741824, 3221225472, 3221225472, 3221225472, 3221225472, 3221225472, 1073741824, 1073741824, 3221225472, 1073741824, 3221225472, 1073741824, 3221225472, 1073741824, 1073741824},
		3:     {1073741824, 3221225472, 3221225472, 3221225472, 1073741824, 1073741824, 3221225472, 1073741824, 1073741824, 1073741824, 1073741824, 1073741824, 3221225472, 3221225472, 1073741824, 3221225472, 1073741824, 3221225472, 1073741824, 3221225472, 3221225472},
		4:     {1610612736, 1610612736, 2684354560, 3758096384, 1610612736, 536870912, 1610612736, 3758096384, 3758096384, 2684354560, 3758096384, 1610612736, 1610612736, 2684354560, 1610612736, 3758096384, 1610612736, 3758096384, 3758096384, 536870912, 536870912},
		7:     {536870912, 2684354560, 1610612736, 536870912, 536870912, 1610612736, 2684354560, 2684354560, 2684354560, 3758096384, 2684354560, 536870912, 2684354560, 1610612736, 536870912, 536870912, 536870912, 536870912, 2684354560, 3758096384, 3758096384},
		8:     {805306368, 1342177280, 4026531840, 1879048192, 2415919104, 1342177280, 1879048192, 4026531840, 4026531840, 1342177280, 2952790016, 268435456, 4026531840, 4026531840, 3489660928, 4026531840, 3489660928, 3489660928, 4026531840, 1342177280, 805306368},
		1023:  {4194304, 3233808384, 2629828608, 624951296, 801112064, 1883242496, 599785472, 2654994432, 1480589312, 3653238784, 2915041280, 155189248, 557842432, 2856321024, 1556086784, 1992294400, 1346371584, 3762290688, 2512388096, 1371537408, 3720347648},
		1024:  {6291456, 1616904192, 1923088384, 2090860544, 2392850432, 3625975808, 1038090240, 2522873856, 2992635904, 2883584000, 3529506816, 3957325824, 3034578944, 1453326336, 568328192, 3680501760, 3672113152, 849346560, 2313158656, 1486880768, 2254438400},
		12345: {2752774144, 3493593088, 688652288, 2262564864, 3816030208, 252968960, 546570240, 486801408, 3443785728, 1845231616, 319029248, 2571894784, 3998482432, 4045144064, 148111360, 2752249856, 268697600, 218890240, 1371799552, 1475084288, 855900160},
	}
	if SobolMaxDim != 21 {
		t.Fatalf("SobolMaxDim = %d", SobolMaxDim)
	}
	// From the start (Skip 1) and jumping in (Skip = index).
	all := Sobol{NoShift: true}.Sample(12345, 21, nil)
	for i, w := range want {
		one := Sobol{Skip: i, NoShift: true}.Sample(1, 21, nil)
		for d := range 21 {
			if got := uint64(all[(i-1)*21+d] * (1 << 32)); got != w[d] {
				t.Fatalf("point %d dim %d = %d·2⁻³², want %d", i, d, got, w[d])
			}
			if got := uint64(one[d] * (1 << 32)); got != w[d] {
				t.Fatalf("Skip %d: dim %d = %d·2⁻³², want %d", i, d, got, w[d])
			}
		}
	}
}

// Points 2^m … 2^{m+1}−1 form a (t, m, d)-net: one point in each interval
// [k/2^m, (k+1)/2^m) of every axis, and (t = 0 for the first two
// dimensions) one in each 2^−a × 2^−(m−a) box of that plane — also after
// a random digital shift.
func TestSobolNet(t *testing.T) {
	const m = 10
	n := 1 << m
	for _, q := range []Sobol{{Skip: n, NoShift: true}, {Skip: n}} {
		p := q.Sample(n, 21, nn.NewRand(5))
		for d := range 21 {
			seen := make([]bool, n)
			for i := range n {
				k := int(p[i*21+d] * float64(n))
				if seen[k] {
					t.Fatalf("%+v: dim %d: interval %d holds two points", q, d, k)
				}
				seen[k] = true
			}
		}
		for a := 0; a <= m; a++ {
			seen := map[[2]int]bool{}
			for i := range n {
				seen[[2]int{int(p[i*21] * float64(int(1)<<a)), int(p[i*21+1] * float64(int(1)<<(m-a)))}] = true
			}
			if len(seen) != n {
				t.Fatalf("%+v: boxes 2^-%d × 2^-%d: %d of %d hold a point", q, a, m-a, len(seen), n)
			}
		}
	}
}

// starL2 returns the L2-star discrepancy of points in [0,1)^d (Warnock's
// formula).
func starL2(p []float64, n, d int) float64 {
	s1, s2 := 0.0, 0.0
	for i := range n {
		pr := 1.0
		for k := range d {
			x := p[i*d+k]
			pr *= 1 - x*x
		}
		s1 += pr
		for j := range n {
			pr := 1.0
			for k := range d {
				pr *= 1 - math.Max(p[i*d+k], p[j*d+k])
			}
			s2 += pr
		}
	}
	nn := float64(n)
	return math.Sqrt(math.Pow(3, -float64(d)) - math.Pow(2, 1-float64(d))/nn*s1 + s2/(nn*nn))
}

// Sobol points have a far lower discrepancy than independent uniform ones
// (whose mean squared L2-star discrepancy is (2^−d − 3^−d)/N) and than a
// Latin hypercube.
func TestSobolDiscrepancy(t *testing.T) {
	const n, d = 1024, 5
	r := nn.NewRand(3)
	sob := starL2(Sobol{}.Sample(n, d, r), n, d)
	uni := starL2(Uniform{}.Sample(n, d, r), n, d)
	lhs := starL2(LHS{}.Sample(n, d, r), n, d)
	expect := math.Sqrt((math.Pow(2, -d) - math.Pow(3, -d)) / n)
	t.Logf("L2-star discrepancy, %d points in %d-D: Sobol %.3e, uniform %.3e (expected %.3e), LHS %.3e", n, d, sob, uni, expect, lhs)
	if !(sob < expect/3 && sob < uni/2 && sob < lhs/2) {
		t.Errorf("Sobol discrepancy %.3e not well below uniform %.3e (expected %.3e) and LHS %.3e", sob, uni, expect, lhs)
	}
}
