"""One training step (forward, backward, Adam) of the map's MLP and DigitCNN: the NumPy
scratch engine against PyTorch on the CPU, same batch of 128, same number of threads.

    python benchmarks/bench_scratch.py [--threads T] [--steps N]

Both networks are built with the same weights (ours load torch's); the inputs are a batch
of real MNIST-shaped digits (scikit-learn's bundled digits resized to 28x28). Prints the
median step time of each and the ratio scratch / torch. Targets: MLP <= 2x, DigitCNN <= 5x.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np


def torch_mlp(torch):
    nn = torch.nn
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 256), nn.BatchNorm1d(256), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(256, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(128, 10),
    )  # fmt: skip


def torch_digitcnn(torch):
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Dropout(0.25),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Dropout(0.25),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10),
    )  # fmt: skip


def median_step(step, n: int) -> float:
    step()  # warm-up
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--steps", type=int, default=20)
    args = ap.parse_args()

    import torch
    from threadpoolctl import threadpool_limits

    from deepmap.data.digits import load_bundled_digits
    from deepmap.scratch import Tensor, models, optim
    from deepmap.scratch import functional as F

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    d = load_bundled_digits()
    x, y = d.train_x[:128], d.train_y[:128]
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    print(f"batch 128, {args.threads} thread(s), median of {args.steps} steps, float32, CPU")
    targets = {"mlp": 2.0, "digitcnn": 5.0}
    missed = False
    with threadpool_limits(limits=args.threads):
        for name, build in [("mlp", torch_mlp), ("digitcnn", torch_digitcnn)]:
            tm = build(torch)
            ours = getattr(models, name)().astype(np.float32).load_torch(tm)
            t_opt = torch.optim.Adam(tm.parameters(), lr=1e-3)
            o_opt = optim.Adam(ours.parameters(), lr=1e-3)

            def torch_step(tm=tm, t_opt=t_opt):
                t_opt.zero_grad()
                torch.nn.functional.cross_entropy(tm(xt), yt).backward()
                t_opt.step()

            def our_step(ours=ours, o_opt=o_opt):
                o_opt.zero_grad()
                F.cross_entropy(ours(Tensor(x)), y).backward()
                o_opt.step()

            t_torch = median_step(torch_step, args.steps)
            t_ours = median_step(our_step, args.steps)
            ratio = t_ours / t_torch
            ok = ratio <= targets[name]
            missed |= not ok
            print(
                f"{name:<9} scratch {t_ours * 1e3:7.1f} ms   torch {t_torch * 1e3:7.1f} ms   "
                f"ratio {ratio:5.2f}x   (target <= {targets[name]:.0f}x: "
                f"{'OK' if ok else 'MISSED'})"
            )
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
