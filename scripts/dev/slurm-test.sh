#!/usr/bin/env bash
# A real Slurm cluster on this machine, and sc2gan's correction run through it: installs
# Debian's slurm-wlm and munge, writes a one-node slurm.conf (this machine, its CPUs), starts
# munged, slurmctld and slurmd on private ports and sockets, then
#   1. one process:     sc2gan correct ARGS                        (the reference)
#   2. the cluster:     sc2gan slurm correct ARGS --shards 4       -> byte-identical to 1
#                       sc2gan slurm sample --shards 4             -> the same samples as 1
#   3. a killed task:   the same, one synthesis array task scancelled mid-run: the guard
#                       resubmits it alone, and the result is still byte-identical to 1
#   4. damaged files:   run 2's work folder with a sample unit and a synthesis unit corrupted,
#                       submitted again: both are caught by their checksums, redone, identical
# and stops every daemon it started (trap), whatever happens. Run as root. Prints its timings.
#   bash scripts/dev/slurm-test.sh            # SLURM_TEST_SAMPLES=2000 by default
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "slurm-test: run as root (it installs and starts munge and Slurm)" >&2; exit 1; }
SETUP_EXTRA="slurm-wlm munge" source scripts/setup.sh
T0=$SECONDS
timing() { printf "slurm-test: %-52s %5d s\n" "$1" "$2"; }
t=$SECONDS
swift build -c release --product sc2gan 2>&1 | grep -E "error|warning: |Compiling|Build" | grep -v "prohibited flag" | tail -3
B=$PWD/.build/release/sc2gan
source scripts/lib/blas-kernel.sh
blas_kernel "$B"
timing "build" $((SECONDS - t))

ROOT=$(mktemp -d /tmp/sc2gan-slurm.XXXXXX)
chmod 755 "$ROOT"
NODE=$(hostname -s)
NCPU=$(nproc)
PIDS=()
stop_daemons() {
  set +e
  [ -f "$ROOT/slurmctld.pid" ] && SLURM_CONF=$ROOT/slurm.conf scancel --quiet --full -u root 2>/dev/null
  for f in slurmd slurmctld munged; do
    [ -f "$ROOT/$f.pid" ] || continue
    pid=$(cat "$ROOT/$f.pid")
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  echo "slurm-test: daemons stopped (logs in $ROOT)"
}
trap stop_daemons EXIT

# munge, on its own socket and key.
mkdir -p "$ROOT/munge"
dd if=/dev/urandom of="$ROOT/munge/munge.key" bs=1024 count=1 status=none
chmod 700 "$ROOT/munge"; chmod 400 "$ROOT/munge/munge.key"
munged --force --key-file="$ROOT/munge/munge.key" --socket="$ROOT/munge/munge.socket" \
  --pid-file="$ROOT/munged.pid" --log-file="$ROOT/munged.log" --seed-file="$ROOT/munge/munge.seed"

# One node: this machine. Slurm state, spool, logs and ports are private to this run.
mkdir -p "$ROOT/state" "$ROOT/spool"
cat > "$ROOT/slurm.conf" <<CONF
ClusterName=sc2gantest
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$ROOT/munge/munge.socket
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation=$ROOT/state
SlurmdSpoolDir=$ROOT/spool
SlurmctldPidFile=$ROOT/slurmctld.pid
SlurmdPidFile=$ROOT/slurmd.pid
SlurmctldLogFile=$ROOT/slurmctld.log
SlurmdLogFile=$ROOT/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
MinJobAge=3600
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$NCPU State=UNKNOWN
PartitionName=test Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$ROOT/slurm.conf
t=$SECONDS
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 100); do sinfo -h -o %T 2>/dev/null | grep -qE "^idle" && break; sleep 0.2; done
sinfo -h -o "%P %D %c %T" | sed 's/^/slurm-test: sinfo: /'
sinfo -h -o %T | grep -qE "^idle" || { echo "slurm-test: the node did not come up" >&2; tail -20 "$ROOT/slurmctld.log" "$ROOT/slurmd.log" >&2; exit 1; }
timing "munged + slurmctld + slurmd up ($NCPU CPUs)" $((SECONDS - t))

SAMPLES=${SLURM_TEST_SAMPLES:-2000}
ARGS=(--attribute age --samples "$SAMPLES" --rare 40 --max-rare 80 --refine-steps 8 --row-window 2)
export SC2GAN_THREADS=1

# 1. The reference: one process.
t=$SECONDS
"$B" correct "${ARGS[@]}" --cache "$ROOT/ref-cache" --out "$ROOT/ref" 2>/dev/null | tail -1
timing "1 process: correct --samples $SAMPLES" $((SECONDS - t))

same_as_reference() {   # every output file byte for byte (the report's wall time aside)
  local out=$1 f
  for f in age.interfacegan.json age.conditional.json age.sc2.json; do
    cmp "$ROOT/ref/$f" "$out/$f" || { echo "slurm-test: $out/$f differs from the single process's" >&2; return 1; }
  done
  cmp <(grep -v '"seconds"' "$ROOT/ref/age.report.json") <(grep -v '"seconds"' "$out/age.report.json") \
    || { echo "slurm-test: $out/age.report.json differs from the single process's" >&2; return 1; }
  cmp "$ROOT"/ref-cache/samples-*.safetensors "$2"/cache/samples-*.safetensors \
    || { echo "slurm-test: merged samples differ from the single process's" >&2; return 1; }
  echo "slurm-test: $out: interfacegan, conditional, sc2, report and the merged samples are byte-identical to one process"
}

