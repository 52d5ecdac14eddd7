#!/usr/bin/env bash
# The long runs behind docs/results.md that a 2-core machine needs hours
# for, one after another, each resumable: the INR comparison on the image
# (issue 9) and the operators' paper profiles (issue 10).
#
#   make build && nohup scripts/long-runs.sh /work/runs > /work/runs/long-runs.log 2>&1 &
#
# The first argument is where the run directories go (default runs/). A
# job whose directory holds .done is skipped; one whose directory exists
# is continued with --resume. Ctrl-C, or SIGTERM to the script (a shell
# starts background jobs with SIGINT ignored), passes SIGINT to the running
# job, which saves its state; start the script again to go on.
# SCIML (default bin/sciml) is the binary to use.
#
# Names after the directory pick jobs by their experiment (the first word
# of the names the log prints: inr-fit, darcy-gno, darcy-mgno,
# darcy-mpgno, darcy-lno, darcy-fno); the rest are skipped. On a fresh
# machine, say, where the finished jobs' directories are gone,
#
#   scripts/long-runs.sh /work/runs darcy-lno
#
# reruns the LNO paper profile alone instead of the whole queue.
set -u
dir=${1:-runs}
shift $(($# > 0 ? 1 : 0))
only=("$@")
experiments=(inr-fit darcy-gno darcy-mgno darcy-mpgno darcy-lno darcy-fno)
# listed WORD LIST…: whether WORD is one of LIST.
listed() { local w=$1; shift; [[ " $* " == *" $w "* ]]; }
for e in "${only[@]}"; do
	listed "$e" "${experiments[@]}" ||
		{ echo "long-runs: no job runs experiment $e (these do: ${experiments[*]})" >&2; exit 2; }
done
bin=${SCIML:-bin/sciml}
[ -x "$bin" ] || { echo "long-runs: $bin not found (make build, or set SCIML)" >&2; exit 2; }
mkdir -p "$dir" || exit 2
child=0
trap 'if [ $child -ne 0 ]; then kill -INT $child; wait $child; fi; exit 130' INT TERM

# run NAME DIR CMD... runs CMD in the background (so that the trap can
# forward a signal), marks DIR done when it succeeds. It holds DIR.lock
# while it runs. A job whose lock is held runs elsewhere: one started by
# hand beside the queue, say niced on one thread to use what the queue's
# job leaves of the second core,
#
#   flock DIR.lock sh -c 'GOMAXPROCS=1 nice -n 19 bin/sciml … && mkdir -p DIR && touch DIR/.done'
#
# The queue skips it and goes on with the next job (never running one
# twice into the same files); start the script again once it has ended.
skipped=()
run() {
	local name=$1 out=$2
	shift 2
	if [ ${#only[@]} -gt 0 ] && ! listed "${name%% *}" "${only[@]}"; then
		return 0
	fi
	if [ -e "$out/.done" ]; then
		echo "== $name: done before"
		return 0
	fi
	mkdir -p "$(dirname "$out")" || return
	exec 9>"$out.lock" || return
	if ! flock -n 9; then
		exec 9>&-
		echo "== $name: running elsewhere ($out.lock held), skipped $(date -u +%FT%TZ)"
		skipped+=("$name")
		return 0
	fi
	echo "== $name: start $(date -u +%FT%TZ)"
	"$@" &
	child=$!
	wait $child
	local rc=$?
	child=0
	exec 9>&-
	echo "== $name: exit $rc $(date -u +%FT%TZ)"
	[ $rc -eq 0 ] && mkdir -p "$out" && touch "$out/.done"
	return $rc
}

# experiment NAME PROFILE DIR [--set …]: sciml run, resumed when DIR exists.
experiment() {
	local name=$1 profile=$2 out=$3
	shift 3
	local resume=()
	[ -d "$out" ] && resume=(--resume)
	run "$name $profile" "$out" "$bin" run "$name" --profile "$profile" -o "$out" "${resume[@]}" "$@"
}

# The INR table's image column (docs/results.md "Model comparison"): the
# vorticity column and SIREN, ReLU+PE, GELU+PE and FKAN on the image are
# done; the rest, cheapest first.
experiment inr-fit paper "$dir/inr-image" \
	--set 'targets=[{name: image, source: test-image, size: 256}]' \
	--set 'models=[finer, gauss, sl2a, wire, wavelet]' || exit
# The operators' paper profiles (GNO ≈ 4.5 h, MgNO ≈ 10.5 h and LNO
# ≈ 6.6 h on the 2-core Intel machine at the session-12 steps), and the
# multipole GNO's compare run with its evaluation at 421² (≈ 80 min).
# Each writes its checkpoint every epoch (ckpt): a machine that goes away
# without the SIGTERM above then loses at most one epoch, not ten.
ckpt=(--set train.checkpoint_every=1)
experiment darcy-gno paper "$dir/darcy-gno-paper" "${ckpt[@]}" || exit
# The same GNO averaged over 4 random node partitions at test time
# (model.eval_partitions, the paper's test-time node sets).
run "darcy-gno eval 4 partitions" "$dir/darcy-gno-paper/eval-l4" \
	"$bin" eval --checkpoint "$dir/darcy-gno-paper/model.safetensors" --set model.eval_partitions=4 \
	-o "$dir/darcy-gno-paper/eval-l4.md" || exit
# MgNO before the rest: whether MgNO beats FNO at the training resolution
# with its paper budget is the question issue 10 asks of it. It resumes
# from its checkpoint, so it can fill the end of any session.
experiment darcy-mgno paper "$dir/darcy-mgno-paper" "${ckpt[@]}" || exit
# The multipole GNO's compare run and its evaluation at 421² (≈ 4 min a
# sample, 20 samples). The evaluation journals each sample's errors
# (eval-421.journal.json), so a stopped one goes on from the samples done.
experiment darcy-mpgno compare "$dir/darcy-mpgno-compare" "${ckpt[@]}" || exit
if [ -e "$dir/darcy-mpgno-compare/.done" ]; then
	run "darcy-mpgno eval 421" "$dir/darcy-mpgno-compare/eval421" \
		"$bin" eval --checkpoint "$dir/darcy-mpgno-compare/model.safetensors" --resolutions 421 --batch 1 \
		-o "$dir/darcy-mpgno-compare/eval-421.md" || exit
fi
experiment darcy-lno paper "$dir/darcy-lno-paper" "${ckpt[@]}" || exit
# FNO with MgNO's recipe (H1 loss, one-cycle) at the paper budget (≈ 2.5 h):
# does the recipe, not the architecture, account for MgNO's lead, as in the
# small controlled run of docs/results.md ("MgNO against FNO on Darcy")?
experiment darcy-fno paper_h1 "$dir/darcy-fno-paper-h1" "${ckpt[@]}" || exit
if [ ${#skipped[@]} -gt 0 ]; then
	echo "== skipped, running elsewhere: ${skipped[*]}; start the script again when they end"
fi
