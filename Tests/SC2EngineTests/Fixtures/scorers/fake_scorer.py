"""Scorers for Tests/SC2EngineTests/ExternalScorerTests.swift, in plain Python (no numpy), one
behaviour each: python3 fake_scorer.py MODE [INPUT_SIZE].

  good          attributes red, green, blue: each image's mean channel value / 255
  crash         handshake, then on the first batch a message on stderr and exit status 3
  hang          handshake, then reads the batch and never answers
  hang_start    never sends the handshake
  garbage       handshake, then answers a batch with a line that is not JSON
  wrong_count   handshake, then one row fewer than the batch has
  nan           handshake, then NaN scores (Python's json writes NaN)
  no_handshake  a line of log text on stdout instead of the handshake
  error         handshake, then an {"error": ...} reply
  chatty        good, but writes 1 MB to stderr per batch (must not block)"""
import json
import sys
import time

mode = sys.argv[1]
size = int(sys.argv[2]) if len(sys.argv) > 2 else 16
out, inp = sys.stdout.buffer, sys.stdin.buffer


def send(obj):
    out.write((json.dumps(obj) + "\n").encode())
    out.flush()


if mode == "hang_start":
    time.sleep(3600)
if mode == "no_handshake":
    print("loading model weights from /tmp/w.pt ...", flush=True)
    time.sleep(3600)
send({"protocol": "sc2gan-scorer/1", "attributes": ["red", "green", "blue"], "input_size": size, "identity": mode})
while True:
    line = inp.readline()
    if not line:
        sys.exit(0)
    header = json.loads(line)
    n, h, w = header["batch"], header["height"], header["width"]
    data = inp.read(n * h * w * 3)
    while len(data) < n * h * w * 3:
        more = inp.read(n * h * w * 3 - len(data))
        if not more:
            sys.exit(1)
        data += more
    if mode == "crash":
        sys.stderr.write("loading batch\nRuntimeError: CUDA out of memory (fake)\n")
        sys.exit(3)
    if mode == "hang":
        time.sleep(3600)
    if mode == "garbage":
        out.write(b"tensor([[0.1, 0.2]])\n")
        out.flush()
        continue
    if mode == "chatty":
        sys.stderr.write("x" * (1 << 20) + "\n")
        sys.stderr.flush()
    if mode == "error":
        send({"error": "ValueError: expected 224 px"})
        continue
    plane = h * w * 3
    rows = []
    for i in range(n):
        img = data[i * plane:(i + 1) * plane]
        rows.append([sum(img[c::3]) / (h * w * 255) for c in range(3)])
    if mode == "wrong_count":
        rows = rows[:-1]
    if mode == "nan":
        rows[0][1] = float("nan")
    send({"scores": rows})
