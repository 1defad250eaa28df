"""The state of a package, derived from its files; the size policy of the deployment."""

from dataclasses import dataclass

from contracts.storage import PackageState


@dataclass(frozen=True)
class FileOutcome:
    """How the copy of one file ended."""

    stored: bool
    skipped_reason: str = ""
    failed: bool = False


def final_state(outcomes: list[FileOutcome]) -> tuple[PackageState, str]:
    """READY when every file is stored; PARTIAL (with the reasons) when the policy skipped some or some failed
    their checks; FAILED when files failed and none was stored. Failed files are named first."""
    missing = [o for o in outcomes if not o.stored]
    if not missing:
        return PackageState.READY, ""
    failed = [o for o in missing if o.failed]
    reasons = [o.skipped_reason for o in failed] + sorted({o.skipped_reason for o in missing if not o.failed})
    summary = f"{len(missing)} of {len(outcomes)} files not stored"
    if failed:
        summary += f" ({len(failed)} differ from what the upstream publishes)"
    state = PackageState.FAILED if failed and len(missing) == len(outcomes) else PackageState.PARTIAL
    return state, f"{summary}: " + "; ".join(reasons)


def over_limit(size: int | None, max_file_bytes: int | None) -> str:
    """Why a file is not copied under this deployment's size limit, or "" when it is."""
    if max_file_bytes is None or size is None or size <= max_file_bytes:
        return ""
    return f"larger than this deployment's STORAGE_MAX_FILE_BYTES ({max_file_bytes} bytes)"


def bytes_to_store(sizes: list[int | None], max_file_bytes: int | None) -> int:
    """The bytes a plan will write: every file this deployment copies (a file of unknown size counts as 0)."""
    return sum(size for size in sizes if size is not None and not over_limit(size, max_file_bytes))


def over_capacity(committed: int, wanted: int, capacity: int | None) -> str:
    """Why ``wanted`` more bytes do not fit the deployment's storage capacity, or "" when they do."""
    if capacity is None or committed + wanted <= capacity:
        return ""
    return (
        f"storing {wanted:,} more bytes would exceed STORAGE_CAPACITY_BYTES ({capacity:,} bytes; "
        f"{committed:,} are stored, being copied or reserved by uploads)"
    )
