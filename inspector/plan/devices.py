"""The devices a plan is checked against: this machine (its RAM, its GPUs through NVML) and common GPUs.

GPU memory and bandwidth are the makers' published figures (NVIDIA's product pages and data sheets): memory as
sold (GiB), bandwidth of the memory bus in GB/s.  A GPU this machine has is matched to the table by its NVML
name for its bandwidth; its memory is what NVML says.  Adding a GPU is adding a line to GPUS.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

log = logging.getLogger(__name__)
GIB = 1 << 30


@dataclass(frozen=True)
class Device:
    name: str
    kind: str  # "cpu" or "cuda"
    memory_bytes: int  # what it holds in all
    bandwidth_gbs: float | None  # memory read bandwidth, GB/s (10^9 bytes)
    free_bytes: int | None = None  # what is available now (this machine's devices only)
    source: str = "published"  # where the bandwidth comes from: "published", "measured", "unknown"

    @property
    def memory_gb(self) -> float:
        """GPUs are sold by GiB ("24 GB" is 24 GiB): a GPU's memory in those units, RAM's in 10^9 bytes."""
        return self.memory_bytes / (GIB if self.kind == "cuda" else 1e9)


def _gpu(name: str, gib: float, gbs: float, pattern: str) -> tuple[Device, re.Pattern]:
    return Device(name, "cuda", int(gib * GIB), gbs), re.compile(pattern, re.IGNORECASE)


GPUS = [  # published memory (GiB) and bandwidth (GB/s); the pattern matches NVML's name
    _gpu("GeForce RTX 4060", 8, 272, r"RTX 4060(?! Ti)"),
    _gpu("GeForce RTX 4060 Ti 16 GB", 16, 288, r"RTX 4060 Ti"),
    _gpu("GeForce RTX 3080", 10, 760, r"RTX 3080(?! Ti)"),
    _gpu("GeForce RTX 4070", 12, 504, r"RTX 4070(?! Ti)"),
    _gpu("Tesla T4", 16, 320, r"\bT4\b"),
    _gpu("Tesla V100 16 GB", 16, 900, r"V100.*16"),
    _gpu("Tesla V100 32 GB", 32, 900, r"V100.*32"),
    _gpu("GeForce RTX 4080", 16, 716.8, r"RTX 4080(?! SUPER)"),
    _gpu("L4", 24, 300, r"\bL4\b"),
    _gpu("A10", 24, 600, r"\bA10\b(?!0)"),
    _gpu("GeForce RTX 3090", 24, 936, r"RTX 3090"),
    _gpu("GeForce RTX 4090", 24, 1008, r"RTX 4090"),
    _gpu("GeForce RTX 5090", 32, 1792, r"RTX 5090"),
    _gpu("RTX A6000", 48, 768, r"RTX A6000"),
    _gpu("L40S", 48, 864, r"L40S"),
    _gpu("RTX 6000 Ada", 48, 960, r"RTX 6000 Ada"),
    _gpu("A100 40 GB", 40, 1555, r"A100.*40"),
    _gpu("A100 80 GB", 80, 2039, r"A100.*80"),
    _gpu("H100 PCIe 80 GB", 80, 2039, r"H100.*PCIe"),
    _gpu("H100 SXM 80 GB", 80, 3350, r"H100(?!.*PCIe)"),
    _gpu("H200 141 GB", 141, 4800, r"H200"),
]
# the comparison table of `plan`: one GPU of each common size
COMMON = ("GeForce RTX 4060", "GeForce RTX 4080", "GeForce RTX 4090", "RTX 6000 Ada", "H100 SXM 80 GB", "H200 141 GB")


def common_gpus() -> list[Device]:
    return [named(n) for n in COMMON]


def named(name: str) -> Device | None:
    """A GPU of the table, by its name as listed or as NVML spells it ("NVIDIA H100 80GB HBM3")."""
    key = name.strip().lower()
    for device, pattern in GPUS:
        if device.name.lower() == key:
            return device
    for device, pattern in GPUS:
        if pattern.search(name):
            return device
    return None


def local_gpus() -> list[Device]:
    """This machine's NVIDIA GPUs as NVML sees them (none without a GPU, a driver or the library)."""
    try:
        import pynvml

        pynvml.nvmlInit()
    except Exception:  # noqa: BLE001 - no library, no driver: no GPU
        return []
    out = []
    try:
        for i in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(i)
            name = pynvml.nvmlDeviceGetName(handle)
            name = name.decode() if isinstance(name, bytes) else str(name)
            mem = pynvml.nvmlDeviceGetMemoryInfo(handle)
            known = named(name)
            out.append(Device(name, "cuda", int(mem.total), known.bandwidth_gbs if known else None, int(mem.free),
                              "published" if known else "unknown"))
    except Exception as exc:  # noqa: BLE001 - a GPU NVML cannot describe is left out
        log.info("NVML could not describe a GPU: %s", exc)
    finally:
        try:
            pynvml.nvmlShutdown()
        except Exception:  # noqa: BLE001
            pass
    return out


def this_cpu(probe: bool = True) -> Device:
    """This machine's RAM: its size, what is available now, and its read bandwidth (bandwidth.py)."""
    import psutil

    from .bandwidth import read_bandwidth

    vm = psutil.virtual_memory()
    gbs = read_bandwidth() if probe else None
    return Device("this machine (RAM)", "cpu", int(vm.total), gbs, int(vm.available), "measured" if gbs else "unknown")
