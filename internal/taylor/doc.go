// Package taylor runs fully connected networks in Taylor mode: the value of
// the network at a batch of points together with its first derivatives and
// chosen second derivatives with respect to the inputs, and the gradient of
// any linear function of those with respect to the parameters — the whole
// work of a physics-informed loss (pinn's Taylor path) in two fused
// kernels.
//
// # The computation
//
// The streams of a layer input h are the value h, first derivatives h_i
// and second derivatives h_pq, stacked as [K][N][width]. An affine layer
// a = W h + b maps every stream by W (b enters the value only); the
// activation gives
//
//	h = σ(a),  h_i = σ′(a) a_i,  h_pq = σ′(a) a_pq + σ″(a) a_p a_q,
//
// and its backward, with s1, s2, s3 = σ′, σ″, σ‴ at a,
//
//	ḡ_a   = g s1 + Σ_i g_i a_i s2 + Σ_pq g_pq (a_pq s2 + a_p a_q s3)
//	ḡ_a_i = g_i s1 + Σ_{pq ∋ i} g_pq s2 a_(other index)
//	ḡ_a_pq = g_pq s1.
//
// # Blocks, groups and determinism
//
// Points are carried through the whole network 32 at a time (a block), so
// each layer's streams of a block — all K streams in one product
// [K·32, in]·Wᵀ — stay in the first-level caches, and the backward pass
// recomputes the forward pass of its block instead of reading saved
// activations back from memory; only the hidden layers' values tanh a
// (one stream, SavedLen) may be kept from Forward to spare their second
// evaluation. Blocks form at most 16 groups whose boundaries depend only
// on N; a group sums its parameter gradient over its blocks in order, and
// the groups' sums are added in order, so results are bitwise identical
// for any GOMAXPROCS.
//
// # Implementations
//
// The default build compiles the kernels in C (cgo) twice — for the x86-64
// baseline and with AVX2 and FMA — and picks the AVX2 version at start-up
// when the CPU supports it. The small products use register-blocked loops
// (tiles of 4 rows × 12, 8 or 4 columns) written with GCC vector types;
// for tanh with up to 3 first derivatives and 3 pairs the activation and
// its backward run in one vectorised pass over the elements (the stream
// loops unrolled), and tanh itself is evaluated in vectorisable form
// (Cephes' method, as Go's math.Tanh, with a degree-13 polynomial
// exponential), within 2 ulp of math.Tanh. With the build tag purego the same algorithm runs in Go
// (with math.Tanh); the builds agree to rounding, not bitwise.
//
// # Layout of the C kernels' arguments
//
// meta (int64): layers L, streams K, first derivatives F, pairs P,
// activation, widths[0…L], then the pairs (2P indices). params: W_l and b_l
// for l = 1…L; wt: W_lᵀ ([in, out]) for l = 1…L. Per block of B points the
// scratch holds H_l ([K][B][w_l], l = 0…L), A_l (l = 1…L), 3·max w
// entries per point of temporaries and the two gradient buffers
// ([K][B][max w] each). The saved tanh values are [n][w_l] for each hidden
// layer l in turn.
package taylor
