package inr

import (
	"fmt"
	"math"
)

// PSNR returns the peak signal-to-noise ratio 10·log10(R²/MSE) of pred
// against target in dB, with R the data range (max − min of the signal's
// scale, e.g. 1 for images in [0, 1]). It is +Inf for identical inputs.
func PSNR(pred, target []float64, dataRange float64) float64 {
	checkLen("PSNR", pred, target)
	var s float64
	for i, p := range pred {
		d := p - target[i]
		s += d * d
	}
	return psnrFromMSE(s/float64(len(pred)), dataRange)
}

func psnrFromMSE(mse, dataRange float64) float64 {
	return 10 * math.Log10(dataRange*dataRange/mse)
}

// RelL2 returns ‖pred − target‖₂/‖target‖₂.
func RelL2(pred, target []float64) float64 {
	checkLen("RelL2", pred, target)
	var num, den float64
	for i, p := range pred {
		d := p - target[i]
		num += d * d
		den += target[i] * target[i]
	}
	return math.Sqrt(num / den)
}

func checkLen(fn string, a, b []float64) {
	if len(a) != len(b) || len(a) == 0 {
		panic(fmt.Sprintf("inr.%s: lengths %d and %d", fn, len(a), len(b)))
	}
}

// SSIM window: Gaussian of size 11 and σ = 1.5, constants K1 = 0.01,
// K2 = 0.03 (Wang et al. 2004).
const (
	ssimWin   = 11
	ssimSigma = 1.5
	ssimK1    = 0.01
	ssimK2    = 0.03
)

// ssimWeights returns the normalised 1-D Gaussian window; the 2-D window is
// its outer product.
func ssimWeights() []float64 {
	w := make([]float64, ssimWin)
	var s float64
	for i := range w {
		x := float64(i - ssimWin/2)
		w[i] = math.Exp(-x * x / (2 * ssimSigma * ssimSigma))
		s += w[i]
	}
	for i := range w {
		w[i] /= s
	}
	return w
}

// SSIM returns the mean structural similarity of two h×w images with c
// channels (row-major, channels last), as Wang et al. (2004) define it:
// over every 11×11 window fully inside the image ("valid"), with Gaussian
// weights w (σ = 1.5),
//
//	μx = Σ w x,  σx² = Σ w x² − μx²,  σxy = Σ w xy − μxμy,
//	SSIM = (2μxμy + C1)(2σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)),
//
// C1 = (0.01R)², C2 = (0.03R)², R the data range; the result is the mean
// over windows and channels. Images smaller than 11×11 give NaN.
func SSIM(pred, target []float64, h, w, c int, dataRange float64) float64 {
	checkLen("SSIM", pred, target)
	if len(pred) != h*w*c {
		panic(fmt.Sprintf("inr.SSIM: %d values for %d×%d×%d", len(pred), h, w, c))
	}
	if h < ssimWin || w < ssimWin {
		return math.NaN()
	}
	g := ssimWeights()
	c1 := (ssimK1 * dataRange) * (ssimK1 * dataRange)
	c2 := (ssimK2 * dataRange) * (ssimK2 * dataRange)
	ho, wo := h-ssimWin+1, w-ssimWin+1
	// Separable filtering of the five maps x, y, x², y², xy: rows first.
	rows := make([][]float64, 5)
	for k := range rows {
		rows[k] = make([]float64, h*wo)
	}
	var total float64
	for ch := range c {
		for i := range h {
			for j := range wo {
				var s [5]float64
				for t, gt := range g {
					x := pred[(i*w+j+t)*c+ch]
					y := target[(i*w+j+t)*c+ch]
					s[0] += gt * x
					s[1] += gt * y
					s[2] += gt * x * x
					s[3] += gt * y * y
					s[4] += gt * x * y
				}
				for k := range s {
					rows[k][i*wo+j] = s[k]
				}
			}
		}
		for i := range ho {
			for j := range wo {
				var s [5]float64
				for t, gt := range g {
					for k := range s {
						s[k] += gt * rows[k][(i+t)*wo+j]
					}
				}
				mx, my := s[0], s[1]
				vx, vy, cxy := s[2]-mx*mx, s[3]-my*my, s[4]-mx*my
				total += (2*mx*my + c1) * (2*cxy + c2) / ((mx*mx + my*my + c1) * (vx + vy + c2))
			}
		}
	}
	return total / float64(ho*wo*c)
}
