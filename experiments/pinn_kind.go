package experiments

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gopkg.in/yaml.v3"

	"github.com/sciml-go/sciml/internal/atomicfile"
	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/operator"
	"github.com/sciml-go/sciml/pinn"
	"github.com/sciml-go/sciml/tensor"
)

// KindPINN is the kind of the physics-informed experiments (PINNConfig).
const KindPINN = "pinn"

func init() {
	RegisterKind(Kind{
		Name:     KindPINN,
		Describe: "physics-informed network on a benchmark PDE (Burgers, Poisson on a square or a shape, convection, reaction, wave), forward or inverse",
		Resolve: func(src []byte, label, profile string) ([]byte, error) {
			c, err := DecodePINN(src, label, profile)
			if err != nil {
				return nil, err
			}
			return yaml.Marshal(c)
		},
		Run: func(ctx context.Context, src []byte, label, profile string, opts Options) (string, error) {
			c, err := DecodePINN(src, label, profile)
			if err != nil {
				return "", err
			}
			res, err := RunPINN(ctx, c, opts)
			if err != nil {
				return "", err
			}
			return res.Summary(), nil
		},
	})
}

// PINNProblems lists the problem types of a PINN experiment.
var PINNProblems = []string{"burgers", "poisson", "convection", "reaction", "wave", "heat"}

// PINNConfig is a physics-informed experiment (kind: pinn): a benchmark
// problem, the network, how collocation points are drawn, the training
// recipe (Adam then L-BFGS), the evaluation grid and the error the run
// should reach.
type PINNConfig struct {
	// Kind is "pinn".
	Kind string `yaml:"kind"`
	// Name names the experiment (the runs directory defaults to it).
	Name string `yaml:"name"`
	// Description says what it reproduces.
	Description string `yaml:"description,omitempty"`
	// Profile is the profile applied.
	Profile string `yaml:"profile,omitempty"`
	// Seed seeds the initialisation, the problem's boundary points and
	// the collocation sampler.
	Seed     uint64       `yaml:"seed"`
	Problem  PINNProblem  `yaml:"problem"`
	Net      PINNNet      `yaml:"net"`
	Sampling PINNSampling `yaml:"sampling"`
	Train    PINNTrain    `yaml:"train"`
	Eval     PINNEval     `yaml:"eval"`
	// Expect states the errors the run should reach (upper bounds).
	Expect *PINNExpect `yaml:"expect,omitempty"`

	src   string
	lines map[string]int
}

// PINNProblem selects the benchmark problem and its coefficients.
type PINNProblem struct {
	// Type is burgers (Raissi et al.), poisson (−Δu = 2π² sin πx sin πy on
	// [0,1]²), convection (u_t + βu_x = 0), reaction (u_t = ρu(1 − u)) or
	// wave (u_tt = 4u_xx), those three PINNsFormer's, or heat
	// (u_t = Δu on domain × [0, 1], inputs (x, y, t), exact
	// e^{−2t} sin x sin y, pinn.HeatOn).
	Type string `yaml:"type"`
	// Nu is Burgers' viscosity (default 0.01/π).
	Nu float64 `yaml:"nu,omitempty"`
	// Beta is the convection speed (default 50).
	Beta float64 `yaml:"beta,omitempty"`
	// Rho is the reaction rate (default 5).
	Rho float64 `yaml:"rho,omitempty"`
	// BoundaryPoints is the number of boundary/initial points: burgers
	// N_u in all (default 100: half at t = 0, a quarter on each side),
	// poisson per side (default 100; on a domain other than the square, in
	// all), convection/reaction/wave the points of the initial line and of
	// each boundary line (default 101), heat the points of the initial
	// slice and of the lateral boundary (default 400 each).
	BoundaryPoints int `yaml:"boundary_points,omitempty"`
	// Domain is the space domain of poisson and heat (their exact
	// solutions hold on any): square ([0, 1]², default), disk (centre
	// (½, ½), radius ½), lshape ([0, 1]² without [½, 1]²) or plate ([0, 1]²
	// without the disk of radius ¼ at its centre, a plate with a hole).
	Domain string `yaml:"domain,omitempty"`
	// BC is the boundary condition of poisson and heat (on the lateral
	// boundary), with data from the exact solution (pinn.PoissonOn,
	// pinn.HeatOn): dirichlet (default), neumann (where the normal faces
	// right or up, Dirichlet elsewhere) or robin (u + ∂u/∂n = g).
	BC string `yaml:"bc,omitempty"`
	// Box makes poisson's domain the box [lo, hi] of 2 or 3 dimensions
	// (in place of domain), with the manufactured solution Π sin πx_i,
	// −Δu = dπ² Π sin πx_i (pinn.PoissonBox): in 3-D the inputs are
	// (x, y, z) and the evaluation grid is 3-D.
	Box *PINNBox `yaml:"box,omitempty"`
	// Faces sets poisson's condition per face of its box (or of the unit
	// square), by the face's name: x=0, x=1, y=0, y=1, z=0, z=1 on the
	// unit cube (the face's coordinate: x=0.5 on a box from x = 0.5),
	// each dirichlet, neumann or robin (with data from the exact
	// solution). Faces left out take bc (neumann: on the high faces, the
	// low ones dirichlet). Not every face may be neumann.
	Faces map[string]string `yaml:"faces,omitempty"`
	// Inverse makes it an inverse problem: the PDE coefficient is
	// unknown and trained with the network from measurements.
	Inverse *PINNInverse `yaml:"inverse,omitempty"`
}

// PINNBox is a box domain [Lo, Hi] (one bound per axis).
type PINNBox struct {
	Lo []float64 `yaml:"lo"`
	Hi []float64 `yaml:"hi"`
}

// box returns poisson's box: problem.box, or the unit square.
func (c *PINNConfig) box() pinn.Box {
	if b := c.Problem.Box; b != nil {
		return pinn.Box{Lo: slices.Clone(b.Lo), Hi: slices.Clone(b.Hi)}
	}
	return pinn.Box{Lo: []float64{0, 0}, Hi: []float64{1, 1}}
}

// boxed reports whether the problem is poisson on a box with conditions
// per face (problem.box or problem.faces).
func (c *PINNConfig) boxed() bool {
	return c.Problem.Type == "poisson" && (c.Problem.Box != nil || len(c.Problem.Faces) > 0)
}

// faceBCs returns the condition of each face of the box (pinn.PoissonBox
// order): problem.faces, else problem.bc (neumann on the high faces).
func (c *PINNConfig) faceBCs(box pinn.Box) []string {
	names := pinn.FaceNames(box)
	bcs := make([]string, len(names))
	for f, name := range names {
		bcs[f] = orDefault(c.Problem.BC, "dirichlet")
		if bcs[f] == "neumann" && f%2 == 0 {
			bcs[f] = "dirichlet"
		}
		if v, ok := c.Problem.Faces[name]; ok {
			bcs[f] = v
		}
	}
	return bcs
}

// PINNInverse is an inverse problem: the coefficient (burgers ν,
// convection β, reaction ρ, wave c² of u_tt = c² u_xx) starts at Initial
// and is trained with the network, from DataPoints values of the
// reference solution (problem.nu, beta, rho or c² = 4) at random points of
// the evaluation grid, a loss term named "data".
type PINNInverse struct {
	DataPoints int     `yaml:"data_points"`
	Initial    float64 `yaml:"initial,omitempty"`
	// DataOnly drops the initial and boundary conditions: the data alone
	// pin the solution down (Raissi et al.'s inverse Burgers).
	DataOnly bool `yaml:"data_only,omitempty"`
}

// PINNNet describes the network: a pinn.NetConfig (type mlp, pinnsformer
// or kan with that type's fields: hidden, activation, fourier_features,
// …), its dtype, and whether the conditions are imposed exactly.
type PINNNet struct {
	pinn.NetConfig `yaml:",inline"`
	// DType is float64 (default) or float32.
	DType string `yaml:"dtype,omitempty"`
	// HardConstraint imposes the problem's initial and Dirichlet
	// conditions exactly by an output transform (hardConstraint) instead
	// of loss terms. Under time-marching each window's transform takes
	// its initial values from the previous window's network at the
	// window's start, its time factor (t, t²) shifted to the window and
	// stretched by the number of windows (pinn.WindowConstrained).
	HardConstraint bool `yaml:"hard_constraint,omitempty"`
}

// PINNSampling says how collocation points are drawn.
type PINNSampling struct {
	// Sampler is uniform, lhs (default), halton, sobol or grid.
	Sampler string `yaml:"sampler,omitempty"`
	// Points is the number of collocation points (default 10,000; for a
	// grid, the product of its sizes).
	Points int `yaml:"points,omitempty"`
	// Grid gives the grid sampler's points per axis (x, then t or y),
	// ends included: [101, 101] is PINNsFormer's training grid. Without it
	// the grid is square, of Points points.
	Grid []int `yaml:"grid,omitempty"`
	// ResampleEvery redraws them every that many Adam steps (0: never).
	ResampleEvery int `yaml:"resample_every,omitempty"`
	// Adaptive is residual-based refinement during Adam.
	Adaptive *PINNAdaptive `yaml:"adaptive,omitempty"`
	// BoundarySampler draws burgers' initial and boundary points on each
	// face: uniform (default, independent points) or lhs (stratified: one
	// point in each of the face's n equal intervals; pinn.BurgersSampled).
	BoundarySampler string `yaml:"boundary_sampler,omitempty"`
}

// PINNAdaptive is RAR (add the Add candidates of largest residual) or RAD
// (redraw by residual density) every Every Adam steps from Pool
// candidates (pinn.Adaptive).
type PINNAdaptive struct {
	Method string  `yaml:"method"`
	Every  int     `yaml:"every"`
	Pool   int     `yaml:"pool,omitempty"`
	Add    int     `yaml:"add,omitempty"`
	K      float64 `yaml:"k,omitempty"`
	C      float64 `yaml:"c,omitempty"`
}

