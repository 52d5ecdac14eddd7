// Package operator holds what every neural operator in sciml shares: the
// Operator interface (a function sampled on a grid in, a function on a grid
// out, at any resolution), grid coordinate features, and the models that
// are not Fourier neural operators (the kernel-integral family, MgNO,
// DeepONet). Package fno builds the Fourier family on it.
//
// Layout: functions are tensors [B, C, n_1, …, n_d] — batch, channels
// (the components of the function), then the grid axes — as in PyTorch.
package operator
