"""An nginx configuration read into blocks, for the deploy tests (deploy/nginx/nginx.conf behind compose's lb).

Pure parsing: comments dropped, quotes removed, braces checked; enough for the configuration kept in deploy/.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class NginxBlock:
    """One directive of an nginx configuration: its name, arguments and, for a block, what it holds."""

    name: str
    args: tuple[str, ...]
    children: tuple["NginxBlock", ...] = ()

    def all(self, name: str) -> list["NginxBlock"]:
        """The directives or blocks called ``name`` directly inside this one."""
        return [child for child in self.children if child.name == name]

    def first(self, name: str) -> tuple[str, ...] | None:
        """The arguments of the first ``name`` directly inside this one, None when there is none."""
        found = self.all(name)
        return found[0].args if found else None


@dataclass(frozen=True)
class NginxConfig:
    """What the deploy tests need of an nginx.conf: upstreams, the servers' listen ports, proxy targets, locations."""

    upstreams: dict[str, list[str]]
    listens: list[int]
    proxy_passes: list[str]
    http: NginxBlock
    locations: dict[tuple[int, str], NginxBlock]


_NGINX_TOKEN = re.compile(r"[{};]|\"[^\"]*\"|'[^']*'|[^\s{};]+")


def _nginx_blocks(tokens: list[str], start: int) -> tuple[list[NginxBlock], int]:
    """The directives from ``tokens[start]`` up to the ``}`` closing their block (or the end); the index after it."""
    found: list[NginxBlock] = []
    words: list[str] = []
    index = start
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token == ";":
            assert words, "nginx.conf: an empty directive"
            found.append(NginxBlock(words[0], tuple(words[1:])))
            words = []
        elif token == "{":
            assert words, "nginx.conf: a block without a name"
            children, index = _nginx_blocks(tokens, index)
            found.append(NginxBlock(words[0], tuple(words[1:]), tuple(children)))
            words = []
        elif token == "}":
            assert not words, f"nginx.conf: {' '.join(words)} lacks its ';'"
            return found, index
        else:
            words.append(token.strip("\"'"))
    assert not words, f"nginx.conf: {' '.join(words)} lacks its ';'"
    return found, index


def parse_nginx(text: str) -> NginxConfig:
    """Blocks, upstream servers, listen ports, proxy_pass targets and locations of an nginx configuration."""
    body = re.sub(r"#[^\n]*", "", text)
    depth = 0
    for char in body:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, "nginx.conf: '}' without '{'"
    assert depth == 0, "nginx.conf: unbalanced braces"
    tokens = _NGINX_TOKEN.findall(body)
    top, _ = _nginx_blocks(tokens, 0)
    (http,) = [block for block in top if block.name == "http"]
    upstreams = {block.args[0]: [server.args[0] for server in block.all("server")] for block in http.all("upstream")}
    listens: list[int] = []
    locations: dict[tuple[int, str], NginxBlock] = {}
    for server in http.all("server"):
        ports = [int(listen.args[0].rsplit(":", 1)[-1]) for listen in server.all("listen")]
        listens += ports
        for location in server.all("location"):
            locations.update({(port, location.args[-1]): location for port in ports})
    proxy_passes = [args[0] for location in locations.values() if (args := location.first("proxy_pass"))]
    return NginxConfig(upstreams, listens, sorted(set(proxy_passes)), http, locations)
