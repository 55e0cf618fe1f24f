"""Reference throughput for src/decode.bench.ts: the same decode + CenterCrop + Resize + Normalize
with Pillow and torchvision, one photo at a time (benchmark only; not a project dependency).

    /usr/bin/python3 bench/torchvision_decode.py [image_dir] [photos]
"""
import glob
import os
import sys
import time

import PIL
import torch
import torchvision
import torchvision.transforms as T
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.join(HERE, "..", "..", "..", "..", "shared", "reference", "images")
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def main():
    image_dir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DIR)
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 51
    found = sorted(glob.glob(os.path.join(image_dir, "*.jpg")) + glob.glob(os.path.join(image_dir, "*.jpeg")))
    if not found:
        sys.exit(f"no .jpg files in {image_dir}: pass a folder of JPEGs as the first argument")
    files = [found[i % len(found)] for i in range(count)]
    bil = T.InterpolationMode.BILINEAR
    tf = T.Compose([T.CenterCrop(384), T.Resize(224, interpolation=bil), T.ToTensor(), T.Normalize(MEAN, STD)])
    print(f"{len(files)} JPEGs from {image_dir}; {os.cpu_count()} cores; torch {torch.__version__}, "
          f"torchvision {torchvision.__version__}, Pillow {PIL.__version__}")
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for f in files[:5]:
            tf(Image.open(f).convert("RGB"))
        t = time.perf_counter()
        decode = 0.0
        for f in files:
            t0 = time.perf_counter()
            img = Image.open(f).convert("RGB")
            decode += time.perf_counter() - t0
            tf(img)
        total = time.perf_counter() - t
        n = len(files)
        print(f"[torch threads {threads}] decode+CenterCrop(384)+Resize(224)+ToTensor+Normalize: "
              f"{n / total:.1f}/s ({1000 * total / n:.2f} ms each; PIL decode {1000 * decode / n:.2f} ms, "
              f"transforms {1000 * (total - decode) / n:.2f} ms)")

        batch = torch.randint(0, 256, (32, 3, 224, 224), dtype=torch.uint8)
        norm = T.Normalize(MEAN, STD)
        flip = T.RandomHorizontalFlip()
        reps = 10
        t = time.perf_counter()
        for _ in range(reps):
            x = norm(batch.float().div(255))
            x = torch.stack([flip(im) for im in x])
        total = time.perf_counter() - t
        print(f"[torch threads {threads}] batch 32x3x224x224 ToTensor-scale+Normalize+per-photo hflip: "
              f"{reps / total:.2f} batches/s ({1000 * total / reps:.0f} ms/batch)")


if __name__ == "__main__":
    main()