// PINNTrain is the training recipe: Adam, then L-BFGS.
type PINNTrain struct {
	Adam     PINNAdam     `yaml:"adam"`
	Schedule PINNSchedule `yaml:"schedule,omitempty"`
	LBFGS    PINNLBFGS    `yaml:"lbfgs"`
	Weights  PINNWeights  `yaml:"weights,omitempty"`
	// Causal weights the residual causally in time.
	Causal *PINNCausal `yaml:"causal,omitempty"`
	// Marching trains by time-marching (pinn.Marcher): adam.steps and
	// lbfgs.iterations, and sampling.points, are then per time window.
	Marching *PINNMarching `yaml:"marching,omitempty"`
	// LogEvery logs (and records in metrics.jsonl) every that many steps
	// (default 100); CheckpointEvery checkpoints (default 500).
	LogEvery        int `yaml:"log_every,omitempty"`
	CheckpointEvery int `yaml:"checkpoint_every,omitempty"`
}

// PINNAdam is the Adam phase.
type PINNAdam struct {
	Steps int     `yaml:"steps"`
	LR    float64 `yaml:"lr,omitempty"` // default 1e-3
}

// PINNSchedule is Adam's learning-rate schedule: constant (default),
// exponential (×Gamma per step), step (×Gamma every StepSize steps) or
// cosine (to Min over the Adam steps).
type PINNSchedule struct {
	Type     string  `yaml:"type,omitempty"`
	Gamma    float64 `yaml:"gamma,omitempty"`
	StepSize int     `yaml:"step_size,omitempty"`
	Min      float64 `yaml:"min,omitempty"`
}

// PINNLBFGS is the L-BFGS phase (strong-Wolfe line search).
type PINNLBFGS struct {
	// Iterations in all.
	Iterations int `yaml:"iterations"`
	// History is the number of correction pairs (default 50).
	History int `yaml:"history,omitempty"`
	// PerStep iterations between progress lines and checkpoints (default
	// 50).
	PerStep int `yaml:"per_step,omitempty"`
}

// PINNWeights are the loss weights: static (Residual and the named
// conditions' weights, default 1) or balance (gradient-norm balancing
// every Every Adam steps with rate Alpha).
type PINNWeights struct {
	Mode       string             `yaml:"mode,omitempty"`
	Residual   float64            `yaml:"residual,omitempty"`
	Conditions map[string]float64 `yaml:"conditions,omitempty"`
	Every      int                `yaml:"every,omitempty"`
	Alpha      float64            `yaml:"alpha,omitempty"`
}

// PINNCausal is causal weighting (pinn.Causal) along time.
type PINNCausal struct {
	Bins    int     `yaml:"bins,omitempty"`
	Epsilon float64 `yaml:"epsilon,omitempty"`
}

// PINNMarching is time-marching over Windows equal time slabs, each
// network warm-started from the previous slab's (pinn.Marcher). It
// composes with net.hard_constraint (each slab's output transform imposes
// the previous slab's values at its start) and with problem.inverse (one
// coefficient, trained in every slab from the value the previous slab
// reached, from the measurements inside the slab). The run checkpoints
// after every slab (with the coefficient); --resume continues at the slab
// it was in.
type PINNMarching struct {
	Windows int `yaml:"windows"`
}

// PINNEval is the evaluation grid.
type PINNEval struct {
	// Grid is the number of points along each axis (x, then t or y; x,
	// y, t for heat): default Raissi's 257 × 100 for burgers, 41 × 41 × 11
	// for heat (the grid points inside the domain at each time), 101 × 101
	// otherwise.
	Grid []int `yaml:"grid,omitempty"`
	// ReferenceGrid and ReferenceDt are the Burgers reference solver's
	// Fourier points and time step (default 4096, 1e-4).
	ReferenceGrid int     `yaml:"reference_grid,omitempty"`
	ReferenceDt   float64 `yaml:"reference_dt,omitempty"`
}

// PINNExpect bounds the errors on the evaluation grid: the relative L2
// error ‖u − u*‖/‖u*‖ (which is PINNsFormer's rRMSE), and rMAE =
// Σ|u − u*|/Σ|u*|; and, for an inverse problem, the relative error of the
// identified coefficient. Zero bounds are not checked.
type PINNExpect struct {
	RelL2       float64 `yaml:"rel_l2,omitempty"`
	RMAE        float64 `yaml:"rmae,omitempty"`
	RRMSE       float64 `yaml:"rrmse,omitempty"`
	Coefficient float64 `yaml:"coefficient,omitempty"`
}

// DecodePINN decodes a PINN config (strictly, with the profile applied)
// and validates it; errors name the file, the line and the key.
func DecodePINN(src []byte, label, profile string) (*PINNConfig, error) {
	var c PINNConfig
	lines, err := DecodeStrict(src, label, profile, &c)
	if err != nil {
		return nil, err
	}
	c.src, c.lines = label, lines
	if profile != "" {
		c.Profile = profile
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("experiment %s: %w", label, err)
	}
	return &c, nil
}

// conditionNames are the loss terms of each problem's conditions, and
// those a hard constraint imposes exactly.
var (
	conditionNames = map[string][]string{
		"burgers":    {"initial", "left", "right"},
		"poisson":    {"x=0", "x=1", "y=0", "y=1"},
		"convection": {"initial", "periodic"},
		"reaction":   {"initial", "periodic"},
		"wave":       {"initial", "initial_velocity", "left", "right"},
		"heat":       {"initial", "lateral"},
	}
	hardImposed = map[string][]string{
		"burgers":    {"initial", "left", "right"},
		"poisson":    {"x=0", "x=1", "y=0", "y=1"},
		"convection": {"initial"},
		"reaction":   {"initial"},
		"wave":       {"initial", "initial_velocity", "left", "right"},
	}
)

// PINNDomains are poisson's domains (PINNProblem.Domain).
var PINNDomains = []string{"square", "disk", "lshape", "plate"}

// inverseCoefficient names each problem's coefficient that an inverse
// problem identifies.
var inverseCoefficient = map[string]string{"burgers": "nu", "convection": "beta", "reaction": "rho", "wave": "c2"}

// conditionNames returns the names of the experiment's condition loss
// terms (before a hard constraint removes some).
func (c *PINNConfig) conditionNames() []string {
	p := c.Problem
	names := conditionNames[p.Type]
	if p.Type == "poisson" && p.Domain != "" && p.Domain != "square" {
		names = []string{"boundary"}
		if p.BC == "neumann" {
			names = []string{"neumann", "dirichlet"}
		}
	}
	if p.Type == "heat" && p.BC == "neumann" {
		names = []string{"initial", "neumann", "dirichlet"}
	}
	if c.boxed() && c.boxValid() {
		names = pinn.FaceNames(c.box())
	}
	if inv := p.Inverse; inv != nil {
		if inv.DataOnly {
			names = nil
		}
		names = append(slices.Clone(names), "data")
	}
	return names
}

// inputs returns the number of network inputs: 3 for heat (x, y, t)
// and for poisson on a 3-D box (x, y, z), else 2.
func (c *PINNConfig) inputs() int {
	if c.Problem.Type == "heat" || c.boxed() && c.boxValid() && len(c.Problem.Box.Lo) == 3 {
		return 3
	}
	return 2
}

// boxValid reports whether problem.box (if any) is a valid 2-D or 3-D
// box.
func (c *PINNConfig) boxValid() bool {
	b := c.Problem.Box
	if b == nil {
		return true
	}
	if len(b.Lo) != len(b.Hi) || len(b.Lo) < 2 || len(b.Lo) > 3 {
		return false
	}
	for i := range b.Lo {
		if !(b.Lo[i] < b.Hi[i]) || math.IsInf(b.Lo[i], 0) || math.IsInf(b.Hi[i], 0) {
			return false
		}
	}
	return true
}

// evalGrid returns the sizes of the evaluation grid: eval.grid, or
// Raissi's 257 × 100 for burgers, 41 × 41 × 11 for heat, 21 × 21 × 21 for
// poisson on a 3-D box, 101 × 101.
func (c *PINNConfig) evalGrid() []int {
	switch g := c.Eval.Grid; {
	case len(g) == c.inputs():
		return g
	case c.Problem.Type == "burgers":
		return []int{257, 100}
	case c.Problem.Type == "heat":
		return []int{41, 41, 11}
	case c.inputs() == 3:
		return []int{21, 21, 21}
	}
	return []int{101, 101}
}

// evalPoints returns the number of points of the evaluation grid.
func (c *PINNConfig) evalPoints() int {
	n := 1
	for _, g := range c.evalGrid() {
		n *= g
	}
	return n
}

func (n PINNNet) dtype() tensor.DType {
	if n.DType == "float32" {
		return tensor.Float32
	}
	return tensor.Float64
}

