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
//	  task: {kind: map}   # or rollout / space_time for trajectories
//	model:                # a registered model type and its config
//	  type: fno
//	  dim: 1 …            # fno.Config
//	train: {epochs: 500, batch_size: 20, optimizer: {…}, schedule: {…}, loss: {…}}
//	eval: {resolutions: [256, …, 8192], super_resolution: [{input: 1024, output: 8192}], h1: true}
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
// stored output. For trajectories (Navier–Stokes), "rollout" gives the
// first window snapshots and rolls the model out autoregressively over
// the next steps (operator.Rollout, the FNO-2D of the paper) and
// "space_time" repeats the first window snapshots along a time axis and
// predicts the next steps as one space-time field (the FNO-3D).
package experiments
