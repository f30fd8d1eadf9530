# syntax=docker/dockerfile:1
# Uppsikt in a small image: built in the Rust image, run from distroless (glibc and
# libgcc, no shell, no package manager) as the unprivileged user "nonroot" (65532).
# The binary needs nothing else: TLS is rustls, SQLite is compiled in.
#
#   docker build -t uppsikt .
#   docker run -p 50051:50051 -p 9090:9090 \
#     -e UPPSIKT_DATABASE_URL=postgres://uppsikt:secret@db:5432/uppsikt uppsikt

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
# The same release build as `cargo build --release --locked --bin uppsikt` outside Docker;
# the caches keep dependencies between builds. Without its line tables (strip-debug keeps
# the symbols, so backtraces still name functions) the binary is 27 MB instead of 144 MB.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin uppsikt \
    && strip --strip-debug -o /uppsikt target/release/uppsikt

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /uppsikt /usr/local/bin/uppsikt
USER 65532:65532
WORKDIR /home/nonroot
# gRPC on every interface of the container; the admin endpoints (/metrics, /livez,
# /readyz) on their own port, for the orchestrator's probes and Prometheus. Listening
# beyond loopback needs credentials: mount an auth file and set UPPSIKT_AUTH_FILE (the
# server refuses to start otherwise, unless UPPSIKT_INSECURE_NO_AUTH=true).
ENV UPPSIKT_LISTEN=0.0.0.0:50051 \
    UPPSIKT_ADMIN_LISTEN=0.0.0.0:9090 \
    UPPSIKT_LOG_FORMAT=json
EXPOSE 50051 9090
ENTRYPOINT ["/usr/local/bin/uppsikt"]
CMD ["serve"]
