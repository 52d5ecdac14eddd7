#!/bin/bash
# Generate the FNO Navier–Stokes dataset (ν = 1e-3, 64×64, T = 50) on a Slurm
# cluster: one array task per shard, then one merge.
#
#   sbatch docs/examples/slurm-generate.sh            # 16 shards
#   # when all tasks are done:
#   sciml merge $OUT/ns-shard-*.h5 -o $OUT/ns-1e-3.h5
#
# Each task writes samples i, i+16, i+32, … of the same 1200-sample dataset
# (sample k depends only on the seed and k), so the merged file equals a
# single run's bitwise. A task that is preempted or hits its time limit is
# resumed by requeueing: --resume continues from the task's .partial file.
#
#SBATCH --job-name=sciml-ns
#SBATCH --array=0-15
#SBATCH --cpus-per-task=32
#SBATCH --mem=8G
#SBATCH --time=24:00:00
#SBATCH --requeue
#SBATCH --output=logs/%x-%A_%a.log

set -euo pipefail
OUT=${OUT:-$PWD/data}
mkdir -p "$OUT" logs

# --shard 16: the shard index comes from SLURM_ARRAY_TASK_ID (minus
# SLURM_ARRAY_TASK_MIN, so --array=1-16 works too). Off a terminal, progress
# is logged every 10 s (samples, rate, ETA) into the task's log.
srun sciml generate navier-stokes \
  --n 1200 --resolution 64 --seed 0 \
  --viscosity 1e-3 --final-time 50 --record-every 1 --solve-resolution 256 \
  --workers "$SLURM_CPUS_PER_TASK" \
  --shard 16 --resume \
  -o "$OUT/ns-shard-{shard}.h5"
