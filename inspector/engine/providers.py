"""Choose where the model runs: CUDA when a GPU is really there, else the CPU, quietly.

onnxruntime-gpu lists CUDAExecutionProvider even on a machine without a GPU and logs an
error when its CUDA libraries fail to load.  So `auto` asks NVML for a device first and
only then tries CUDA, with onnxruntime's logger silenced for that attempt.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os

import onnxruntime as ort
import psutil

from ..errors import GenerationError
from ..messages import sentence

log = logging.getLogger(__name__)
PROVIDERS = ("auto", "cpu", "cuda")
ORT_WARNING, ORT_FATAL = 2, 4


@functools.lru_cache(maxsize=1)
def gpu_present() -> bool:
    """An NVIDIA GPU that NVML can see (no GPU, no driver or no library: False)."""
    try:
        import pynvml

        pynvml.nvmlInit()
        try:
            return pynvml.nvmlDeviceGetCount() > 0
        finally:
            pynvml.nvmlShutdown()
    except Exception:
        return False


def cuda_possible() -> bool:
    return gpu_present() and "CUDAExecutionProvider" in ort.get_available_providers()


@contextlib.contextmanager
def quiet_ort():
    """Silence onnxruntime's default logger (its CUDA load errors) for the duration."""
    ort.set_default_logger_severity(ORT_FATAL)
    try:
        yield
    finally:
        ort.set_default_logger_severity(ORT_WARNING)


def default_threads() -> int:
    return max(1, psutil.cpu_count(logical=False) or os.cpu_count() or 1)


def session_options(threads: int | None) -> ort.SessionOptions:
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads = threads or default_threads()
    so.inter_op_num_threads = 1
    so.log_severity_level = ORT_FATAL  # its errors reach the user as one line of ours, not as its own log lines
    return so


UNKNOWN_PROVIDER = sentence("unknown provider {0}; choose one of {1}")
NO_CUDA = sentence("CUDA was asked for, but no NVIDIA GPU with a CUDA-enabled onnxruntime was found")
CUDA_FAILED = sentence("CUDA was asked for, but onnxruntime could not start its CUDA provider")
CANNOT_RUN = sentence("onnxruntime cannot run this model: {0}")  # onnxruntime's own words after the colon


def create_session(path: str, provider: str = "auto", threads: int | None = None, model_bytes: bytes | None = None,
                   external_folder: str | None = None) -> tuple[ort.InferenceSession, str]:
    """An InferenceSession on the asked provider; returns it and 'cuda' or 'cpu'.  `model_bytes`: open this copy
    of the file instead (its external data in `external_folder`)."""
    if provider not in PROVIDERS:
        raise GenerationError(UNKNOWN_PROVIDER(repr(provider), ", ".join(PROVIDERS)))
    so = session_options(threads)
    if model_bytes is not None and external_folder:
        so.add_session_config_entry("session.model_external_initializers_file_folder_path", external_folder)
    source = model_bytes if model_bytes is not None else path
    if provider == "cuda" and not cuda_possible():
        raise GenerationError(NO_CUDA)
    if provider in ("auto", "cuda") and cuda_possible():
        try:
            with quiet_ort():
                sess = ort.InferenceSession(source, so, providers=["CUDAExecutionProvider", "CPUExecutionProvider"])
            if "CUDAExecutionProvider" in sess.get_providers():
                return sess, "cuda"
        except Exception as exc:  # noqa: BLE001 - any CUDA start-up failure means: use the CPU
            log.info("CUDA session failed (%s); using the CPU", exc)
        if provider == "cuda":
            raise GenerationError(CUDA_FAILED)
    try:
        return ort.InferenceSession(source, so, providers=["CPUExecutionProvider"]), "cpu"
    except Exception as exc:  # noqa: BLE001 - onnxruntime's errors are long; keep the first line
        raise GenerationError(CANNOT_RUN(ort_message(exc, path)), path) from None


def ort_message(exc: BaseException, path: str) -> str:
    """onnxruntime's error as one short line: its first line, without '[ONNXRuntimeError] : 1 : FAIL :'."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return first.split(" : ")[-1].replace(path, "the model")[:200]
