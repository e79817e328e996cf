"""Compare `hexa kernel` with ipykernel through the same jupyter_client.

Run from the repository root with the project venv: `.venv/bin/python bench/kernel/run.py`
(`bench/kernel/run.sh` builds the release binary first). ipykernel is installed only into a
throwaway venv, `target/bench-venv`, so the project venv's tests keep starting nothing but
hexa. Both kernelspecs go under `target/bench-kernelspec`, which `JUPYTER_PATH` points at.

Measured per kernel:
- startup: from `start_kernel()` to the first `kernel_info_reply`, and to the reply and `idle`
  of a first `1+1` sent once `wait_for_ready()` returns (medians of --starts runs);
- round trip: `1+1` sent until its `execute_reply` and its `idle` status have both arrived,
  p50 and p99 over --executes requests;
- throughput: one cell printing --outputs short lines, until its `idle` status;
- RSS of the kernel process after start and after the round-trip requests.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parents[2]
BENCH_VENV = ROOT / "target/bench-venv"
SPEC_PREFIX = ROOT / "target/bench-kernelspec"
IPYKERNEL_VERSION = "7.4.0"


def prepare_ipykernel():
    """Create the throwaway venv with ipykernel, once; return its Python."""
    python = BENCH_VENV / "bin/python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    check = subprocess.run(
        [str(python), "-c", "import ipykernel; print(ipykernel.__version__)"],
        capture_output=True,
        text=True,
    )
    if check.stdout.strip() != IPYKERNEL_VERSION:
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", f"ipykernel=={IPYKERNEL_VERSION}"],
            check=True,
        )
    return python


def install_specs(hexa, ipykernel_python):
    """Write the `hexa-bench` and `ipykernel-bench` kernelspecs; return their names."""
    subprocess.run(
        [str(hexa), "--python", sys.prefix, "kernel", "install", "--prefix", str(SPEC_PREFIX),
         "--name", "hexa-bench"],
        check=True,
        capture_output=True,
    )
    spec_dir = SPEC_PREFIX / "share/jupyter/kernels/ipykernel-bench"
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [str(ipykernel_python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "ipykernel (bench)",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    os.environ["JUPYTER_PATH"] = str(SPEC_PREFIX / "share/jupyter")
    return {"hexa": "hexa-bench", "ipykernel": "ipykernel-bench"}


def rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def start(kernel_name):
    """Start a kernel; return (manager, client, seconds to the first kernel_info_reply)."""
    manager = KernelManager(kernel_name=kernel_name)
    started = time.perf_counter()
    manager.start_kernel(stderr=subprocess.DEVNULL)
    client = manager.client()
    client.start_channels()
    msg_id = client.kernel_info()
    while True:
        reply = client.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    elapsed = time.perf_counter() - started
    return manager, client, elapsed, started


def first_result(client, started):
    """Seconds from `started` until the first `1+1` has its reply and `idle`.

    A first `kernel_info_reply` does not mean iopub is connected yet: zeromq retries a
    refused connection after 100 to 200 ms, a random time per socket. So, like nbclient,
    wait for the kernel to be ready (a reply and an iopub message) before running the cell.
    """
    client.wait_for_ready(timeout=60)
    run_cell(client, "1+1")
    return time.perf_counter() - started


def stop(manager, client):
    client.stop_channels()
    manager.shutdown_kernel(now=False)


def run_cell(client, code):
    """Execute `code`; return the number of stream messages once reply and idle are in."""
    msg_id = client.execute(code)
    streams, replied, idle = 0, False, False
    while not replied:
        reply = client.get_shell_msg(timeout=60)
        replied = reply["parent_header"].get("msg_id") == msg_id
    while not idle:
        message = client.get_iopub_msg(timeout=60)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        if message["msg_type"] == "stream":
            streams += 1
        elif message["msg_type"] == "status":
            idle = message["content"]["execution_state"] == "idle"
    return streams


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(kernel_name, args):
    startups, first_results = [], []
    for _ in range(args.starts - 1):
        manager, client, elapsed, started = start(kernel_name)
        startups.append(elapsed)
        first_results.append(first_result(client, started))
        stop(manager, client)

    manager, client, elapsed, started = start(kernel_name)
    startups.append(elapsed)
    first_results.append(first_result(client, started))
    pid = manager.provisioner.process.pid
    time.sleep(0.5)
    result = {
        "startup_s": statistics.median(startups),
        "first_result_s": statistics.median(first_results),
        "rss_start_mib": rss_mib(pid),
    }

    for _ in range(20):
        run_cell(client, "1+1")
    round_trips = []
    for _ in range(args.executes):
        sent = time.perf_counter()
        run_cell(client, "1+1")
        round_trips.append(time.perf_counter() - sent)
    result["rtt_p50_ms"] = percentile(round_trips, 0.50) * 1000
    result["rtt_p99_ms"] = percentile(round_trips, 0.99) * 1000
    result["rss_after_mib"] = rss_mib(pid)

    sent = time.perf_counter()
    streams = run_cell(client, f"for i in range({args.outputs}): print(i)")
    elapsed = time.perf_counter() - sent
    result["outputs_s"] = elapsed
    result["outputs_per_s"] = args.outputs / elapsed
    result["stream_messages"] = streams
    stop(manager, client)
    return result


ROWS = [
    ("startup to kernel_info_reply (s, median)", "startup_s", "{:.3f}"),
    ("startup to ready and a first 1+1 result (s, median)", "first_result_s", "{:.3f}"),
    ("execute 1+1 round trip p50 (ms)", "rtt_p50_ms", "{:.2f}"),
    ("execute 1+1 round trip p99 (ms)", "rtt_p99_ms", "{:.2f}"),
    ("print() lines: total time (s)", "outputs_s", "{:.3f}"),
    ("print() lines per second", "outputs_per_s", "{:,.0f}"),
    ("stream messages for those lines", "stream_messages", "{:d}"),
    ("RSS after start (MiB)", "rss_start_mib", "{:.1f}"),
    ("RSS after the round trips (MiB)", "rss_after_mib", "{:.1f}"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hexa", default=str(ROOT / "target/release/hexa"), help="hexa binary")
    parser.add_argument("--starts", type=int, default=5, help="kernel starts to time")
    parser.add_argument("--executes", type=int, default=1000, help="`1+1` requests to time")
    parser.add_argument("--outputs", type=int, default=10000, help="lines the print cell writes")
    args = parser.parse_args()

    names = install_specs(Path(args.hexa), prepare_ipykernel())
    results = {label: measure(name, args) for label, name in names.items()}
    hexa, ipykernel = results["hexa"], results["ipykernel"]

    print("| measure | hexa | ipykernel | hexa / ipykernel |")
    print("|---|---:|---:|---:|")
    for title, key, fmt in ROWS:
        ratio = hexa[key] / ipykernel[key] if ipykernel[key] else float("nan")
        print(f"| {title} | {fmt.format(hexa[key])} | {fmt.format(ipykernel[key])} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
