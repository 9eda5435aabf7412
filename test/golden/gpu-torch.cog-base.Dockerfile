FROM r8.im/cog-base:cuda12.1-python3.12-torch2.3.1
RUN --mount=type=cache,target=/root/.cache/pip PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --disable-pip-version-check --root-user-action=ignore uv==0.9.26
ENV UV_SYSTEM_PYTHON=true UV_LINK_MODE=copy
COPY .cog/build/requirements.txt /tmp/requirements.txt
RUN --mount=type=cache,target=/root/.cache/uv uv pip install -r /tmp/requirements.txt
RUN --mount=type=cache,target=/root/.cache/uv uv pip install cog
WORKDIR /src
EXPOSE 5000
ENV COG_PREDICT_TYPE_STUB="predict.py:Predictor"
CMD ["python", "-m", "cog.server.http"]
COPY . /src
