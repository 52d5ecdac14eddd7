// Package tensor is sciml's numerical core: dense n-dimensional arrays of
// float32, float64, complex64 and complex128, their operations on BLAS and
// FFTW, and reverse-mode automatic differentiation with gradients of
// gradients.
//
// # Tensors
//
// A Tensor is contiguous and row-major. Operations return new tensors;
// Reshape, Detach and In share storage. Binary operations broadcast with
// NumPy's rules. Shape and dtype mismatches are programmer errors and panic
// with a message naming the shapes.
//
// # Autodiff
//
// An operation whose input requires gradients records a node: its inputs
// and a backward rule. Backward rules are written with the package's own
// differentiable operations, so one mechanism yields first derivatives and,
// with Grad(..., createGraph=true), derivatives of derivatives:
//
//	x := tensor.FromFloat64s(tensor.Float64, xs, n, 1).SetRequiresGrad(true)
//	u := net(x)
//	ux := tensor.Grad1(u, x, true)   // ∂u/∂x, itself differentiable
//	uxx := tensor.Grad1(ux, x, true) // ∂²u/∂x²
//	loss := tensor.Mean(tensor.Square(tensor.Sub(uxx, f)))
//	loss.Backward()                  // ∂loss/∂θ into each parameter's Grad
//
// The engine only visits nodes that lead to a wanted gradient and tells each
// rule which input gradients are needed, so ∂u/∂x does not pay for weight
// gradients. For complex tensors the gradient of a real loss L is
// ∂L/∂Re z + i·∂L/∂Im z (PyTorch's convention), which is what gradient
// descent on the real and imaginary parts needs.
//
// GradCheck and GradGradCheck compare first and second derivatives with
// central finite differences; every operation's tests use them.
//
// # Memory
//
// An Arena recycles the storage of a training step's tensors (see Arena),
// so steady-state steps allocate no large buffers. An arena with gradients
// turned off (SetGrad(false)) is the inference mode: nothing is recorded.
//
// # Threads and determinism
//
// Kernels split work into chunks whose boundaries depend only on the sizes,
// run them on up to Threads() goroutines, and combine partial reductions in
// chunk order. Results are bitwise identical for any GOMAXPROCS.
package tensor
