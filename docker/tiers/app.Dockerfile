# f4 — seed 001's business image: the app's code and configuration on the shared tiers.
#   seed: FROM …/env-anaconda-dust:runtime / ADD code /workspace/code
# App1 and App2 differ only here (APP selects the directory; ASSET_BYTES adds data the scale sets).
ARG F3_IMAGE
FROM ${F3_IMAGE}
ARG APP=app1
COPY apps/${APP}/ /workspace/code/
ARG ASSET_BYTES=0
RUN head -c ${ASSET_BYTES} /dev/urandom > /workspace/code/assets.bin
WORKDIR /workspace/code
EXPOSE 8000
CMD ["python3", "-m", "uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]
