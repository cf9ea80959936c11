#!/usr/bin/env python3
"""Training throughput of flowcast's MLP against PyTorch eager, same model, same machine.

The model: 64 -> W -> W -> 4, GELU, MSE, AdamW (lr 1e-3, weight decay 0.01), float32, random
data; a step is forward, backward and the optimiser's step. For each width W and batch B this
runs `flowcast bench --mlp` for the same sizes and times PyTorch on the CPU (all threads) and,
when CUDA is there, on the GPU (synchronised around the timed steps), then prints one table with
the ratio flowcast / PyTorch per device.

    python3 ml/bench/compare_torch.py [--flowcast src/flowcast] [--widths 64,128,256,512]
                                      [--batches 256,4096,65536] [--seconds 2]

Exits 0 with a message when PyTorch is not installed (nothing to compare with).
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time


def torch_rate(torch, device, width, batch, seconds, repeats=5):
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
    rates.sort()
    return rates[len(rates) // 2]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--flowcast", default="src/flowcast")
    ap.add_argument("--widths", default="64,128,256,512")
    ap.add_argument("--batches", default="256,4096,65536")
    ap.add_argument("--seconds", type=float, default=2.0)
    args = ap.parse_args()
    try:
        import torch
    except ImportError:
        print("compare_torch: PyTorch is not installed: nothing to compare with (skipped)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "fc")
        subprocess.run([args.flowcast, "bench", "--mlp", "--widths", args.widths, "--batches",
                        args.batches, "--min-seconds", str(args.seconds), "-o", prefix],
                       check=True, stdout=subprocess.DEVNULL)
        with open(prefix + "_mlp.csv") as f:
            ours = {(int(r["width"]), int(r["batch"]), r["device"]): float(r["samples_per_s"])
                    for r in csv.DictReader(f)}
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} CPU threads; "
          f"devices: {', '.join(devices)}\n")
    print("| width | batch | device | flowcast samples/s | PyTorch samples/s | flowcast / PyTorch |")
    print("|---|---|---|---|---|---|")
    for w in map(int, args.widths.split(",")):
        for b in map(int, args.batches.split(",")):
            for dev in devices:
                theirs = torch_rate(torch, dev, w, b, args.seconds)
                mine = ours.get((w, b, "cpu" if dev == "cpu" else "gpu"))
                ratio = f"{mine / theirs:.2f}" if mine else "-"
                mine_s = f"{mine:.4g}" if mine else "- (not measured)"
                print(f"| {w} | {b} | {dev} | {mine_s} | {theirs:.4g} | {ratio} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
