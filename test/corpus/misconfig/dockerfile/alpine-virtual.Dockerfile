# Build deps in a virtual package removed in the same RUN: no build-tool finding.
# expect: CUS-DF-003 4
# expect: CUS-DF-016 5
FROM alpine:3.20
RUN apk add --no-cache --virtual .build-deps gcc=13.2.1_git20240309-r0 make=4.4.1-r2 \
    && apk add --no-cache curl \
    && make -C /src \
    && apk del .build-deps
USER app
HEALTHCHECK CMD ["true"]
CMD ["/app"]