// Validate reports every invalid field, named by its key, file and line.
func (c *PINNConfig) Validate() error {
	var errs []string
	bad := func(key, format string, args ...any) {
		errs = append(errs, Where(c.src, c.lines, key)+key+": "+fmt.Sprintf(format, args...))
	}
	if c.Name == "" {
		bad("name", "missing")
	}
	if c.Kind != KindPINN {
		bad("kind", "%q, want %q", c.Kind, KindPINN)
	}
	p := c.Problem
	if !slices.Contains(PINNProblems, p.Type) {
		bad("problem.type", "%q, want one of %s", p.Type, strings.Join(PINNProblems, ", "))
	}
	for key, v := range map[string]float64{"problem.nu": p.Nu, "problem.beta": p.Beta, "problem.rho": p.Rho} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			bad(key, "%v must be positive and finite", v)
		}
	}
	if p.Nu != 0 && p.Type != "burgers" {
		bad("problem.nu", "only burgers has a viscosity")
	}
	if p.Beta != 0 && p.Type != "convection" {
		bad("problem.beta", "only convection has a speed β")
	}
	if p.Rho != 0 && p.Type != "reaction" {
		bad("problem.rho", "only reaction has a rate ρ")
	}
	if p.BoundaryPoints < 0 || (p.BoundaryPoints > 0 && p.BoundaryPoints < 4) {
		bad("problem.boundary_points", "%d: want at least 4 (0: the default)", p.BoundaryPoints)
	}
	shaped := p.Type == "poisson" || p.Type == "heat"
	if p.Domain != "" && (!shaped || !slices.Contains(PINNDomains, p.Domain)) {
		bad("problem.domain", "%q: the domain of poisson and heat is one of %s (the others have their benchmark's)", p.Domain, strings.Join(PINNDomains, ", "))
	}
	if p.BC != "" && (!shaped || !slices.Contains([]string{"dirichlet", "neumann", "robin"}, p.BC)) {
		bad("problem.bc", "%q: the boundary condition of poisson and heat is dirichlet, neumann or robin (the others have their benchmark's)", p.BC)
	}
	if p.Box != nil {
		switch {
		case p.Type != "poisson":
			bad("problem.box", "only poisson takes a box (heat's space is problem.domain)")
		case !c.boxValid():
			bad("problem.box", "lo %v, hi %v: want 2 or 3 finite bounds each, lo < hi on every axis", p.Box.Lo, p.Box.Hi)
		case p.Domain != "":
			bad("problem.domain", "%q, but problem.box gives the domain", p.Domain)
		}
	}
	if len(p.Faces) > 0 {
		switch {
		case p.Type != "poisson":
			bad("problem.faces", "only poisson takes conditions per face")
		case p.Domain != "" && p.Domain != "square":
			bad("problem.faces", "conditions per face need a box (problem.box or the square), not domain %q", p.Domain)
		case c.boxValid():
			names := pinn.FaceNames(c.box())
			for name, v := range p.Faces {
				if !slices.Contains(names, name) {
					bad("problem.faces."+name, "no such face (faces: %s)", strings.Join(names, ", "))
				}
				if !slices.Contains([]string{"dirichlet", "neumann", "robin"}, v) {
					bad("problem.faces."+name, "%q, want dirichlet, neumann or robin", v)
				}
			}
			if !slices.ContainsFunc(c.faceBCs(c.box()), func(s string) bool { return s != "neumann" }) {
				bad("problem.faces", "neumann on every face leaves u determined only up to a constant: make a face dirichlet or robin")
			}
		}
	}
	if c.Net.HardConstraint && hardImposed[p.Type] == nil && slices.Contains(PINNProblems, p.Type) {
		bad("net.hard_constraint", "%s has no hard constraint", p.Type)
	}
	if p.Type == "poisson" && c.Net.HardConstraint && (p.Domain != "" && p.Domain != "square" || p.BC != "" && p.BC != "dirichlet") {
		bad("net.hard_constraint", "poisson's hard constraint imposes u = 0 on the square's sides: not for domain %q, bc %q", p.Domain, p.BC)
	}
	if c.Net.HardConstraint && c.boxed() {
		bad("net.hard_constraint", "poisson's hard constraint imposes u = 0 on the unit square's sides: not with problem.box or problem.faces")
	}
	if inv := p.Inverse; inv != nil {
		if _, ok := inverseCoefficient[p.Type]; !ok {
			bad("problem.inverse", "%s has no coefficient to identify (burgers ν, convection β, reaction ρ, wave c²)", p.Type)
		}
		if inv.DataPoints <= 0 || inv.DataPoints > c.evalPoints() {
			bad("problem.inverse.data_points", "%d: want 1 to %d (the points of the evaluation grid)", inv.DataPoints, c.evalPoints())
		}
		if math.IsNaN(inv.Initial) || math.IsInf(inv.Initial, 0) {
			bad("problem.inverse.initial", "%v must be finite", inv.Initial)
		}
	}
	if c.Expect != nil && c.Expect.Coefficient != 0 && p.Inverse == nil {
		bad("expect.coefficient", "bounds the coefficient of an inverse problem (problem.inverse)")
	}

	n := c.Net
	if err := n.NetConfig.Validate(); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			msg := strings.TrimPrefix(line, "net: ")
			key := "net"
			if f := strings.FieldsFunc(msg, func(r rune) bool { return !(r == '_' || r >= 'a' && r <= 'z') }); len(f) > 0 && strings.HasPrefix(msg, f[0]) {
				key = "net." + f[0]
			}
			errs = append(errs, Where(c.src, c.lines, key)+"net: "+msg)
		}
	}
	if n.DType != "" && n.DType != "float64" && n.DType != "float32" {
		bad("net.dtype", "%q, want float64 or float32", n.DType)
	}

	s := c.Sampling
	if _, err := pinn.SamplerByName(s.Sampler); err != nil {
		bad("sampling.sampler", "%q, want uniform, lhs, halton, sobol or grid", s.Sampler)
	}
	if s.Points < 0 {
		bad("sampling.points", "%d must be positive", s.Points)
	}
	if b := s.BoundarySampler; b != "" {
		if b != "uniform" && b != "lhs" {
			bad("sampling.boundary_sampler", "%q, want uniform or lhs", b)
		} else if p.Type != "burgers" {
			bad("sampling.boundary_sampler", "belongs to burgers (the others have their benchmark's boundary points)")
		}
	}
	if s.Sampler == "grid" {
		if g := s.Grid; len(g) > 0 {
			prod := 1
			for _, v := range g {
				prod *= v
			}
			if len(g) != c.inputs() || slices.Min(g) < 2 {
				bad("sampling.grid", "%v: want %d sizes of at least 2 (one per input)", g, c.inputs())
			} else if s.Points != 0 && s.Points != prod {
				bad("sampling.points", "%d, but the %v grid has %d (leave points out)", s.Points, g, prod)
			}
		} else if n := orInt(s.Points, 10000); !isPower(n, c.inputs()) {
			bad("sampling.points", "%d is not a square grid: give sampling.grid", n)
		}
		if s.ResampleEvery != 0 {
			bad("sampling.resample_every", "a grid redraws the same points")
		}
	} else if len(s.Grid) > 0 {
		bad("sampling.grid", "belongs to sampler grid")
	}
	if s.ResampleEvery < 0 {
		bad("sampling.resample_every", "%d must not be negative", s.ResampleEvery)
	}
	if a := s.Adaptive; a != nil {
		if a.Method != "rar" && a.Method != "rad" {
			bad("sampling.adaptive.method", "%q, want rar or rad", a.Method)
		}
		if a.Every <= 0 {
			bad("sampling.adaptive.every", "%d must be positive", a.Every)
		}
		if a.Pool < 0 || a.Add < 0 || a.K < 0 || a.C < 0 {
			bad("sampling.adaptive", "pool, add, k and c must not be negative")
		}
		if c.Train.Adam.Steps == 0 {
			bad("sampling.adaptive", "refines during Adam, which has no steps")
		}
	}

	t := c.Train
	if t.Adam.Steps < 0 {
		bad("train.adam.steps", "%d must not be negative", t.Adam.Steps)
	}
	if t.Adam.LR < 0 || math.IsNaN(t.Adam.LR) {
		bad("train.adam.lr", "%v must be positive", t.Adam.LR)
	}
	if t.LBFGS.Iterations < 0 {
		bad("train.lbfgs.iterations", "%d must not be negative", t.LBFGS.Iterations)
	}
	if t.Adam.Steps+t.LBFGS.Iterations == 0 {
		bad("train", "no training: give adam.steps or lbfgs.iterations")
	}
	if t.LBFGS.History < 0 || t.LBFGS.PerStep < 0 {
		bad("train.lbfgs", "history and per_step must not be negative")
	}
	if _, err := c.schedule(); err != nil {
		bad("train.schedule", "%v", err)
	}
	w := t.Weights
	switch w.Mode {
	case "", "static":
		if w.Every != 0 || w.Alpha != 0 {
			bad("train.weights", "every and alpha belong to mode balance")
		}
	case "balance":
		if w.Every < 0 || w.Alpha < 0 || w.Alpha > 1 {
			bad("train.weights", "every %d must not be negative and alpha %v lie in [0, 1]", w.Every, w.Alpha)
		}
	default:
		bad("train.weights.mode", "%q, want static or balance", w.Mode)
	}
	if w.Residual < 0 {
		bad("train.weights.residual", "%v must not be negative", w.Residual)
	}
	names := c.conditionNames()
	for name, v := range w.Conditions {
		key := "train.weights.conditions." + name
		switch {
		case !slices.Contains(names, name):
			bad(key, "%s has no condition %q (conditions: %s)", p.Type, name, strings.Join(names, ", "))
		case n.HardConstraint && slices.Contains(hardImposed[p.Type], name):
			bad(key, "condition %q is imposed exactly by net.hard_constraint", name)
		case !(v > 0) || math.IsInf(v, 0):
			bad(key, "%v must be positive and finite", v)
		}
	}
	if cs := t.Causal; cs != nil {
		if p.Type == "poisson" {
			bad("train.causal", "poisson has no time axis")
		}
		if cs.Bins < 0 || cs.Epsilon < 0 {
			bad("train.causal", "bins and epsilon must not be negative")
		}
	}
	if m := t.Marching; m != nil {
		if m.Windows < 1 {
			bad("train.marching.windows", "%d must be positive", m.Windows)
		}
		if p.Type == "poisson" {
			bad("train.marching", "poisson has no time axis")
		}
		if p.Type == "heat" {
			bad("train.marching", "heat's space-time cylinder is not a box (time-marching slices boxes)")
		}
	}
	if t.LogEvery < 0 || t.CheckpointEvery < 0 {
		bad("train", "log_every and checkpoint_every must not be negative")
	}

	e := c.Eval
	if len(e.Grid) != 0 && len(e.Grid) != c.inputs() {
		if c.inputs() == 3 && p.Type == "heat" {
			bad("eval.grid", "%v: want three sizes (x, y, t)", e.Grid)
		} else if c.inputs() == 3 {
			bad("eval.grid", "%v: want three sizes (x, y, z)", e.Grid)
		} else {
			bad("eval.grid", "%v: want two sizes (x, then t or y)", e.Grid)
		}
	}
	for _, g := range e.Grid {
		if g < 2 {
			bad("eval.grid", "%v: sizes must be at least 2", e.Grid)
			break
		}
	}
	if e.ReferenceGrid < 0 || e.ReferenceDt < 0 {
		bad("eval", "reference_grid and reference_dt must be positive")
	}
	if p.Type == "burgers" && len(e.Grid) == 2 && e.Grid[0] >= 2 {
		if rg := c.referenceGrid(); rg%(e.Grid[0]-1) != 0 {
			bad("eval.grid", "%d x-points do not lie on the %d-point reference grid (want reference_grid a multiple of %d)", e.Grid[0], rg, e.Grid[0]-1)
		}
	}
	if p.Type != "burgers" && (e.ReferenceGrid != 0 || e.ReferenceDt != 0) {
		bad("eval", "reference_grid and reference_dt belong to burgers (the others have exact solutions)")
	}
	if x := c.Expect; x != nil {
		for key, v := range map[string]float64{"expect.rel_l2": x.RelL2, "expect.rmae": x.RMAE, "expect.rrmse": x.RRMSE} {
			if v < 0 || math.IsNaN(v) {
				bad(key, "%v must be positive", v)
			}
		}
	}
	if len(errs) > 0 {
		slices.Sort(errs)
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}

