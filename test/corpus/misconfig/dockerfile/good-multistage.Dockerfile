# A clean multi-stage build: no finding expected.
# syntax=docker/dockerfile:1
ARG GO_IMAGE=golang:1.22.5-bookworm@sha256:39b7e6ebaca464d51989858871f792f2e186dce8ce0cbdba7d88e4b8c1de1fe8
FROM ${GO_IMAGE} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc=4:12.2.0-3 \
    && rm -rf /var/lib/apt/lists/*
COPY . .
RUN go build -o /out/app ./cmd/app

FROM debian:12.6-slim@sha256:5f7d5664eae4a192c2d2d6cb67fc3f3c7891a8722cd2903cc35aa649a12b0c8d
LABEL org.opencontainers.image.source="https://example.com/app"
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates=20230311 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/app /usr/local/bin/app
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s CMD ["/usr/local/bin/app", "health"]
ENTRYPOINT ["/usr/local/bin/app"]
