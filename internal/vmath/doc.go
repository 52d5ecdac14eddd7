// Package vmath evaluates transcendental functions on float32 slices: the
// activation kernels of sciml's tensor core (sin and cos for SIREN, tanh,
// exp, sigmoid), which run on whole layers of activations and so must be
// both fast and exact enough to train with.
//
// # Kernels and accuracy
//
// Sin, Cos, SinQ and SinCos work in float32 arithmetic. The argument is
// reduced by π/2 with a four-part Cody–Waite constant whose first steps
// are exact, keeping the rounding error of the last step as a second word
// (2Sum); minimax polynomials, evaluated with fused multiply-adds (one
// rounding per a·b + c), then give sin and cos of the reduced argument and
// the quadrant picks one. Over every float32 |x| ≤ 8192 — checked
// exhaustively, see TestExhaustiveSinCos — the error is below 0.92 ulp
// for sin and for cos (documented bound: 0.98 ulp). Larger or non-finite arguments go through
// the float64 library sine (correctly rounded to float32; NaN for ±Inf and
// NaN). SIREN's pre-activations ω₀·z (ω₀ = 30) stay in the hundreds.
//
// Exp, Tanh and Sigmoid evaluate in float64 (Cody–Waite reduction by ln 2
// and a degree-11 Taylor polynomial for e^r; tanh a = 1 − 2/(e^{2a} + 1),
// or a Taylor series below 1/16) and round once: within 0.50001 ulp of the
// exact value for every float32 input, with the limits (0, 1, ±1, +Inf)
// exact.
//
// GELU and its derivative evaluate in float32 (see geluCore in ref.go):
// Φ(−|x|) = e^(−x²/2)·erfcx(|x|/√2)/2 with x² split exactly, e^r by a
// degree-7 Taylor polynomial after Cody–Waite reduction, erfcx by a
// degree-10 polynomial in 1/(1 + |x|/2); GELU within 6 ulp, GELU′ within
// 2·10⁻⁷ absolute, checked over every float32 (TestExhaustiveGELU). They
// were float64 kernels correct to half an ulp, and FNO training spent a
// fifth of its time in them; the float32 ones are several times faster.
//
// # Implementations and determinism
//
// The default build compiles the kernels in C (cgo) twice — for the
// x86-64 baseline and with AVX2 and FMA — and picks the AVX2+FMA version
// at start-up when the CPU and OS support both (golang.org/x/sys/cpu), so
// no instruction the CPU lacks is ever run. gcc vectorises the loops (8
// float32 or 4 float64 lanes with AVX2); SinCos, the forward pass of a
// SIREN layer, is written with AVX2 intrinsics. With the build tag purego
// the same algorithms run in Go. All versions perform the same IEEE
// operations in the same order — no reassociation, and no fused
// multiply-add but where the algorithm says so (the sine polynomials),
// where the FMA instruction and, without it, an exact emulation (the
// product in float64, the sum rounded to odd, then to float32; fma32 in
// ref.go) give the same bits — so they return bitwise identical results on
// every machine and in both builds (TestBitwise, TestFMA32). Kernels are
// elementwise: results never depend on how a slice is split between
// threads.
package vmath
