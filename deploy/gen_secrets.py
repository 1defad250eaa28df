"""Secrets and NATS certificates for a deployment, generated: docker compose's ``.env``, or Kubernetes Secrets.

Standard library and the ``openssl`` command only, so an operator runs it anywhere, from the repository's root::

    python3 deploy/gen_secrets.py compose                 # .env (0600), deploy/tls/{ca.crt,tls.crt,tls.key}
    python3 deploy/gen_secrets.py compose --rotate CATALOG_NATS_PASSWORD   # a new value for some variables
    python3 deploy/gen_secrets.py k8s --out k8s-secrets   # one directory per Secret, for kubectl --from-file
    python3 deploy/gen_secrets.py tls DIR --host NAME...  # a new CA and node certificate (rotation)
    python3 deploy/gen_secrets.py password                # one random secret

Every secret is 32 random letters and digits starting with a letter: safe in a URL, a shell, YAML and the NATS
configuration (nats-server reads a ``$VARIABLE`` as a configuration value, so "12345" would become a number).
The TLS material is a CA made for the deployment, whose key is discarded once it has signed, and one certificate
shared by the NATS nodes, for serving clients and for the mutual TLS of routes (server and client use), naming
every node. Production may bring certificates from its own PKI or cert-manager under the same file names.
Nothing generated is committed: ``.env`` is ignored by git and every output directory gets a ``.gitignore``.
"""

import argparse
import os
import secrets
import string
import subprocess
import sys
import tempfile
from pathlib import Path

# contracts.bus.ROLES (tests/deploy checks they agree): one NATS user per role.
ROLES = ("gateway", "catalog", "storage", "lineage", "scoring", "webhooks")
COMPOSE_NODES = ("nats-1", "nats-2", "nats-3")
K8S_NODES = 3
CERT_DAYS = 825
_ALPHABET = string.ascii_letters + string.digits


def random_secret(length: int = 32) -> str:
    """Random letters and digits, the first a letter."""
    return secrets.choice(string.ascii_letters) + "".join(secrets.choice(_ALPHABET) for _ in range(length - 1))


def nats_password_variable(role: str) -> str:
    """The variable holding ``role``'s NATS password (``stack.natsconf.password_variable``)."""
    return f"{role.upper()}_NATS_PASSWORD"


def compose_secrets() -> dict[str, str]:
    """A fresh value for every secret docker-compose.yml requires."""
    values = {
        "POSTGRES_PASSWORD": random_secret(),
        "REGISTRY_ADMIN_PASSWORD": random_secret(),
        "S3_ACCESS_KEY_ID": random_secret(20),
        "S3_SECRET_ACCESS_KEY": random_secret(40),
        "UI_CSRF_KEY": random_secret(64),
        "STORAGE_LINK_KEY": random_secret(64),
        "GRAFANA_ADMIN_PASSWORD": random_secret(),
    }
    values.update({nats_password_variable(role): random_secret() for role in ROLES})
    return values


def k8s_secrets() -> dict[str, dict[str, str]]:
    """A fresh value for every key of the Secrets deploy/k8s requires (besides nats-tls), by Secret name."""
    postgres = random_secret()
    return {
        "registry-secrets": {
            "postgres-password": postgres,
            "database-url": f"postgresql+asyncpg://registry:{postgres}@postgres:5432/registry",
            "registry-admin-password": random_secret(),
            "s3-access-key-id": random_secret(20),
            "s3-secret-access-key": random_secret(40),
            "ui-csrf-key": random_secret(64),
            "storage-link-key": random_secret(64),
        },
        "nats-credentials": {role: random_secret() for role in ROLES},
    }


def k8s_nats_hosts(namespace: str, domain: str) -> list[str]:
    """The names clients and routes reach the NATS pods by (headless Service and Service, short and qualified)."""
    hosts = []
    for name in [*(f"nats-{index}.nats-headless" for index in range(K8S_NODES)), "nats"]:
        hosts += [name, f"{name}.{namespace}.svc", f"{name}.{namespace}.svc.{domain}"]
    return hosts


def write_private(path: Path, text: str, mode: int = 0o600) -> None:
    """Write ``text`` to ``path`` with ``mode``, never briefly readable by others."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    os.chmod(path, mode)


def ignored_directory(path: Path) -> Path:
    """``path`` created (0700) with a ``.gitignore`` that keeps all of it out of git."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    (path / ".gitignore").write_text("*\n")
    return path


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")


def _openssl(*args: str, cwd: Path) -> None:
    result = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"openssl {args[0]} failed: {result.stderr.strip()}")


def _alt_names(hosts: list[str]) -> str:
    return ", ".join(f"IP:{host}" if host.replace(".", "").isdigit() else f"DNS:{host}" for host in hosts)


