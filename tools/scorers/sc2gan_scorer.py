"""The scorer's side of sc2gan-scorer/1 (docs/SCORER.md), for Python scorers:

    import sc2gan_scorer
    sc2gan_scorer.serve(["smile", "eyeglasses"], 224, score)   # score(images) -> [N, 2] in [0, 1]

`images` is a numpy uint8 array [N, H, W, 3] (RGB, H = W = the input size named in the
handshake). serve() writes the handshake, answers every batch with one JSON line and returns
when sc2gan closes stdin. Anything the scorer wants to log goes to stderr: stdout is the
protocol's. An exception while scoring becomes an {"error": ...} reply, which sc2gan reports."""
import json
import sys

import numpy as np

PROTOCOL = "sc2gan-scorer/1"


def _read_exact(stream, count):
    chunks, left = [], count
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError(f"input ended {left} bytes before the end of a batch")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def serve(attributes, input_size, score, domain=None, identity=None):
    out, inp = sys.stdout.buffer, sys.stdin.buffer
    hello = {"protocol": PROTOCOL, "attributes": list(attributes), "input_size": int(input_size)}
    if domain:
        hello["domain"] = domain
    if identity:
        hello["identity"] = identity
    out.write((json.dumps(hello) + "\n").encode())
    out.flush()
    while True:
        line = inp.readline()
        if not line:
            return
        header = json.loads(line)
        n, h, w, c = (int(header[k]) for k in ("batch", "height", "width", "channels"))
        images = np.frombuffer(_read_exact(inp, n * h * w * c), dtype=np.uint8).reshape(n, h, w, c)
        try:
            scores = np.asarray(score(images), dtype=np.float64).reshape(n, len(attributes))
            reply = {"scores": scores.tolist()}
        except Exception as e:  # reported by sc2gan in one line, the batch is not used
            reply = {"error": f"{type(e).__name__}: {e}"}
        out.write((json.dumps(reply) + "\n").encode())
        out.flush()
