"""Client library of the trustworthy model registry: typed models, sync and async clients, resumable downloads."""

from registry_client import ops
from registry_client.client import AsyncRegistryClient, RegistryClient, registry_url
from registry_client.errors import ChecksumMismatch, RegistryError

__all__ = ["AsyncRegistryClient", "ChecksumMismatch", "RegistryClient", "RegistryError", "ops", "registry_url"]
