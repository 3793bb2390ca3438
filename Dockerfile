# carewatch: one static-stdlib binary on slim Debian, running as a non-root user.
#
#   docker build -t carewatch .
#   docker run -p 8080:8080 -v carewatch-data:/data carewatch
#
# The base images are pinned by tag to the toolchain the project is tested with. They are
# written fully qualified so that podman (which does not assume Docker Hub for short names)
# and Docker resolve them to the same images.

# ---- build: the official Swift image, release build with the Swift runtime linked in ----
FROM docker.io/library/swift:6.3.1-bookworm AS build
WORKDIR /src
# The manifest first, then the parts that change more often. Tests/ and the engine's bench
# server are needed only because the manifest declares them; nothing in them is compiled here.
COPY Package.swift ./
COPY Tests ./Tests
COPY bench/engine/EngineBenchServer ./bench/engine/EngineBenchServer
COPY openapi.yaml ./
COPY data ./data
COPY Sources ./Sources
# The cache mount keeps SwiftPM's build directory between image builds, so a rebuild after a
# small change recompiles only what changed. The binary is copied out of it in the same step.
RUN --mount=type=cache,target=/src/.build \
    swift build -c release --static-swift-stdlib --product carewatch \
 && install -D -m 0755 "$(swift build -c release --static-swift-stdlib --show-bin-path)/carewatch" /out/carewatch \
 && /out/carewatch --version

# ---- runtime: only libc, libstdc++ and libgcc_s are needed, and bookworm-slim has them ----
FROM docker.io/library/debian:bookworm-slim
LABEL org.opencontainers.image.title="carewatch" \
      org.opencontainers.image.description="JSON API over English councils' children's services inspections and workforce figures" \
      org.opencontainers.image.licenses="OGL-UK-3.0 (data)"
RUN groupadd --gid 10001 carewatch \
 && useradd --uid 10001 --gid 10001 --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin carewatch \
 && mkdir -p /data \
 && chown carewatch:carewatch /data
COPY --from=build /out/carewatch /usr/local/bin/carewatch
# Listen on every interface inside the container; keep the store on the volume.
ENV CAREWATCH_HOST=0.0.0.0 \
    CAREWATCH_PORT=8080 \
    CAREWATCH_DATA_DIR=/data
USER carewatch:carewatch
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
# SIGTERM starts a graceful drain (in-flight requests finish, the store writes a snapshot).
STOPSIGNAL SIGTERM
# The health check asks the running server's /readyz on CAREWATCH_PORT, so it follows the port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["carewatch", "healthcheck"]
ENTRYPOINT ["carewatch"]
CMD ["serve"]
