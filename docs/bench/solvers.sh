#!/usr/bin/env bash
# Side-by-side solver measurements for docs/performance.md (## Solvers).
# Runs the Go benchmarks and the PyTorch baseline alternately, ROUNDS times,
# so that both see the same background load; report best and median.
# Usage: bash docs/bench/solvers.sh [ROUNDS] > results.txt
set -u
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
PY=${PYTHON:-/usr/bin/python3}
for r in $(seq "$ROUNDS"); do
	echo "== round $r $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
	go test ./solvers/ -run '^$' -bench 'NavierStokes(64|256)$' -benchtime 3x 2>&1 | grep -E '^Benchmark'
	$PY docs/bench/ns_torch.py --threads 2 --batch 20 --sizes 64 256 --steps 100 --repeats 3
done
echo "== single runs $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
go test ./solvers/ -run '^$' -bench 'Burgers8192|Darcy421' -benchtime 5x -count 3 2>&1 | grep -E '^Benchmark'
go test ./solvers/ -run '^$' -bench 'NavierStokesTimeToAccuracy' -benchtime 1x -timeout 30m 2>&1 | grep -E '^Benchmark'
