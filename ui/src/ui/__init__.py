"""The registry web UI (aiohttp-jinja2), a client of the public API only."""
