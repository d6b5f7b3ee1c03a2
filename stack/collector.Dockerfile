# The contrib collector with a static BusyBox beside it, so Compose can health-check it: the
# upstream image is FROM scratch (no shell, no HTTP client) and its binary has no health
# command (otelcol subcommands: components, validate, featuregate, print-config).
#   checked: open-telemetry/opentelemetry-collector-releases@v0.150.1:distributions/otelcol-contrib/Dockerfile
#            open-telemetry/opentelemetry-collector@v0.150.0:otelcol/command.go
# busybox:*-musl is linked statically (CONFIG_STATIC=y), so it runs on scratch.
#   checked: docker-library/busybox@9c2087811429374737832a4c936fc411c1b4a22b:latest-1/musl/Dockerfile.builder
FROM busybox:1.37.0-musl AS busybox

FROM otel/opentelemetry-collector-contrib:0.150.1
COPY --from=busybox /bin/busybox /bin/busybox
