# syntax=docker/dockerfile:1
#
# One image for both processes: `approvals api` and `approvals worker`
# (docker-compose.yml picks the subcommand). Needs BuildKit (the default in
# current Docker) for the cache mounts.

# Matches the go directive in go.mod.
ARG GO_VERSION=1.26.8

# --- build ------------------------------------------------------------------
FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src

# Dependencies first, so editing code does not re-download modules.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download

# The SQLite driver is pure Go and Asia/Shanghai is embedded via time/tzdata,
# so a static binary with no cgo runs on distroless/static.
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/approvals ./cmd/approvals

# --- run --------------------------------------------------------------------
# distroless/static: CA certificates and tzdata, no shell, runs as nonroot
# (uid 65532). It has no curl, so health checks are done from outside
# (GET /healthz, GET /readyz on the API).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/approvals /approvals
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/approvals"]