wait_done() {   # sc2gan slurm status until it says done (0) or failed (1)
  local dir=$1 limit=$2 rc
  for _ in $(seq "$limit"); do
    set +e; "$B" slurm status "$dir" > "$ROOT/status.txt"; rc=$?; set -e
    [ $rc -eq 2 ] || break
    sleep 1
  done
  sed 's/^/slurm-test: status: /' "$ROOT/status.txt"
  [ "$rc" -eq 0 ] || { echo "slurm-test: the pipeline in $dir did not finish (status $rc)" >&2; tail -n 5 "$dir"/slurm/logs/*.out >&2; return 1; }
}

SLURM_ARGS=(--shards 4 --cpus-per-task 1 --time 30:00)
# 2. The cluster, 4 shards.
t=$SECONDS
"$B" slurm correct "${ARGS[@]}" "${SLURM_ARGS[@]}" --workdir "$ROOT/w1" | sed 's/^/slurm-test: /'
wait_done "$ROOT/w1" 1200
same_as_reference "$ROOT/w1/out" "$ROOT/w1"
timing "slurm correct, 4 shards" $((SECONDS - t))

# 2b. The sample pipeline alone: sample array -> merge, the same cache file as one process.
t=$SECONDS
"$B" slurm sample --samples "$SAMPLES" "${SLURM_ARGS[@]}" --workdir "$ROOT/ws" | sed 's/^/slurm-test: /'
wait_done "$ROOT/ws" 600
cmp "$ROOT"/ref-cache/samples-*.safetensors "$ROOT"/ws/out/samples-*.safetensors \
  || { echo "slurm-test: slurm sample's set differs from the single process's" >&2; exit 1; }
echo "slurm-test: $ROOT/ws/out: the sample set is byte-identical to one process's"
timing "slurm sample, 4 shards" $((SECONDS - t))

# 3. One synthesis task killed while it runs.
t=$SECONDS
"$B" slurm correct "${ARGS[@]}" "${SLURM_ARGS[@]}" --workdir "$ROOT/w2" | sed 's/^/slurm-test: /'
synth=$(/usr/bin/python3 -c 'import json,sys; print([j["id"] for j in json.load(open(sys.argv[1]))["jobs"] if j["name"]=="synthesis"][0])' "$ROOT/w2/slurm/jobs.json")
victim=""
for _ in $(seq 1200); do
  running=$(squeue -h -r -j "$synth" -t RUNNING -o %i 2>/dev/null | head -n 1)
  if [ -n "$running" ]; then
    log="$ROOT/w2/slurm/logs/synthesis-${synth}_${running#*_}.out"
    # Mid-run: the task has started computing units (its log has the start line), not finished.
    if [ -f "$log" ] && grep -q "sc2gan-synthesis" "$log"; then sleep 2; victim=$running; break; fi
  fi
  sleep 0.2
done
[ -n "$victim" ] || { echo "slurm-test: no synthesis task was seen running" >&2; exit 1; }
shard=${victim#*_}
scancel "$victim"
echo "slurm-test: scancel $victim (synthesis shard $shard) mid-run"
wait_done "$ROOT/w2" 1200
grep -h "resubmitting" "$ROOT"/w2/slurm/logs/synthesis-guard-*.out | sed 's/^/slurm-test: guard: /'
grep -q "shards .*$shard.* incomplete: resubmitting" "$ROOT"/w2/slurm/logs/synthesis-guard-*.out \
  || { echo "slurm-test: the guard did not resubmit shard $shard" >&2; exit 1; }
squeue -h -r -t all -j "$synth" -o "%i %T" | grep -q "^$victim CANCELLED" \
  || { echo "slurm-test: $victim is not recorded as cancelled" >&2; exit 1; }
same_as_reference "$ROOT/w2/out" "$ROOT/w2"
timing "slurm correct, 4 shards, one task killed" $((SECONDS - t))

# 4. Damaged files: a sample unit and a synthesis unit of run 2's folder, one byte each.
t=$SECONDS
sample_unit=$(ls "$ROOT"/w2/samples-*/unit-000001.safetensors)
synth_unit=$(ls "$ROOT"/w2/correct-age/units-*/on-000002.json)
rm -rf "$ROOT/w2/out" "$ROOT/w2/cache"
for f in "$sample_unit" "$synth_unit"; do
  printf 'X' | dd of="$f" bs=1 seek=100 conv=notrunc status=none
done
"$B" slurm correct "${ARGS[@]}" "${SLURM_ARGS[@]}" --workdir "$ROOT/w2" | sed 's/^/slurm-test: /'
wait_done "$ROOT/w2" 1200
for f in "$sample_unit" "$synth_unit"; do
  grep -l "$f: checksum does not match" "$ROOT"/w2/slurm/logs/*.out >/dev/null \
    || { echo "slurm-test: $f was not caught as damaged" >&2; exit 1; }
  echo "slurm-test: caught and redone: ${f#$ROOT/}"
done
same_as_reference "$ROOT/w2/out" "$ROOT/w2"
timing "slurm correct again over 2 damaged unit files" $((SECONDS - t))
timing "total" $((SECONDS - T0))
echo "slurm-test: passed"