// isPower reports whether n = m^d for a whole m.
func isPower(n, d int) bool {
	m := int(math.Round(math.Pow(float64(n), 1/float64(d))))
	p := 1
	for range d {
		p *= m
	}
	return p == n
}

func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func (c *PINNConfig) referenceGrid() int {
	if c.Eval.ReferenceGrid > 0 {
		return c.Eval.ReferenceGrid
	}
	return 4096
}

// schedule returns Adam's learning-rate schedule (nil: constant).
func (c *PINNConfig) schedule() (nn.Schedule, error) {
	s := c.Train.Schedule
	lr := c.adamLR()
	var sch nn.Schedule
	switch s.Type {
	case "", "constant":
		if s.Gamma != 0 || s.StepSize != 0 || s.Min != 0 {
			return nil, errors.New("constant takes no gamma, step_size or min")
		}
		return nil, nil
	case "exponential":
		sch = nn.ExponentialLR{Base: lr, Gamma: s.Gamma}
	case "step":
		sch = nn.StepLR{Base: lr, StepSize: s.StepSize, Gamma: s.Gamma}
	case "cosine":
		sch = nn.CosineLR{Base: lr, Min: s.Min, Period: max(c.Train.Adam.Steps, 1)}
	default:
		return nil, fmt.Errorf("type %q, want constant, exponential, step or cosine", s.Type)
	}
	if v, ok := sch.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return nil, err
		}
	}
	return sch, nil
}

func (c *PINNConfig) adamLR() float64 {
	if c.Train.Adam.LR > 0 {
		return c.Train.Adam.LR
	}
	return 1e-3
}

// RunDir returns the default run directory (runs/<name>-<profile>).
func (c *PINNConfig) RunDir() string {
	name := c.Name
	if c.Profile != "" {
		name += "-" + c.Profile
	}
	return filepath.Join("runs", name)
}

// pinnSetup is a built experiment: the problem, the network, the
// reference solution and the trainer.
type pinnSetup struct {
	problem *pinn.Problem
	net     pinn.Net
	ref     *pinn.Reference
	axes    [2]string // names of the grid axes
	trainer *pinn.Trainer
	coef    *pinnCoef // the unknown of an inverse problem
	// slice is what the plot shows of a 3-input problem: the reference on
	// the (x, y) grid at sliceAxis = sliceT (heat: the final time t = 1;
	// poisson on a 3-D box: the grid's middle z).
	slice     *pinn.Reference
	sliceT    float64
	sliceAxis string
}

// boxReference returns the reference of poisson on a 3-D box at the
// points of the g[0] × g[1] × g[2] grid over it, and the (x, y) slice at
// the grid's middle z (or the value nearest the middle) for the plot.
func boxReference(box pinn.Box, g []int, f func(p []float64) float64) (ref, slice *pinn.Reference, z float64) {
	xs, ys, zs := pinn.Linspace(box.Lo[0], box.Hi[0], g[0]), pinn.Linspace(box.Lo[1], box.Hi[1], g[1]), pinn.Linspace(box.Lo[2], box.Hi[2], g[2])
	pts := make([]float64, 0, 3*len(xs)*len(ys)*len(zs))
	for _, x := range xs {
		for _, y := range ys {
			for _, z := range zs {
				pts = append(pts, x, y, z)
			}
		}
	}
	ref = pinn.PointReference(tensor.New(pts, len(pts)/3, 3), f)
	z = zs[len(zs)/2]
	slice = pinn.ExactReference(xs, ys, func(x, y float64) float64 { return f([]float64{x, y, z}) })
	return ref, slice, z
}

// heatReference returns heat's reference at the grid points (x, y) of
// [0, 1]² inside space at each of the times (sizes g = [nx, ny, nt]), and
// the final-time slice for the plot.
func heatReference(space pinn.Shape, g []int, f func(p []float64) float64) (ref, slice *pinn.Reference) {
	xs, ys, ts := pinn.Linspace(0, 1, g[0]), pinn.Linspace(0, 1, g[1]), pinn.Linspace(0, 1, g[2])
	var pts []float64
	for _, x := range xs {
		for _, y := range ys {
			if space.Contains([]float64{x, y}) {
				for _, t := range ts {
					pts = append(pts, x, y, t)
				}
			}
		}
	}
	ref = pinn.PointReference(tensor.New(pts, len(pts)/3, 3), f)
	slice = pinn.ExactReference(xs, ys, func(x, y float64) float64 { return f([]float64{x, y, 1}) })
	slice.Restrict(func(p []float64) bool { return space.Contains(p) })
	return ref, slice
}

// pinnCoef is the trained coefficient of an inverse problem.
type pinnCoef struct {
	name  string
	value *tensor.Tensor // [1], trained
	truth float64
}

// poissonDomain returns poisson's domain (nil: the unit square).
func poissonDomain(name string) pinn.Shape {
	square := pinn.Box{Lo: []float64{0, 0}, Hi: []float64{1, 1}}
	switch name {
	case "disk":
		return pinn.Disk{Center: [2]float64{0.5, 0.5}, Radius: 0.5}
	case "lshape":
		return pinn.LShape(0, 1)
	case "plate":
		return pinn.Difference(square, pinn.Disk{Center: [2]float64{0.5, 0.5}, Radius: 0.25})
	}
	return nil
}

// makeInverse turns p into the inverse problem: the residual reads the
// trainable coefficient, and a "data" condition holds the reference at
// data_points random grid points (all other conditions dropped with
// data_only).
func (c *PINNConfig) makeInverse(p *pinn.Problem, ref *pinn.Reference, dtype tensor.DType) *pinnCoef {
	inv := c.Problem.Inverse
	pr := c.Problem
	k := tensor.FromFloat64s(dtype, []float64{inv.Initial}, 1).SetRequiresGrad(true)
	co := &pinnCoef{name: inverseCoefficient[pr.Type], value: k}
	switch pr.Type {
	case "burgers": // u_t + u u_x − ν u_xx
		co.truth = orFloat(pr.Nu, 0.01/math.Pi)
		p.Residual = func(f *pinn.Fields) []*tensor.Tensor {
			u, ux, ut, uxx := f.D(0), f.D(0, 0), f.D(0, 1), f.D(0, 0, 0)
			return []*tensor.Tensor{tensor.Sub(tensor.Add(ut, tensor.Mul(u, ux)), tensor.Mul(uxx, k))}
		}
	case "convection": // u_t + β u_x
		co.truth = orFloat(pr.Beta, 50)
		p.Residual = func(f *pinn.Fields) []*tensor.Tensor {
			return []*tensor.Tensor{tensor.Add(f.D(0, 1), tensor.Mul(f.D(0, 0), k))}
		}
	case "reaction": // u_t − ρ u(1 − u)
		co.truth = orFloat(pr.Rho, 5)
		p.Residual = func(f *pinn.Fields) []*tensor.Tensor {
			u := f.D(0)
			return []*tensor.Tensor{tensor.Sub(f.D(0, 1), tensor.Mul(tensor.Mul(u, tensor.AddScalar(tensor.Neg(u), 1)), k))}
		}
	case "wave": // u_tt − c² u_xx
		co.truth = 4
		p.Residual = func(f *pinn.Fields) []*tensor.Tensor {
			return []*tensor.Tensor{tensor.Sub(f.D(0, 1, 1), tensor.Mul(f.D(0, 0, 0), k))}
		}
	}
	p.Params = append(p.Params, k)
	// measurements: distinct random points of the evaluation grid
	pts := ref.Points().Float64s()
	rows := nn.NewRand(c.Seed ^ 0xda7a).Perm(len(ref.U))[:inv.DataPoints]
	x := make([]float64, 0, 2*len(rows))
	v := make([]float64, 0, len(rows))
	for _, i := range rows {
		x = append(x, pts[2*i:2*i+2]...)
		v = append(v, ref.U[i])
	}
	if inv.DataOnly {
		p.Conditions = nil
	}
	p.Conditions = append(p.Conditions, pinn.Data("data", tensor.New(x, len(rows), 2), 0, v))
	return co
}