def make_certificates(directory: Path, hosts: list[str], days: int = CERT_DAYS) -> None:
    """``ca.crt``, and ``tls.crt``/``tls.key`` (0600) for ``hosts``, signed by a CA whose key is then discarded."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    config = (
        "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = model-registry NATS\n"
        "[ca]\nbasicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\n"
        "subjectKeyIdentifier = hash\n"
        "[node]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature, keyEncipherment\n"
        "extendedKeyUsage = serverAuth, clientAuth\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n"
        f"subjectAltName = {_alt_names(hosts)}\n"
    )
    key = ("-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1")
    with tempfile.TemporaryDirectory(prefix="nats-ca-") as scratch:
        work = Path(scratch)
        (work / "openssl.cnf").write_text(config)
        _openssl("req", "-x509", *key, "-config", "openssl.cnf", "-extensions", "ca", "-days", str(days),
                 "-subj", "/CN=model-registry NATS CA", "-keyout", "ca.key", "-out", "ca.crt", cwd=work)  # fmt: skip
        _openssl("req", "-new", *key, "-config", "openssl.cnf", "-keyout", "tls.key", "-out", "tls.csr", cwd=work)
        _openssl("x509", "-req", "-in", "tls.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-days", str(days),
                 "-set_serial", f"0x{secrets.token_hex(16)}", "-extfile", "openssl.cnf", "-extensions", "node",
                 "-out", "tls.crt", cwd=work)  # fmt: skip
        for name, mode in (("ca.crt", 0o644), ("tls.crt", 0o644), ("tls.key", 0o600)):
            write_private(directory / name, (work / name).read_text(), mode)


def read_env(path: Path) -> dict[str, str]:
    """The ``NAME=value`` lines of an env file (comments and blank lines skipped)."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            values[name.strip()] = value.strip()
    return values


def write_env(path: Path, values: dict[str, str]) -> None:
    """An env file docker compose reads (0600)."""
    header = "# Generated by deploy/gen_secrets.py: secrets, never commit this file.\n"
    write_private(path, header + "".join(f"{name}={value}\n" for name, value in values.items()))


def compose(env_file: Path, tls_dir: Path, rotate: list[str], force: bool) -> None:
    """Write ``env_file`` and the NATS certificates, or give ``rotate``'s variables new values."""
    if rotate:
        values = read_env(env_file)
        unknown = [name for name in rotate if name not in compose_secrets()]
        if unknown:
            raise SystemExit(f"not a generated secret: {', '.join(unknown)}")
        fresh = compose_secrets()
        write_env(env_file, {**values, **{name: fresh[name] for name in rotate}})
        _say(f"rotated {', '.join(rotate)} in {env_file}; apply with: docker compose up -d")
        return
    if env_file.exists() and not force:
        raise SystemExit(f"{env_file} exists: use --rotate NAME for new values, or --force to start over")
    make_certificates(ignored_directory(tls_dir), [*COMPOSE_NODES, "localhost"])
    relative = os.path.relpath(tls_dir.resolve(), env_file.resolve().parent)
    tls_variable = relative if relative.startswith(".") else f"./{relative}"
    write_env(env_file, {**compose_secrets(), "NATS_TLS_DIR": tls_variable})
    _say(f"wrote {env_file} and {tls_dir}/ (ca.crt, tls.crt, tls.key)")


def k8s(out: Path, namespace: str, domain: str) -> None:
    """One directory per Secret under ``out`` (a file per key), and the kubectl commands that create them.

    Only ``out`` holds a ``.gitignore`` (kubectl would take one inside a Secret's directory for a key).
    """
    ignored_directory(out)
    for name, keys in k8s_secrets().items():
        folder = out / name
        folder.mkdir(exist_ok=True, mode=0o700)
        for key, value in keys.items():
            write_private(folder / key, value)
    make_certificates(out / "nats-tls", k8s_nats_hosts(namespace, domain))
    for name in ("registry-secrets", "nats-credentials", "nats-tls"):
        _say(f"kubectl -n {namespace} create secret generic {name} --from-file={out / name}/")


def main(argv: list[str] | None = None) -> None:
    """Command line: compose, k8s, tls or password."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for_compose = commands.add_parser("compose", help=".env and NATS certificates for docker compose")
    for_compose.add_argument("--env-file", type=Path, default=Path(".env"))
    for_compose.add_argument("--tls-dir", type=Path, default=Path("deploy/tls"))
    for_compose.add_argument("--rotate", action="append", default=[], metavar="NAME")
    for_compose.add_argument("--force", action="store_true", help="overwrite an existing env file")
    for_k8s = commands.add_parser("k8s", help="files for the Secrets of deploy/k8s")
    for_k8s.add_argument("--out", type=Path, default=Path("k8s-secrets"))
    for_k8s.add_argument("--namespace", default="model-registry")
    for_k8s.add_argument("--cluster-domain", default="cluster.local")
    for_tls = commands.add_parser("tls", help="a CA and a NATS node certificate")
    for_tls.add_argument("dir", type=Path)
    for_tls.add_argument("--host", action="append", required=True)
    commands.add_parser("password", help="print one random secret")
    args = parser.parse_args(argv)
    if args.command == "compose":
        compose(args.env_file, args.tls_dir, args.rotate, args.force)
    elif args.command == "k8s":
        k8s(args.out, args.namespace, args.cluster_domain)
    elif args.command == "tls":
        make_certificates(args.dir, args.host)
    else:
        _say(random_secret())


if __name__ == "__main__":
    main()
