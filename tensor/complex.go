package tensor

import "fmt"

// Real returns the real part of a complex tensor (x itself if real).
func Real(x *Tensor) *Tensor {
	if !x.dtype.IsComplex() {
		return x
	}
	out := alloc(arenaOf(x), x.dtype.Real(), append([]int(nil), x.shape...), false)
	switch s := x.data.(type) {
	case []complex64:
		d := out.Float32s()
		for i, v := range s {
			d[i] = real(v)
		}
	case []complex128:
		d := out.Float64s()
		for i, v := range s {
			d[i] = real(v)
		}
	}
	return record(out, "Real", func(g *Tensor, _ []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		return []*Tensor{Complex(g, nil)}
	}, x)
}

// Imag returns the imaginary part of a complex tensor.
func Imag(x *Tensor) *Tensor {
	if !x.dtype.IsComplex() {
		panic(fmt.Sprintf("tensor.Imag: real tensor %v", x.dtype))
	}
	out := alloc(arenaOf(x), x.dtype.Real(), append([]int(nil), x.shape...), false)
	switch s := x.data.(type) {
	case []complex64:
		d := out.Float32s()
		for i, v := range s {
			d[i] = imag(v)
		}
	case []complex128:
		d := out.Float64s()
		for i, v := range s {
			d[i] = imag(v)
		}
	}
	return record(out, "Imag", func(g *Tensor, _ []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		return []*Tensor{Complex(nil, g)}
	}, x)
}

// Complex returns re + i·im; either part may be nil (zero), not both.
func Complex(re, im *Tensor) *Tensor {
	ref := re
	if ref == nil {
		ref = im
	}
	if ref == nil {
		panic("tensor.Complex: both parts nil")
	}
	if re != nil && im != nil && (!sameShape(re.shape, im.shape) || re.dtype != im.dtype) {
		panic(fmt.Sprintf("tensor.Complex: parts %v%v and %v%v differ", re.dtype, re.shape, im.dtype, im.shape))
	}
	out := alloc(arenaOf(re, im), ref.dtype.Complex(), append([]int(nil), ref.shape...), false)
	switch d := out.data.(type) {
	case []complex64:
		var r, m []float32
		if re != nil {
			r = re.Float32s()
		}
		if im != nil {
			m = im.Float32s()
		}
		for i := range d {
			var a, b float32
			if r != nil {
				a = r[i]
			}
			if m != nil {
				b = m[i]
			}
			d[i] = complex(a, b)
		}
	case []complex128:
		var r, m []float64
		if re != nil {
			r = re.Float64s()
		}
		if im != nil {
			m = im.Float64s()
		}
		for i := range d {
			var a, b float64
			if r != nil {
				a = r[i]
			}
			if m != nil {
				b = m[i]
			}
			d[i] = complex(a, b)
		}
	}
	var ins []*Tensor
	switch {
	case re != nil && im != nil:
		ins = []*Tensor{re, im}
	case re != nil:
		ins = []*Tensor{re}
	default:
		ins = []*Tensor{im}
	}
	hasRe, hasIm := re != nil, im != nil
	return record(out, "Complex", func(g *Tensor, _ []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		switch {
		case hasRe && hasIm:
			return []*Tensor{Real(g), Imag(g)}
		case hasRe:
			return []*Tensor{Real(g)}
		}
		return []*Tensor{Imag(g)}
	}, ins...)
}