// build makes the problem, reference, network and trainer.
func (c *PINNConfig) build(ctx context.Context, checkpoint string) (*pinnSetup, error) {
	st := &pinnSetup{axes: [2]string{"x", "t"}}
	p := c.Problem
	nb := p.BoundaryPoints
	r := nn.NewRand(c.Seed ^ 0x0b0d4a7e)
	grid := c.Eval.Grid
	var exact func(x, t float64) float64
	var lo, hi [2]float64
	var inside func(p []float64) bool // a domain other than the box [lo, hi]
	switch p.Type {
	case "burgers":
		if nb == 0 {
			nb = 100
		}
		nu := p.Nu
		if nu == 0 {
			nu = 0.01 / math.Pi
		}
		var bs pinn.Sampler = pinn.Uniform{}
		if c.Sampling.BoundarySampler == "lhs" {
			bs = pinn.LHS{}
		}
		st.problem = pinn.BurgersSampled(nu, nb, bs, r)
		xs, ts := pinn.RaissiGrid()
		if len(grid) == 2 {
			xs, ts = pinn.Linspace(-1, 1, grid[0]), pinn.Linspace(0, 1, grid[1])
		}
		dt := c.Eval.ReferenceDt
		if dt == 0 {
			dt = 1e-4
		}
		ref, err := pinn.BurgersReferenceVisc(ctx, nu, c.referenceGrid(), dt, xs, ts)
		if err != nil {
			return nil, err
		}
		st.ref = ref
	case "poisson":
		if nb == 0 {
			nb = 100
		}
		lo, hi = [2]float64{0, 0}, [2]float64{1, 1}
		st.axes[1] = "y"
		if c.boxed() {
			box := c.box()
			prob, f, err := pinn.PoissonBox(box, c.faceBCs(box), nb, r)
			if err != nil {
				return nil, err
			}
			st.problem = prob
			if box.Dim() == 3 {
				st.ref, st.slice, st.sliceT = boxReference(box, c.evalGrid(), f)
				st.sliceAxis = "z"
			} else {
				lo, hi = [2]float64{box.Lo[0], box.Lo[1]}, [2]float64{box.Hi[0], box.Hi[1]}
				exact = func(x, y float64) float64 { return f([]float64{x, y}) }
			}
		} else if dom := poissonDomain(p.Domain); p.BC == "" && dom == nil {
			st.problem, exact = pinn.PoissonSine(nb, r)
		} else {
			if dom == nil {
				dom = pinn.Box{Lo: lo[:], Hi: hi[:]}
			} else {
				inside = dom.Contains
			}
			var err error
			if st.problem, exact, err = pinn.PoissonOn(dom, orDefault(p.BC, "dirichlet"), nb, r); err != nil {
				return nil, err
			}
		}
	case "convection":
		if nb == 0 {
			nb = 101
		}
		beta := p.Beta
		if beta == 0 {
			beta = 50
		}
		st.problem, exact = pinn.Convection(beta, nb, nb)
		lo, hi = [2]float64{0, 0}, [2]float64{2 * math.Pi, 1}
	case "reaction":
		if nb == 0 {
			nb = 101
		}
		rho := p.Rho
		if rho == 0 {
			rho = 5
		}
		st.problem, exact = pinn.Reaction(rho, nb, nb)
		lo, hi = [2]float64{0, 0}, [2]float64{2 * math.Pi, 1}
	case "wave":
		if nb == 0 {
			nb = 101
		}
		st.problem, exact = pinn.Wave(nb, nb)
		lo, hi = [2]float64{0, 0}, [2]float64{1, 1}
	case "heat":
		if nb == 0 {
			nb = 400
		}
		space := poissonDomain(p.Domain)
		if space == nil {
			space = pinn.Box{Lo: []float64{0, 0}, Hi: []float64{1, 1}}
		}
		prob, f, err := pinn.HeatOn(space, 1, orDefault(p.BC, "dirichlet"), nb, nb, r)
		if err != nil {
			return nil, err
		}
		st.problem = prob
		st.ref, st.slice = heatReference(space, c.evalGrid(), f)
		st.sliceT, st.sliceAxis = 1, "t"
		st.axes[1] = "y"
	}
	if exact != nil {
		if len(grid) != 2 {
			grid = []int{101, 101}
		}
		st.ref = pinn.ExactReference(pinn.Linspace(lo[0], hi[0], grid[0]), pinn.Linspace(lo[1], hi[1], grid[1]), exact)
		if inside != nil {
			st.ref.Restrict(inside)
		}
	}

	n := c.Net
	net, err := n.NetConfig.Build(c.inputs(), 1, n.dtype(), nn.NewRand(c.Seed))
	if err != nil {
		return nil, fmt.Errorf("%snet: %w", Where(c.src, c.lines, "net"), err)
	}
	if n.HardConstraint {
		net = hardConstraint(p.Type, net, c)
		var keep []*pinn.Condition
		for _, cd := range st.problem.Conditions {
			if !slices.Contains(hardImposed[p.Type], cd.Name) {
				keep = append(keep, cd)
			}
		}
		st.problem.Conditions = keep
	}
	st.net = net
	if inv := p.Inverse; inv != nil {
		st.coef = c.makeInverse(st.problem, st.ref, n.dtype())
	}
	for _, cd := range st.problem.Conditions {
		if w, ok := c.Train.Weights.Conditions[cd.Name]; ok {
			cd.Weight = w
		}
	}

	sampler, _ := pinn.SamplerByName(c.Sampling.Sampler)
	if g := c.Sampling.Grid; len(g) == c.inputs() && c.Sampling.Sampler == "grid" {
		sampler = pinn.Grid{Sizes: g}
	}
	sched, _ := c.schedule()
	t := c.Train
	cfg := pinn.Config{
		Collocation: c.Sampling.Points, Sampler: sampler, Resample: c.Sampling.ResampleEvery,
		ResidualWeight: t.Weights.Residual,
		AdamSteps:      t.Adam.Steps, Adam: nn.AdamConfig{LR: c.adamLR()}, Schedule: sched,
		LBFGSIters: t.LBFGS.Iterations, LBFGS: nn.LBFGSConfig{MaxIter: t.LBFGS.PerStep, HistorySize: t.LBFGS.History},
		Seed: c.Seed, LogEvery: t.LogEvery, Checkpoint: checkpoint, CheckpointEvery: t.CheckpointEvery,
	}
	if cfg.LogEvery == 0 {
		cfg.LogEvery = 100
	}
	if cfg.CheckpointEvery == 0 {
		cfg.CheckpointEvery = 500
	}
	if t.Weights.Mode == "balance" {
		cfg.Balance = &pinn.Balance{Every: t.Weights.Every, Alpha: t.Weights.Alpha}
	}
	if cs := t.Causal; cs != nil {
		cfg.Causal = &pinn.Causal{Axis: c.inputs() - 1, Bins: cs.Bins, Epsilon: cs.Epsilon}
	}
	if a := c.Sampling.Adaptive; a != nil {
		cfg.Adaptive = &pinn.Adaptive{Method: a.Method, Every: a.Every, Pool: a.Pool, Add: a.Add, K: a.K, C: a.C}
	}
	st.trainer = pinn.NewTrainer(st.problem, st.net, cfg)
	st.trainer.Metric = func(net pinn.Net) float64 { l2, _ := st.ref.Errors(net); return l2 }
	return st, nil
}

// hardConstraint wraps net in the output transform u = G + M·v
// (pinn.Constrained, which keeps float64 MLPs on the Taylor derivative
// path) that imposes the problem's initial and Dirichlet conditions
// exactly (inputs x = (x, t) or (x, y)):
//
//	burgers     u = −sin πx + t(1 − x²) v
//	poisson     u = x(1 − x) y(1 − y) v
//	convection  u = sin x + t v
//	reaction    u = h(x) + t v,  h(x) = exp(−(x − π)²/(2(π/4)²))
//	wave        u = g(x) + x(1 − x) t² v,  g(x) = sin πx + ½ sin 3πx
func hardConstraint(problem string, net pinn.Net, c *PINNConfig) pinn.Net {
	col := func(x *tensor.Tensor, i int) *tensor.Tensor { return tensor.IndexSelect(x, 1, []int{i}) }
	oneMinusSq := func(x *tensor.Tensor) *tensor.Tensor { return tensor.AddScalar(tensor.Neg(tensor.Square(x)), 1) }
	bubble := func(x *tensor.Tensor) *tensor.Tensor { return tensor.Mul(x, tensor.AddScalar(tensor.Neg(x), 1)) } // x(1 − x)
	t := func(x *tensor.Tensor) *tensor.Tensor { return col(x, 1) }
	var base, scale func(x *tensor.Tensor) *tensor.Tensor
	switch problem {
	case "burgers":
		base = func(x *tensor.Tensor) *tensor.Tensor { return tensor.Neg(tensor.Sin(tensor.Scale(col(x, 0), math.Pi))) }
		scale = func(x *tensor.Tensor) *tensor.Tensor { return tensor.Mul(col(x, 1), oneMinusSq(col(x, 0))) }
	case "poisson":
		scale = func(x *tensor.Tensor) *tensor.Tensor { return tensor.Mul(bubble(col(x, 0)), bubble(col(x, 1))) }
	case "convection":
		base = func(x *tensor.Tensor) *tensor.Tensor { return tensor.Sin(col(x, 0)) }
		scale = t
	case "reaction":
		base = func(x *tensor.Tensor) *tensor.Tensor {
			d := tensor.AddScalar(col(x, 0), -math.Pi)
			return tensor.Exp(tensor.Scale(tensor.Square(d), -8/(math.Pi*math.Pi)))
		}
		scale = t
	case "wave":
		base = func(x *tensor.Tensor) *tensor.Tensor {
			xx := col(x, 0)
			return tensor.Add(tensor.Sin(tensor.Scale(xx, math.Pi)), tensor.Scale(tensor.Sin(tensor.Scale(xx, 3*math.Pi)), 0.5))
		}
		scale = func(x *tensor.Tensor) *tensor.Tensor { return tensor.Mul(bubble(col(x, 0)), tensor.Square(col(x, 1))) }
	default:
		panic("experiments: no hard constraint for " + problem)
	}
	return &pinn.Constrained{Net: net, Base: base, Scale: scale}
}

// hardOrder is the number of initial conditions a problem's hard
// constraint imposes (u; u and u_t for wave), the order of
// pinn.WindowConstrained under time-marching.
func hardOrder(problem string) int {
	if problem == "wave" {
		return 2
	}
	return 1
}

