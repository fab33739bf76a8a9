# expect: CUS-DF-001 12
# expect: CUS-DF-015 13
# expect: CUS-DF-002 14
# expect: CUS-DF-025 14
# expect: CUS-DF-021 15
# expect: CUS-DF-011 16
# expect: CUS-DF-011 17
# expect: CUS-DF-009 18
# expect: CUS-DF-010 19
# expect: CUS-DF-006 20
ARG BASE=debian:latest
FROM golang AS build
RUN cd /src && make
FROM ${BASE}
MAINTAINER someone@example.com
ENV DB_PASSWORD=hunter2 GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D
ARG API_TOKEN=abc123
ADD app.py /app/
ADD https://example.com/install.sh /install.sh
RUN apt-get update && apt-get install -y curl gcc
RUN apt-get update
RUN curl -fsSL https://example.com/setup | sudo bash
RUN pip install flask requests==2.31.0 && npm i -g left-pad @scope/x@1.0.0
WORKDIR app
EXPOSE 22 80 2375/tcp
COPY --from=nginx /etc/nginx /etc/nginx
CMD echo hi
CMD ["run"]
USER root
# expect: CUS-DF-007 20
# expect: CUS-DF-014 20
# expect: CUS-DF-016 20
# expect: CUS-DF-024 21
# expect: CUS-DF-007 21
# expect: CUS-DF-012 22
# expect: CUS-DF-017 22
# expect: CUS-DF-016 23
# expect: CUS-DF-016 23
# expect: CUS-DF-013 24
# expect: CUS-DF-018 25
# expect: CUS-DF-018 25
# expect: CUS-DF-022 26
# expect: CUS-DF-019 27
# expect: CUS-DF-023 27
# expect: CUS-DF-005 29
