#!/usr/bin/env bash
# Side-by-side solver measurements for docs/performance.md (## Solvers).
# Runs the Go benchmarks and the PyTorch baseline alternately, ROUNDS times,
# so that both see the same background load; report best and median.
# Each round measures Navier–Stokes at matched precision: Go float64
# (BenchmarkNavierStokes64/256) next to PyTorch float64, then Go float32
# (BenchmarkNavierStokes64F32/256F32) next to PyTorch float32 (the FNO
# script's precision).
# Usage: bash docs/bench/solvers.sh [ROUNDS] > results.txt
set -u
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
PY=${PYTHON:-/usr/bin/python3}
BIN=$(mktemp /tmp/solvers-bench.XXXXXX)
trap 'rm -f "$BIN"' EXIT
go test -c -o "$BIN" ./solvers/ || exit 1
for r in $(seq "$ROUNDS"); do
	echo "== round $r $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
	for dt in float64 float32; do
		if [ "$dt" = float64 ]; then pat='NavierStokes(64|256)$'; else pat='NavierStokes(64|256)F32$'; fi
		"$BIN" -test.run '^$' -test.bench "$pat" -test.benchtime 3x 2>&1 | grep -E '^Benchmark'
		$PY docs/bench/ns_torch.py --threads 2 --batch 20 --sizes 64 256 --steps 100 --repeats 3 --dtype "$dt"
	done
done
echo "== single runs $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
"$BIN" -test.run '^$' -test.bench 'Burgers8192|Darcy421' -test.benchtime 5x -test.count 3 2>&1 | grep -E '^Benchmark'
"$BIN" -test.run '^$' -test.bench 'NavierStokesTimeToAccuracy' -test.benchtime 1x -test.timeout 30m 2>&1 | grep -E '^Benchmark'