// PINNResult is what a PINN run did.
type PINNResult struct {
	Config *PINNConfig
	Dir    string
	// Params is the number of trained parameters.
	Params int
	// Steps is the number of optimizer steps taken (Adam steps and
	// L-BFGS iterations); Loss the final loss.
	Steps int64
	Loss  float64
	// RelL2 (= rRMSE) and RMAE are the errors on the evaluation grid.
	RelL2, RMAE float64
	// Coefficient is the identified coefficient of an inverse problem
	// (nil otherwise).
	Coefficient *PINNCoefficient
	// TrainSeconds is the training wall time (over resumed sessions).
	TrainSeconds float64
	// Met says whether every stated bound holds (true without Expect).
	Met bool
	// Interrupted says the run was cancelled (Ctrl-C) before its last
	// step: the errors are those at Steps, and RunPINN also returns an
	// error.
	Interrupted bool
	// Report is the path of report.md.
	Report string
}

// PINNCoefficient is the coefficient an inverse problem identified: its
// name (nu, beta, rho, c2), the trained value, the true one and the
// relative error |value − true|/|true|.
type PINNCoefficient struct {
	Name        string  `json:"name"`
	Value       float64 `json:"value"`
	True        float64 `json:"true"`
	RelativeErr float64 `json:"relative_error"`
}

// Summary returns the lines `sciml run` prints at the end.
func (r *PINNResult) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: rel L2 (rRMSE) %.3e, rMAE %.3e after %d steps (%.0f s training)\n", r.Config.Name, r.RelL2, r.RMAE, r.Steps, r.TrainSeconds)
	if k := r.Coefficient; k != nil {
		fmt.Fprintf(&b, "identified %s = %.6g (true %.6g, relative error %.2e)\n", k.Name, k.Value, k.True, k.RelativeErr)
	}
	if e := r.Config.Expect; e != nil {
		verdict := "met"
		if !r.Met {
			verdict = "NOT met"
		}
		fmt.Fprintf(&b, "expected %s: %s\n", e.describe(), verdict)
	}
	fmt.Fprintf(&b, "report: %s\n", r.Report)
	return b.String()
}

func (e *PINNExpect) describe() string {
	var parts []string
	if e.RelL2 > 0 {
		parts = append(parts, fmt.Sprintf("rel L2 ≤ %.3g", e.RelL2))
	}
	if e.RRMSE > 0 {
		parts = append(parts, fmt.Sprintf("rRMSE ≤ %.3g", e.RRMSE))
	}
	if e.RMAE > 0 {
		parts = append(parts, fmt.Sprintf("rMAE ≤ %.3g", e.RMAE))
	}
	if e.Coefficient > 0 {
		parts = append(parts, fmt.Sprintf("coefficient error ≤ %.3g", e.Coefficient))
	}
	return strings.Join(parts, ", ")
}

func (e *PINNExpect) met(relL2, rmae float64, coef *PINNCoefficient) bool {
	ok := func(bound, got float64) bool { return bound == 0 || got <= bound }
	if coef != nil && !ok(e.Coefficient, coef.RelativeErr) {
		return false
	}
	return ok(e.RelL2, relL2) && ok(e.RRMSE, relL2) && ok(e.RMAE, rmae)
}

// pinnMetric is one line of metrics.jsonl.
type pinnMetric struct {
	Step    int64   `json:"step"`
	Phase   string  `json:"phase"`
	Loss    float64 `json:"loss"`
	RelL2   float64 `json:"rel_l2"`
	Seconds float64 `json:"time_s"`
	// Coefficient is an inverse problem's trained coefficient.
	Coefficient *float64 `json:"coefficient,omitempty"`
}

// metricsHandler turns the trainer's log records into metrics.jsonl lines
// and progress lines.
type metricsHandler struct {
	w          io.Writer // metrics.jsonl
	stepOffset int64     // added to the trainer's step (time-marching windows)
	progress   io.Writer
	total      int64
	start      time.Time
	offset     float64 // seconds of earlier sessions
	last       *pinnMetric
	err        error
	coef       *pinnCoef // an inverse problem's unknown, logged too
}

func (h *metricsHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *metricsHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *metricsHandler) WithGroup(string) slog.Handler            { return h }

func (h *metricsHandler) Handle(_ context.Context, r slog.Record) error {
	m := pinnMetric{Seconds: h.offset + time.Since(h.start).Seconds()}
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "phase":
			m.Phase = a.Value.String()
		case "step":
			m.Step = h.stepOffset + a.Value.Int64()
		case "loss":
			m.Loss = a.Value.Float64()
		case "metric":
			m.RelL2 = a.Value.Float64()
		}
		return true
	})
	coef := ""
	if h.coef != nil {
		v := h.coef.value.ToFloat64s()[0]
		m.Coefficient = &v
		coef = fmt.Sprintf("  %s %.6g", h.coef.name, v)
	}
	b, _ := json.Marshal(m)
	if _, err := h.w.Write(append(b, '\n')); err != nil && h.err == nil {
		h.err = err
	}
	h.last = &m
	if h.progress != nil {
		fmt.Fprintf(h.progress, "step %d/%d %-6s loss %.4e  rel L2 %.4e%s  (%.0f s)\n", m.Step, h.total, m.Phase, m.Loss, m.RelL2, coef, m.Seconds)
	}
	return nil
}

// readMetrics returns the metrics lines with step ≤ upTo.
func readMetrics(path string, upTo int64) ([]pinnMetric, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []pinnMetric
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m pinnMetric
		if json.Unmarshal(sc.Bytes(), &m) == nil && m.Step <= upTo {
			out = append(out, m)
		}
	}
	return out, sc.Err()
}

// PINN run files.
const (
	// PINNPlot is the heat map of prediction, reference and error.
	PINNPlot = "solution.png"
	// PINNResultFile holds the errors and timing as JSON.
	PINNResultFile = "result.json"
)

// RunPINN trains the experiment, evaluates it on its grid and writes
// config.yaml, metrics.jsonl, the checkpoint (model.safetensors: network,
// optimizer state with the L-BFGS history, collocation points),
// result.json, report.md and plots/solution.png under opts.Dir. A
// cancelled ctx (Ctrl-C) stops at the next step with the checkpoint
// written; opts.Resume continues from it.
func RunPINN(ctx context.Context, c *PINNConfig, opts Options) (*PINNResult, error) {
	if c.Train.Marching != nil {
		return runPINNMarching(ctx, c, opts)
	}
	res := &PINNResult{Config: c, Dir: opts.Dir}
	if res.Dir == "" {
		res.Dir = c.RunDir()
	}
	unlock, err := lockRunDir(res.Dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	ck := filepath.Join(res.Dir, operator.CheckpointFile)
	metricsPath := filepath.Join(res.Dir, operator.MetricsFile)
	y, err := yaml.Marshal(c)
	if err != nil {
		return nil, err
	}
	resume, err := previousRun(res.Dir, opts, []string{PINNResultFile}, func() bool {
		old, _ := os.ReadFile(filepath.Join(res.Dir, ConfigFile))
		return bytes.Equal(old, y) && pinnFinished(ck, c)
	})
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(res.Dir, PlotsDir), 0o755); err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(filepath.Join(res.Dir, ConfigFile), y); err != nil {
		return nil, err
	}
	st, err := c.build(ctx, ck)
	if err != nil {
		return nil, err
	}
	tr := st.trainer
	var kept []pinnMetric
	if resume {
		if err := tr.Resume(ck); err != nil {
			return nil, err
		}
		if kept, err = readMetrics(metricsPath, tr.Step); err != nil {
			return nil, err
		}
		if opts.Log != nil {
			opts.Log.Info("resumed", "checkpoint", ck, "step", tr.Step)
		}
	}
	// metrics.jsonl: the lines up to the checkpoint, then this session's
	mf, err := os.Create(metricsPath)
	if err != nil {
		return nil, err
	}
	defer mf.Close()
	h := &metricsHandler{w: mf, progress: opts.Progress, total: int64(c.Train.Adam.Steps + c.Train.LBFGS.Iterations), start: time.Now(), coef: st.coef}
	for _, m := range kept {
		b, _ := json.Marshal(m)
		mf.Write(append(b, '\n'))
		h.offset = m.Seconds
	}
	tr.Logger = slog.New(h)
	res.Params = nn.CountParams(st.net)
	if opts.Progress != nil && tr.Step < h.total {
		fmt.Fprintf(opts.Progress, "%s: %s, %d parameters (%s), %d collocation points, %d Adam steps + %d L-BFGS iterations, %s\n",
			c.Name, c.Problem.Type, res.Params, c.Net.dtype(), tr.Collocation().Dim(0), c.Train.Adam.Steps, c.Train.LBFGS.Iterations, threadsNote())
	}
	runErr := tr.Run(ctx)
	res.TrainSeconds = h.offset + time.Since(h.start).Seconds()
	if h.err != nil {
		return nil, fmt.Errorf("write %s: %w", metricsPath, h.err)
	}
	if runErr != nil && ctx.Err() == nil {
		return nil, fmt.Errorf("training: %w", runErr)
	}
	res.Steps, res.Loss = tr.Step, tr.LastLoss
	res.Interrupted = runErr != nil
	if h.last != nil {
		res.Loss = h.last.Loss
	}
	res.RelL2, res.RMAE = st.ref.Errors(st.net)
	if k := st.coef; k != nil {
		v := k.value.ToFloat64s()[0]
		res.Coefficient = &PINNCoefficient{Name: k.name, Value: v, True: k.truth, RelativeErr: math.Abs(v-k.truth) / math.Abs(k.truth)}
	}
	res.Met = c.Expect == nil || c.Expect.met(res.RelL2, res.RMAE, res.Coefficient)
	if err := writePINNReport(res, st, opts); err != nil {
		return nil, err
	}
	if res.Interrupted {
		// The report shows where it stopped; the error says how to go on.
		return res, fmt.Errorf("interrupted at step %d (report %s); checkpoint %s (continue with --resume): %w", tr.Step, res.Report, ck, runErr)
	}
	return res, nil
}

