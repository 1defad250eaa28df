"""``python -m storage``: run one storage-svc replica."""

from storage.service import run_storage
from storage.settings import StorageSettings
from svckit.runner import serve_process


def main() -> None:
    """Read settings, configure logging, serve until SIGINT/SIGTERM."""
    serve_process("storage-svc", StorageSettings(), run_storage)


if __name__ == "__main__":
    main()
