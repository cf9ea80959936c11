#!/usr/bin/env python3
"""Training throughput of flowcast's MLP against PyTorch eager, same model, same machine, same threads.

The model: 64 -> W -> W -> 4, GELU, MSE, AdamW (lr 1e-3, weight decay 0.01), float32, random
data; a step is forward, backward and the optimiser's step. For each width W and batch B, in
--rounds rounds, this times `flowcast bench --mlp` for that one size and PyTorch on the CPU, the
two alternating (A B, then B A) so that a machine whose load changes affects both alike, and
prints the medians and their ratio flowcast / PyTorch. When CUDA is there, the GPU is compared
the same way (PyTorch synchronised around its timed steps; flowcast's step synchronises).

Both sides get the same CPU threads: OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS
are set to --threads (default: every core) before PyTorch is imported and for every flowcast
run, and torch.set_num_threads(--threads). The BLAS each side uses is printed: flowcast's from
the libraries its binary loads (ldd), PyTorch's from torch.__config__.show().

    python3 ml/bench/compare_torch.py [--flowcast src/flowcast] [--threads N]
                                      [--widths 64,128,256,512] [--batches 256,4096,65536]
                                      [--seconds 1] [--rounds 3]

Exits 0 with a message when PyTorch is not installed (nothing to compare with).
"""
import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time


def torch_rate(torch, device, width, batch, seconds, repeats=3):
    """Median samples per second of PyTorch training steps."""
    torch.manual_seed(1)
    model = torch.nn.Sequential(
        torch.nn.Linear(64, width), torch.nn.GELU(),
        torch.nn.Linear(width, width), torch.nn.GELU(),
        torch.nn.Linear(width, 4)).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    x = torch.rand(batch, 64, device=device) * 2 - 1
    y = x[:, :4] ** 2
    loss_fn = torch.nn.MSELoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        opt.step()

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    for _ in range(3):
        step()
    sync()
    t = time.perf_counter()
    step()
    sync()
    one = time.perf_counter() - t
    n = max(1, int(seconds / repeats / max(one, 1e-6)))
    rates = []
    for _ in range(repeats):
        sync()
        t = time.perf_counter()
        for _ in range(n):
            step()
        sync()
        rates.append(n * batch / (time.perf_counter() - t))
    return statistics.median(rates)


def flowcast_rate(args, env, tmp, width, batch, device):
    """flowcast bench --mlp's median samples per second for one size on one device."""
    prefix = os.path.join(tmp, "fc")
    subprocess.run([args.flowcast, "bench", "--mlp", "--widths", str(width), "--batches",
                    str(batch), "--device", device, "--repeat", "3", "--min-seconds",
                    str(args.seconds), "-O", "-o", prefix],
                   check=True, stdout=subprocess.DEVNULL, env=env)
    with open(prefix + "_mlp.csv") as f:
        for r in csv.DictReader(f):
            if int(r["width"]) == width and int(r["batch"]) == batch and \
                    r["device"] == ("cpu" if device == "cpu" else "gpu"):
                return float(r["samples_per_s"])
    raise RuntimeError(f"flowcast bench wrote no row for width {width}, batch {batch}, {device}")


def flowcast_blas(path):
    """The BLAS libraries the flowcast binary loads, from ldd."""
    try:
        out = subprocess.run(["ldd", path], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (ldd failed)"
    libs = [line.split("=>")[-1].split("(")[0].strip() for line in out.splitlines()
            if "blas" in line.lower() or "lapack" in line.lower()]
    return ", ".join(os.path.realpath(p) for p in libs if p) or "none found by ldd"


def torch_blas(torch):
    """PyTorch's BLAS: the libraries this process has loaded after a product (from
    /proc/self/maps), and BLAS_INFO of its build configuration."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    loaded = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1]
                if "blas" in path.lower() or "mkl" in path.lower():
                    loaded.add(os.path.realpath(path))
    except OSError:
        pass
    info = [w.rstrip(",") for w in torch.__config__.show().split() if w.startswith("BLAS_INFO=")]
    return ", ".join(sorted(loaded) + info) or "not reported"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flowcast", default="src/flowcast")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--widths", default="64,128,256,512")
    ap.add_argument("--batches", default="256,4096,65536")
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if args.threads < 1 or args.rounds < 1 or args.seconds <= 0:
        ap.error("--threads and --rounds must be at least 1, --seconds above 0")
    # Before torch is imported: its OpenMP and BLAS pools read these when they start.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    try:
        import torch
    except ImportError:
        print("compare_torch: PyTorch is not installed: nothing to compare with (skipped)")
        return 0
    torch.set_num_threads(args.threads)
    env = dict(os.environ)
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    print(f"{args.threads} CPU threads on both sides; {args.rounds} alternating rounds per row, "
          f"medians.\nflowcast: {args.flowcast}, BLAS {flowcast_blas(args.flowcast)}\n"
          f"PyTorch {torch.__version__} ({torch.get_num_threads()} threads): "
          f"{torch_blas(torch)}\ndevices: {', '.join(devices)}\n")
    print("| width | batch | device | flowcast samples/s | PyTorch samples/s | flowcast / PyTorch |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for w in map(int, args.widths.split(",")):
            for b in map(int, args.batches.split(",")):
                for dev in devices:
                    fc_dev = "cpu" if dev == "cpu" else "gpu"
                    ours, theirs = [], []
                    for r in range(args.rounds):
                        if r % 2 == 0:
                            ours.append(flowcast_rate(args, env, tmp, w, b, fc_dev))
                            theirs.append(torch_rate(torch, dev, w, b, args.seconds))
                        else:
                            theirs.append(torch_rate(torch, dev, w, b, args.seconds))
                            ours.append(flowcast_rate(args, env, tmp, w, b, fc_dev))
                    mine, them = statistics.median(ours), statistics.median(theirs)
                    print(f"| {w} | {b} | {dev} | {mine:.4g} | {them:.4g} | {mine / them:.2f} |",
                          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