// totalSteps is the number of optimizer steps of the whole run.
func (c *PINNConfig) totalSteps() int {
	n := c.Train.Adam.Steps + c.Train.LBFGS.Iterations
	if m := c.Train.Marching; m != nil {
		n *= m.Windows
	}
	return n
}

// runPINNMarching trains c by time-marching (pinn.Marcher): one network
// per time window, each warm-started from the previous one and given its
// values at the window's start as initial condition; metrics.jsonl counts
// steps over all windows and its rel L2 is the error of the windows so
// far on the grid's times up to the current window's end. The checkpoint
// holds the windows trained so far (saved after each one, metadata
// windows_done), so an interrupted run resumes at the window it was in
// and ends with the same networks as an uninterrupted one.
func runPINNMarching(ctx context.Context, c *PINNConfig, opts Options) (*PINNResult, error) {
	res := &PINNResult{Config: c, Dir: opts.Dir}
	if res.Dir == "" {
		res.Dir = c.RunDir()
	}
	unlock, err := lockRunDir(res.Dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	ck := filepath.Join(res.Dir, operator.CheckpointFile)
	metricsPath := filepath.Join(res.Dir, operator.MetricsFile)
	resume, err := previousRun(res.Dir, opts, []string{PINNResultFile}, nil)
	if err != nil {
		return nil, err
	}
	y, err := yaml.Marshal(c)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(res.Dir, PlotsDir), 0o755); err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(filepath.Join(res.Dir, ConfigFile), y); err != nil {
		return nil, err
	}
	st, err := c.build(ctx, "")
	if err != nil {
		return nil, err
	}
	win := c.Train.Marching.Windows
	box := st.problem.Domain.(pinn.Box)
	breaks := pinn.SlabBreaks(box.Lo[1], box.Hi[1], win)
	// build returns window k's network, before any warm start: an mlp sees
	// its window's times on [−1, 1] (and x on it too unless periodically
	// embedded or boxed by the config); with a hard constraint it is
	// wrapped in the first window's output transform, made the window's
	// by pinn.WindowConstrained (its initial values those of prev, the
	// previous window's network, at the window's start; M stretched by the
	// number of windows, so that over a window it spans the range it has
	// over the whole time interval).
	build := func(k int, prev pinn.Net) pinn.Net {
		nc := c.Net.NetConfig
		if nc.Type == "mlp" {
			nc.InputLo, nc.InputHi = []float64{box.Lo[0], breaks[k]}, []float64{box.Hi[0], breaks[k+1]}
			if c.Net.InputLo != nil {
				nc.InputLo[0], nc.InputHi[0] = c.Net.InputLo[0], c.Net.InputHi[0]
			}
		}
		net, err := nc.Build(2, 1, c.Net.dtype(), nn.NewRand(c.Seed))
		if err != nil {
			panic(err) // built once already by c.build
		}
		if c.Net.HardConstraint {
			hc := hardConstraint(c.Problem.Type, net, c).(*pinn.Constrained)
			net = pinn.WindowConstrained(hc, 1, box.Lo[1], breaks[k], float64(win), hardOrder(c.Problem.Type), prev)
		}
		return net
	}
	perWindow := int64(c.Train.Adam.Steps + c.Train.LBFGS.Iterations)
	var nets []pinn.Net
	var kept []pinnMetric
	var seconds float64
	if resume {
		saved, err := nn.LoadCheckpoint(ck)
		if err != nil {
			return nil, err
		}
		done, err := strconv.Atoi(saved.Meta["windows_done"])
		if err != nil || done < 0 || done > win {
			return nil, fmt.Errorf("resume %s: windows_done %q is not a window count of this %d-window run", ck, saved.Meta["windows_done"], win)
		}
		for k := range done {
			var prev pinn.Net
			if k > 0 {
				prev = nets[k-1]
			}
			nets = append(nets, build(k, prev))
		}
		if err := nn.LoadStateDict(&pinn.Piecewise{Axis: 1, Breaks: breaks[:done+1], Nets: nets}, saved.Model); err != nil {
			return nil, fmt.Errorf("resume %s: %w", ck, err)
		}
		if k := st.coef; k != nil {
			v, ok := saved.Extra["pde_param.0"]
			if !ok {
				return nil, fmt.Errorf("resume %s: no identified %s (pde_param.0)", ck, k.name)
			}
			k.value.CopyFrom(v)
		}
		seconds, _ = strconv.ParseFloat(saved.Meta["train_seconds"], 64)
		if kept, err = readMetrics(metricsPath, int64(done)*perWindow); err != nil {
			return nil, err
		}
		if opts.Log != nil {
			opts.Log.Info("resumed", "checkpoint", ck, "windows_done", done)
		}
	}
	// metrics.jsonl: the lines up to the checkpoint, then this session's
	mf, err := os.Create(metricsPath)
	if err != nil {
		return nil, err
	}
	defer mf.Close()
	h := &metricsHandler{w: mf, progress: opts.Progress, total: int64(c.totalSteps()), start: time.Now(), offset: seconds, coef: st.coef}
	for _, m := range kept {
		b, _ := json.Marshal(m)
		mf.Write(append(b, '\n'))
	}
	var metric func(pinn.Net) float64 // the current window's
	cfg := st.trainer.Config
	cfg.Checkpoint = ""
	save := func(done int) error {
		pw := &pinn.Piecewise{Axis: 1, Breaks: breaks[:done+1], Nets: nets}
		var extra map[string]*tensor.Tensor
		if st.coef != nil { // the coefficient the windows so far identified
			extra = map[string]*tensor.Tensor{"pde_param.0": st.coef.value.Detach().Clone()}
		}
		return nn.SaveCheckpoint(ck, &nn.Checkpoint{Model: nn.StateDict(pw), Extra: extra, Step: int64(done) * perWindow,
			Meta: map[string]string{"phase": "marching", "windows_done": strconv.Itoa(done),
				"train_seconds": strconv.FormatFloat(h.offset+time.Since(h.start).Seconds(), 'g', -1, 64)}})
	}
	var saveErr error
	ms := &pinn.Marcher{
		Problem: st.problem, Axis: 1, Windows: win, Config: cfg, Logger: slog.New(h), Trained: slices.Clone(nets),
		NewNet: func(k int, lo, hi float64, prev pinn.Net) pinn.Net {
			net := build(k, prev)
			if prev != nil {
				if err := nn.LoadStateDict(net, nn.StateDict(prev)); err != nil {
					panic(err)
				}
			}
			// the metric: the windows so far on the grid's times ≤ hi
			sub := windowReference(st.ref, hi)
			pw := func() pinn.Net {
				return &pinn.Piecewise{Axis: 1, Breaks: breaks[:k+2], Nets: append(slices.Clone(nets), net)}
			}
			metric = func(pinn.Net) float64 { l2, _ := sub.Errors(pw()); return l2 }
			h.stepOffset = int64(k) * perWindow
			return net
		},
	}
	ms.Done = func(k int, tr *pinn.Trainer) {
		nets = append(nets, tr.Net)
		st.trainer = tr
		if err := save(k + 1); err != nil && saveErr == nil {
			saveErr = err
		}
	}
	ms.Metric = func(net pinn.Net) float64 {
		if metric == nil {
			return 0
		}
		return metric(net)
	}
	if opts.Progress != nil && len(nets) < win {
		n0, _ := c.Net.NetConfig.Build(2, 1, c.Net.dtype(), nn.NewRand(c.Seed))
		fmt.Fprintf(opts.Progress, "%s: %s, time-marching over %d windows (%d trained), %d parameters per window (%s), %d collocation points, %d Adam steps + %d L-BFGS iterations per window, %s\n",
			c.Name, c.Problem.Type, win, len(nets), nn.CountParams(n0), c.Net.dtype(), cfg.Collocation, c.Train.Adam.Steps, c.Train.LBFGS.Iterations, threadsNote())
	}
	pw, runErr := ms.Run(ctx)
	res.TrainSeconds = h.offset + time.Since(h.start).Seconds()
	if h.err != nil {
		return nil, fmt.Errorf("write %s: %w", metricsPath, h.err)
	}
	if saveErr != nil {
		return nil, saveErr
	}
	if runErr != nil {
		return nil, fmt.Errorf("training: %w; checkpoint %s holds the %d windows trained (continue with --resume)", runErr, ck, len(nets))
	}
	st.net = pw
	res.Steps = int64(c.totalSteps())
	if h.last != nil {
		res.Loss = h.last.Loss
	} else if len(kept) > 0 {
		res.Loss = kept[len(kept)-1].Loss
	}
	res.Params = nn.CountParams(pw)
	res.RelL2, res.RMAE = st.ref.Errors(pw)
	if k := st.coef; k != nil {
		v := k.value.ToFloat64s()[0]
		res.Coefficient = &PINNCoefficient{Name: k.name, Value: v, True: k.truth, RelativeErr: math.Abs(v-k.truth) / math.Abs(k.truth)}
	}
	res.Met = c.Expect == nil || c.Expect.met(res.RelL2, res.RMAE, res.Coefficient)
	if err := save(win); err != nil {
		return nil, err
	}
	if err := writePINNReport(res, st, opts); err != nil {
		return nil, err
	}
	return res, nil
}

// windowReference returns the part of ref with times ≤ hi.
func windowReference(ref *pinn.Reference, hi float64) *pinn.Reference {
	nt := 0
	for _, t := range ref.T {
		if t <= hi+1e-12 {
			nt++
		}
	}
	sub := &pinn.Reference{X: ref.X, T: ref.T[:nt]}
	for i := range ref.X {
		sub.U = append(sub.U, ref.U[i*len(ref.T):i*len(ref.T)+nt]...)
	}
	return sub
}

