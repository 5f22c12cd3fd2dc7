#!/usr/bin/env bash
# Key-to-frame latency of the explorer. Runs `sc2gan explore --trace` in a detached tmux
# session (160x50, xterm-256color), walks with the arrow keys at a person's pace and prints
# the median and 95th percentile of the time from reading a key to the end of the refresh of
# the frame that shows its pictures. Twice: with the worker's prefetch of neighbouring steps
# (the default) and without it (every step rendered on demand: three edits + the seed). On a
# model whose render exceeds the worker's budget (50 ms) the first frame is a preview stopped at
# an earlier block; "refined" counts the keys whose full-resolution frame followed before the
# next key, with the median time to it, and "pane" those whose pictures at the pane's resolution
# (the first block at or above the picture's size on screen) came in between.
#
#   bash scripts/bench/bench-explorer.sh                       # builds release unless SC2GAN_BIN is set
#   SC2GAN_BIN=.build-explore/debug/sc2gan ROUNDS=4 STEPS=8 PACE=0.15 bash scripts/bench/bench-explorer.sh
#   MODEL=other.safetensors CLASSIFIER=c.safetensors bash scripts/bench/bench-explorer.sh
#   KEEP_TRACES=dir bash scripts/bench/bench-explorer.sh          # keeps the explorer's --trace files
#   VIEW=g bash scripts/bench/bench-explorer.sh                    # in a view: keys sent after the first frame (g grid, d heat map, t no chart, m one pane)
#
# Each round: n (a new seed), STEPS x Right, n, STEPS x Left; so every arrow asks for a seed and
# step not seen before. Random unit directions for all three methods (written to a temporary
# folder) keep the three panes busy whatever directions the model has.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-4}; STEPS=${STEPS:-8}; PACE=${PACE:-0.15}; WIDTH=${WIDTH:-160}; HEIGHT=${HEIGHT:-50}
command -v tmux >/dev/null || { echo "bench-explorer: tmux is needed (scripts/setup.sh installs it)" >&2; exit 1; }
BIN=${SC2GAN_BIN:-}
if [ -z "$BIN" ]; then
  source scripts/setup.sh
  swift build -c release --product sc2gan 2>&1 | grep -E "error|warning: " || true
  BIN=.build/release/sc2gan
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
[ -x "$BIN" ] || { echo "bench-explorer: no binary at $BIN" >&2; exit 1; }

work=$(mktemp -d)
sock=sc2gan-bench-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work" "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"' EXIT

bench_args=()
[ -n "${MODEL:-}" ] && bench_args+=(--model "$(cd "$(dirname "$MODEL")" && pwd)/$(basename "$MODEL")")
model_args=("${bench_args[@]}")
[ -n "${CLASSIFIER:-}" ] && model_args+=(--classifier "$(cd "$(dirname "$CLASSIFIER")" && pwd)/$(basename "$CLASSIFIER")")
model_line=$("$BIN" bench "${bench_args[@]}" --batch 1 --iterations 1 --gemm-size 64 2>/dev/null | sed -n 's/^model *//p')

# w dimension of the model (from `sc2gan bench`'s model line: "64x64, z 128, w 128 x 10, ...").
wdim=$(echo "$model_line" | sed -n 's/.* w \([0-9][0-9]*\) x .*/\1/p')
[ -n "$wdim" ] || { echo "bench-explorer: cannot read the model's w dimension" >&2; exit 1; }
mkdir -p "$work/directions"
for m in interfacegan conditional sc2; do
  awk -v n="$wdim" -v seed="$(printf %d "'${m:0:1}")" -v m="$m" 'BEGIN {
    srand(seed); s = 0
    for (i = 0; i < n; i++) { v[i] = 2 * rand() - 1; s += v[i] * v[i] }
    printf "{\"attribute\":\"age\",\"method\":\"%s\",\"provenance\":{},\"vector\":[", m
    for (i = 0; i < n; i++) printf "%s%.7f", (i ? "," : ""), v[i] / sqrt(s)
    print "]}" }' > "$work/directions/age.$m.json"
done

