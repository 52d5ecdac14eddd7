// Package experiments holds sciml's experiment configs and the runner that
// wires data generation, training, discretization-invariant evaluation
// and a report together (`sciml run`, `sciml train`, `sciml eval`).
//
// # Configs
//
// An experiment is a YAML document (the embedded ones are in configs/,
// listed by Names; Load takes a name or a file):
//
//	name: burgers-fno
//	data:                 # where samples come from and how they are split
//	  generate: {pde: burgers, n: 1100, resolution: 8192, burgers: {…}}
//	  n_train: 1000       # the first samples
//	  n_test: 100         # the last samples
//	  resolution: 1024    # training resolution
//	  normalize: {input: none, output: none}
//	  task: {kind: map}   # or inverse; rollout / space_time for trajectories
//	model:                # a registered model type and its config
//	  type: fno
//	  dim: 1 …            # fno.Config
//	train: {epochs: 500, batch_size: 20, optimizer: {…}, schedule: {…}, loss: {…}}
//	eval: {resolutions: [256, …, 8192], super_resolution: [{input: 1024, output: 8192}], h1: true}
//	                      # via_training_grid: [141, 421] runs a grid-tied model (MgNO) on its training grid,
//	                      # restriction: average gives it the input's cell averages there (default interpolate)
//	expect: {rel_l2: 0.016, resolution: 1024}
//	profiles:             # named overrides, merged key by key
//	  quick: {data: {…}, train: {epochs: 40}}
//
// Decoding is strict: an unknown key, a wrong type or an invalid value is
// an error that names the file, the line and the key. data.generate is a
// data.GenerateSpec over data.DefaultSpec of its pde, train an
// operator.TrainConfig (zero fields take the FNO paper's recipe), model
// the config of a type registered with RegisterModel ("fno" is
// fno.Config). A profile is merged over the document before decoding:
// mappings key by key, anything else replaced.
//
// # Runs
//
// Run generates the dataset when it is not cached (DataPath: the PDE and
// the spec's cache key, under DefaultDataDir), fits the normalisers on the
// training samples, trains (operator.Trainer: metrics.jsonl and
// model.safetensors in the run directory, resumable), evaluates the test
// samples at every configured resolution and super-resolution pair
// (operator.Evaluate), and writes eval.json, report.md and plots/*.png:
// the loss curves, the error against the resolution and a few test
// samples (truth, prediction, error; lines in 1-D, heat maps in 2-D).
//
// Tasks: "map" feeds the stored input to the model and compares with the
// stored output; "inverse" feeds the stored output and compares with the
// stored input (the Darcy coefficient from the solutions for several
// sources, data.generate.darcy.sources). For trajectories
// (Navier–Stokes), "rollout" gives the
// first window snapshots and rolls the model out autoregressively over
// the next steps (operator.Rollout, the FNO-2D of the paper) and
// "space_time" repeats the first window snapshots along a time axis and
// predicts the next steps as one space-time field (the FNO-3D).
//
// # Trained models as Go functions
//
// LoadSurrogate rebuilds the model of a run's checkpoint with its weights
// and normalisers (the checkpoint records the data's grid, so the dataset
// is not needed); Surrogate.Predict maps input fields on any grid to
// output fields in the data's units, and PredictOnTrainingGrid runs a
// grid-tied model (MgNO) on its training grid. EvalCheckpoint (`sciml
// eval`) evaluates a checkpoint on test data at several resolutions; its
// per-sample errors go to a journal as it runs, so an interrupted
// evaluation continues where it stopped.
//
// # Implicit neural representations
//
// Configs with `kind: inr` (INRConfig, RunINR; configs inr-fit and
// inr-poisson) fit fields with inr models:
//
//	kind: inr
//	name: inr-fit
//	task: fit             # or gradient / laplacian (inr.FitDerivative)
//	targets:              # test-image (procedural), navier-stokes (our solver) or png
//	  - {name: ns, source: navier-stokes, size: 256, time: 10, normalize: true}
//	models: [siren, relu_pe, …]
//	budget: 198401        # every model sized to this many parameters (inr.WithBudget)
//	net: {layers: 3, seed: 0}
//	fit: {steps: 2000, lr: 0.0001, log_every: 100}
//	overrides: {wire: {lr: 0.005}}   # per model: lr, steps, omega0, scale, frequencies
//	expect: {psnr: 30, model: siren}
//
// The run writes results.json (the table: PSNR, SSIM, relative L2, time
// per target and model, rewritten after each fit; --resume keeps the
// finished fits), metrics.jsonl, a checkpoint per fit, figures (target,
// fit, error, |∇f|, Δf; PSNR against step) and report.md.
package experiments