// pinnFinished reports whether the checkpoint is the end of a run of c.
func pinnFinished(ck string, c *PINNConfig) bool {
	k, err := nn.LoadCheckpoint(ck)
	return err == nil && k.Step >= int64(c.Train.Adam.Steps+c.Train.LBFGS.Iterations)
}

// writePINNReport writes result.json, plots/solution.png and report.md.
func writePINNReport(res *PINNResult, st *pinnSetup, opts Options) error {
	c := res.Config
	ref := st.ref
	if st.slice != nil {
		ref = st.slice // the plot shows the final time
	}
	x := ref.Points()
	if st.slice != nil { // (x, y) → (x, y, t)
		n := x.Dim(0)
		xs := x.Float64s()
		p := make([]float64, 0, 3*n)
		for i := range n {
			p = append(p, xs[2*i], xs[2*i+1], st.sliceT)
		}
		x = tensor.New(p, n, 3)
	}
	if d := c.Net.dtype(); d != tensor.Float64 {
		x = tensor.FromFloat64s(d, x.ToFloat64s(), x.Shape()...)
	}
	_, out := st.net.Dims()
	u := st.net.Forward(x).ToFloat64s()
	pred := make([]float64, len(ref.U))
	for i := range pred {
		if ref.Inside == nil || ref.Inside[i] {
			pred[i] = u[i*out]
		}
	}
	plotErr := plotPINN(ref, pred, st.axes, res.RelL2, filepath.Join(res.Dir, PlotsDir, PINNPlot))
	grid := []int{len(ref.X), len(ref.T)}
	if st.slice != nil {
		grid = c.evalGrid()
	}

	jm := map[string]any{
		"experiment": c.Name, "profile": c.Profile, "problem": c.Problem.Type,
		"rel_l2": res.RelL2, "rrmse": res.RelL2, "rmae": res.RMAE, "loss": res.Loss, "steps": res.Steps,
		"params": res.Params, "train_seconds": res.TrainSeconds, "expect_met": res.Met, "interrupted": res.Interrupted,
		"grid": grid,
	}
	if res.Coefficient != nil {
		jm["coefficient"] = res.Coefficient
	}
	j, _ := json.MarshalIndent(jm, "", "  ")
	if err := atomicfile.WriteFile(filepath.Join(res.Dir, PINNResultFile), append(j, '\n')); err != nil {
		return err
	}

	var b bytes.Buffer
	title := c.Name
	if c.Profile != "" {
		title += " (" + c.Profile + " profile)"
	}
	fmt.Fprintf(&b, "# %s\n\n", title)
	if c.Description != "" {
		fmt.Fprintf(&b, "%s\n\n", strings.TrimSpace(c.Description))
	}
	arch := c.Net.Type
	if c.Net.Type == "mlp" {
		arch += fmt.Sprintf(" %v %s", c.Net.Hidden, orDefault(c.Net.Activation, "tanh"))
	}
	prob := c.Problem.Type
	if c.boxed() {
		box := c.box()
		var conds []string
		for f, name := range pinn.FaceNames(box) {
			conds = append(conds, name+" "+c.faceBCs(box)[f])
		}
		prob += fmt.Sprintf(" on the %d-D box %v–%v with conditions %s", box.Dim(), box.Lo, box.Hi, strings.Join(conds, ", "))
	} else if c.Problem.Domain != "" || c.Problem.BC != "" {
		prob += fmt.Sprintf(" on the %s with %s conditions", orDefault(c.Problem.Domain, "square"), orDefault(c.Problem.BC, "dirichlet"))
	}
	if inv := c.Problem.Inverse; inv != nil {
		prob += fmt.Sprintf(", inverse: %s from %d data points", inverseCoefficient[c.Problem.Type], inv.DataPoints)
	}
	if m := c.Train.Marching; m != nil {
		fmt.Fprintf(&b, "Physics-informed network, problem `%s`, time-marching over %d windows, network `%s` per window (%d parameters in all, %s), per window %d collocation points (%s), Adam %d steps then L-BFGS %d iterations.\n\n",
			prob, m.Windows, arch, res.Params, c.Net.dtype(),
			st.trainer.Collocation().Dim(0), orDefault(c.Sampling.Sampler, "lhs"), c.Train.Adam.Steps, c.Train.LBFGS.Iterations)
	} else {
		fmt.Fprintf(&b, "Physics-informed network, problem `%s`, network `%s` (%d parameters, %s), %d collocation points (%s), Adam %d steps then L-BFGS %d iterations.\n\n",
			prob, arch, res.Params, c.Net.dtype(),
			st.trainer.Collocation().Dim(0), orDefault(c.Sampling.Sampler, "lhs"), c.Train.Adam.Steps, c.Train.LBFGS.Iterations)
	}
	fmt.Fprintf(&b, "| metric | value | expected |\n|---|---|---|\n")
	bound := func(v float64) string {
		if v == 0 {
			return ""
		}
		return fmt.Sprintf("≤ %.3g", v)
	}
	var e PINNExpect
	if c.Expect != nil {
		e = *c.Expect
	}
	fmt.Fprintf(&b, "| relative L2 | %.4e | %s |\n", res.RelL2, bound(e.RelL2))
	fmt.Fprintf(&b, "| rRMSE | %.4e | %s |\n", res.RelL2, bound(e.RRMSE))
	fmt.Fprintf(&b, "| rMAE | %.4e | %s |\n", res.RMAE, bound(e.RMAE))
	if k := res.Coefficient; k != nil {
		fmt.Fprintf(&b, "| identified %s (true %.6g) | %.6g (relative error %.2e) | %s |\n", k.Name, k.True, k.Value, k.RelativeErr, bound(e.Coefficient))
	}
	fmt.Fprintf(&b, "| final loss | %.4e | |\n", res.Loss)
	stopped := ""
	if res.Interrupted {
		stopped = fmt.Sprintf(" (interrupted; of %d)", c.totalSteps())
	}
	fmt.Fprintf(&b, "| steps (Adam + L-BFGS iterations) | %d%s | |\n", res.Steps, stopped)
	fmt.Fprintf(&b, "| training time | %.0f s | |\n\n", res.TrainSeconds)
	if c.Expect != nil {
		verdict := "met"
		if !res.Met {
			verdict = "**not met**"
		}
		fmt.Fprintf(&b, "Expectation (%s): %s.\n\n", e.describe(), verdict)
	}
	what := "the exact solution"
	if c.Problem.Type == "burgers" {
		what = fmt.Sprintf("the pseudo-spectral reference (%d Fourier points, dt %g)", c.referenceGrid(), orFloat(c.Eval.ReferenceDt, 1e-4))
	}
	if ref.Inside != nil && st.slice == nil {
		what += " (at the grid points inside the domain)"
	}
	at := ""
	if st.slice != nil {
		g := c.evalGrid()
		third := fmt.Sprintf("(x, y) grid inside the domain × %d times in [0, 1]", g[2])
		if st.sliceAxis == "z" {
			box := c.box()
			third = fmt.Sprintf("× %d (x, y, z) grid over the box [%g, %g] × [%g, %g] × [%g, %g]", g[2], box.Lo[0], box.Hi[0], box.Lo[1], box.Hi[1], box.Lo[2], box.Hi[2])
		}
		fmt.Fprintf(&b, "Errors at the %d points of the %d × %d %s against %s; rRMSE is the relative L2 error, rMAE = Σ|u − u*|/Σ|u*|.\n\n",
			st.ref.P.Dim(0), g[0], g[1], third, what)
		at = fmt.Sprintf(", at %s = %g", st.sliceAxis, st.sliceT)
	} else {
		fmt.Fprintf(&b, "Errors on a %d × %d grid (%s × %s) against %s; rRMSE is the relative L2 error, rMAE = Σ|u − u*|/Σ|u*|.\n\n",
			len(ref.X), len(ref.T), st.axes[0], st.axes[1], what)
	}
	if plotErr != nil {
		fmt.Fprintf(&b, "Plot failed: %v\n\n", plotErr)
	} else {
		fmt.Fprintf(&b, "![reference, prediction and error](%s/%s)\n\n*Reference, prediction and error (%s upward, %s to the right%s).*\n\n", PlotsDir, PINNPlot, st.axes[0], st.axes[1], at)
	}
	if opts.Command != "" {
		fmt.Fprintf(&b, "Command: `%s`\n\n", opts.Command)
	}
	fmt.Fprintf(&b, "Machine: %s/%s, %d threads. Metrics per logged step: `%s`.\n\n", runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), operator.MetricsFile)
	y, _ := yaml.Marshal(c)
	fmt.Fprintf(&b, "## Config\n\n```yaml\n%s```\n", y)
	res.Report = filepath.Join(res.Dir, ReportFile)
	return atomicfile.WriteFile(res.Report, b.Bytes())
}

func orFloat(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// plotPINN draws reference, prediction and error as heat maps (axis 0 of
// the grid upward, axis 1 to the right).
func plotPINN(ref *pinn.Reference, pred []float64, axes [2]string, relL2 float64, path string) error {
	n0, n1 := len(ref.X), len(ref.T)
	e := make([]float64, len(pred))
	lo, hi, emax := math.Inf(1), math.Inf(-1), 0.0
	for i := range pred {
		e[i] = pred[i] - ref.U[i]
		lo, hi = math.Min(lo, ref.U[i]), math.Max(hi, ref.U[i])
		emax = math.Max(emax, math.Abs(e[i]))
	}
	mk := func(title string, v []float64, diverging bool, lo, hi float64) *plot.Plot {
		return heatMapPlot(title, v, n0, n1, diverging, lo, hi)
	}
	rows := [][]*plot.Plot{{
		mk(fmt.Sprintf("reference u(%s, %s)  [%.3g, %.3g]", axes[0], axes[1], lo, hi), ref.U, false, lo, hi),
		mk("prediction", pred, false, lo, hi),
		mk(fmt.Sprintf("error ±%.2g (rel. L2 %.2e)", emax, relL2), e, true, -emax, emax),
	}}
	return saveTiles(rows, 30*vg.Centimeter, 10*vg.Centimeter, path)
}