run() {  # $1 = SC2GAN_EXPLORE_PREFETCH value; prints "median p95 max n"
  local trace="$work/trace-$1.jsonl"
  tmux -L "$sock" -f /dev/null new-session -d -s bench -x "$WIDTH" -y "$HEIGHT" \
    "env TERM=xterm-256color LANG=C.UTF-8 SC2GAN_EXPLORE_PREFETCH=$1 '$BIN' explore ${model_args[*]} --directions '$work/directions' --attribute age --seed 100 --trace '$trace' --export-dir '$work/exports'; sleep 3"
  # The first start calibrates the equal-effect steps of the random directions (cached after).
  for _ in $(seq 1 1200); do
    tmux -L "$sock" capture-pane -p -t bench 2>/dev/null | grep -q "step 0  " && break
    sleep 0.1
  done
  sleep 1
  for k in $(echo "${VIEW:-}" | fold -w1); do tmux -L "$sock" send-keys -t bench "$k"; sleep 1; done
  for r in $(seq 1 "$ROUNDS"); do
    tmux -L "$sock" send-keys -t bench n; sleep "$PACE"
    for _ in $(seq 1 "$STEPS"); do tmux -L "$sock" send-keys -t bench Right; sleep "$PACE"; done
    tmux -L "$sock" send-keys -t bench n; sleep "$PACE"
    for _ in $(seq 1 "$STEPS"); do tmux -L "$sock" send-keys -t bench Left; sleep "$PACE"; done
  done
  sleep 1
  tmux -L "$sock" send-keys -t bench q
  sleep 0.5
  tmux -L "$sock" kill-server 2>/dev/null || true
  [ -n "${KEEP_TRACES:-}" ] && mkdir -p "$KEEP_TRACES" && cp "$trace" "$KEEP_TRACES/"
  grep -E '"key":"(left|right)"' "$trace" | { grep -v '"refined"\|"pane"' || true; } | sed 's/.*"latency_ms":\([0-9.]*\).*/\1/' | sort -n | awk '
    { v[NR] = $1 }
    END {
      if (NR == 0) { print "0 0 0 0"; exit }
      m = int((NR + 1) / 2); p = int(0.95 * NR + 0.999999); if (p < 1) p = 1
      printf "%.1f %.1f %.1f %d", v[m], v[p], v[NR], NR }'
  # Keys whose first frame was a preview (a large model): when their full-resolution frame came.
  grep -E '"key":"(left|right)"' "$trace" | { grep '"refined"' || true; } | sed 's/.*"latency_ms":\([0-9.]*\).*/\1/' | sort -n | awk '
    { v[NR] = $1 } END { if (NR == 0) { printf " - 0"; exit }; printf " %.0f %d", v[int((NR + 1) / 2)], NR }'
  # ...and when their pictures at the pane's resolution came (before the full ones).
  grep -E '"key":"(left|right)"' "$trace" | { grep '"pane"' || true; } | sed 's/.*"latency_ms":\([0-9.]*\).*/\1/' | sort -n | awk '
    { v[NR] = $1 } END { if (NR == 0) { print " - 0"; exit }; printf " %.0f %d\n", v[int((NR + 1) / 2)], NR }'
}

echo "explorer key-to-frame latency, ${WIDTH}x${HEIGHT}, one arrow every ${PACE}s${VIEW:+, view keys $VIEW}; model $(echo "$model_line" | cut -d, -f1); $BIN"
printf "%-22s %10s %10s %10s %6s %16s %9s %13s %6s\n" mode "median ms" "p95 ms" "max ms" keys "refined median" refined "pane median" pane
read -r med p95 max n rmed rn pmed pn < <(run 1)
printf "%-22s %10s %10s %10s %6s %16s %9s %13s %6s\n" "prefetch (default)" "$med" "$p95" "$max" "$n" "$rmed" "$rn" "$pmed" "$pn"
read -r med p95 max n rmed rn pmed pn < <(run 0)
printf "%-22s %10s %10s %10s %6s %16s %9s %13s %6s\n" "render on demand" "$med" "$p95" "$max" "$n" "$rmed" "$rn" "$pmed" "$pn"
