"""PyTorch reference for `pnpm bench`: the same training step (forward, label-smoothing loss,
backward, SGD momentum update) and inference, same batch, on this machine's CPU.

Benchmark only: run with Debian's python3-torch / python3-torchvision
(`apt-get install python3-torch python3-torchvision`, then `/usr/bin/python3 torch_bench.py`).
Never a dependency of the toolkit. `pnpm bench --torch` runs it with `--json`: one JSON line per
measurement, the same architectures, sizes, batch, steps and thread count as the tfjs rows.
"""
import argparse
import json
import time

import torch
import torchvision


def measure(arch: str, size: int, batch: int, steps: int) -> tuple[float, float]:
    model = getattr(torchvision.models, arch)(weights=None, num_classes=18)
    opt = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=0.1)
    x = torch.randn(batch, 3, size, size)
    y = torch.arange(batch) % 18

    def step() -> None:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    model.train()
    step()
    t = time.perf_counter()
    for _ in range(steps):
        step()
    train = steps * batch / (time.perf_counter() - t)
    model.eval()
    with torch.no_grad():
        model(x)
        t = time.perf_counter()
        for _ in range(steps):
            model(x)
    infer = steps * batch / (time.perf_counter() - t)
    return train, infer


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--archs", default="resnet18,resnet34")
    p.add_argument("--sizes", default="112,224")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--threads", default="1,2", help="thread counts to measure; 0 keeps torch's default")
    p.add_argument("--json", action="store_true", help="one JSON line per measurement instead of a table")
    a = p.parse_args()
    if not a.json:
        print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, batch {a.batch}")
        print("threads  arch      size   train img/s   infer img/s")
    for threads in [int(t) for t in a.threads.split(",")]:
        if threads > 0:
            torch.set_num_threads(threads)
        for arch in a.archs.split(","):
            for size in [int(s) for s in a.sizes.split(",")]:
                train, infer = measure(arch, size, a.batch, a.steps)
                if a.json:
                    row = {"torch": torch.__version__, "threads": torch.get_num_threads(), "arch": arch, "size": size,
                           "batch": a.batch, "steps": a.steps, "trainImagesPerSecond": train, "inferImagesPerSecond": infer}
                    print(json.dumps(row), flush=True)
                else:
                    print(f"{threads:7d}  {arch:9s} {size:4d} {train:13.2f} {infer:13.2f}")


if __name__ == "__main__":
    main()
