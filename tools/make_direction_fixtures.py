#!/usr/bin/python3
"""Fixture for the Swift linear SVM behind InterFaceGAN: overlapping two-class data in 16-D
(anisotropic, not separable) and the normal found by libsvm (scikit-learn's
SVC(kernel='linear', C=1), the solver InterFaceGAN uses).

    /usr/bin/python3 tools/make_direction_fixtures.py   (needs python3-sklearn)
"""
import os
import sys

import numpy as np
from sklearn.svm import SVC

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

OUT = "Tests/SC2EngineTests/Fixtures/directions/svm16.safetensors"


def main():
    rng = np.random.RandomState(7)
    d, n = 16, 280
    mix = rng.randn(d, d) * 0.3 + np.eye(d)
    mu = rng.randn(d)
    mu *= 0.45 / np.linalg.norm(mu)
    x = np.concatenate([rng.randn(n, d) @ mix + mu, rng.randn(n, d) @ mix - mu]).astype(np.float32)
    y = np.concatenate([np.ones(n), np.zeros(n)]).astype(np.float32)
    svm = SVC(kernel="linear", C=1.0, tol=1e-6).fit(x, y)
    coef = svm.coef_[0].astype(np.float32)
    acc = (svm.predict(x) == y).mean()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    safetensors_io.save({"x": x, "y": y, "coef": coef, "intercept": svm.intercept_.astype(np.float32)}, OUT,
                        {"solver": "sklearn.svm.SVC(kernel='linear', C=1, tol=1e-6)", "train_accuracy": f"{acc:.4f}"})
    print(f"wrote {OUT}: |coef| {np.linalg.norm(coef):.4f}, train accuracy {acc:.3f}, support vectors {len(svm.support_)}")


if __name__ == "__main__":
    main()
