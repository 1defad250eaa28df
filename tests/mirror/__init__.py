"""Offline mirror of the Hugging Face Hub and GitHub REST APIs, serving recorded fixtures (tests only)."""
