#!/usr/bin/env python3
"""Loads .npy / .npz files with numpy (no pickles) and prints, per array, its name, dtype,
shape and values as JSON: the NumPy side of the interop test (Tests/CLITests/NumPyInteropCLITests).
  /usr/bin/python3 tools/check_npy_files.py FILE..."""
import json, sys
import numpy as np

out = {}
for path in sys.argv[1:]:
    loaded = np.load(path, allow_pickle=False)
    arrays = {k: loaded[k] for k in loaded.files} if hasattr(loaded, "files") else {"": loaded}
    out[path] = {k: {"dtype": str(a.dtype), "shape": list(a.shape), "values": a.astype(np.float64).ravel().tolist()}
                 for k, a in arrays.items()}
print(json.dumps(out))
