/** Printed by `customs targets` / `customs help targets`; docs/targets.md says the same at length. */
export const TARGETS_HELP = `How customs names what to scan

  TRANSPORT:NAME picks the source explicitly (the names follow skopeo):
    docker-archive:PATH[:NAME:TAG|@N]  a tarball from \`docker save\` (gzip too)
    oci:PATH[:REF]                     an OCI image layout directory
    oci-archive:PATH[:REF]             an OCI image layout in a tar file
    docker-daemon:NAME|ID              the local Docker Engine, over its socket
    registry:REF  (or docker://REF)    a registry, through the OCI Distribution API
    dir:PATH                           a root filesystem directory

  A bare argument is resolved the way you would guess:
    an existing directory  -> OCI layout if it has oci-layout/index.json, else a root filesystem
    an existing file       -> docker-archive or oci-archive, by its contents
    anything else          -> an image reference: the local Docker Engine if it has it, else the registry

  Image references parse like Docker's: nginx:1.25 is docker.io/library/nginx:1.25;
  ghcr.io/org/app@sha256:... pins a digest; localhost:5000/app:1 is a local registry
  (add --insecure for plain HTTP).

  Registry credentials come from the docker config (~/.docker/config.json: docker login,
  credential helpers), or from the environment for ONE registry:
    CUSTOMS_REGISTRY_HOST=registry.example.com   the registry they are for (required)
    CUSTOMS_REGISTRY_USERNAME=... CUSTOMS_REGISTRY_PASSWORD=...
  They are sent to that host only (and to its https token service). Without --insecure,
  customs refuses plain-HTTP token realms, https->http redirects and redirects to
  loopback, link-local or private addresses of another host (docs/security.md).
`;
