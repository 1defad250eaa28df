"""A small browser for the UI tests: a cookie-keeping HTTP session that reads forms' CSRF tokens from pages."""

import re
from dataclasses import dataclass
from typing import Any

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from tests.api import ADMIN, ADMIN_PASSWORD

CSRF = re.compile(r'name="csrf" value="([0-9a-f]*)"')


@dataclass
class Page:
    """A response as a browser sees it: status, final URL, text and headers."""

    status: int
    url: str
    text: str
    headers: CIMultiDictProxy[str]

    @property
    def path(self) -> str:
        """The final URL's path and query."""
        return URL(self.url).path_qs

    def csrf(self) -> str:
        """The CSRF token of this page's forms."""
        found = CSRF.search(self.text)
        assert found, "no form with a CSRF token on this page"
        return found.group(1)


class Browser:
    """Requests to one UI, keeping cookies like a browser and the last CSRF token seen."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self.session = session
        self.base_url = base_url
        self.csrf = ""

    async def get(self, path: str, *, follow: bool = True) -> Page:
        """GET a page (following redirects unless ``follow`` is false)."""
        async with self.session.get(self.base_url + path, allow_redirects=follow) as response:
            return await self._page(response)

    async def post(self, path: str, data: Any, *, follow: bool = True, csrf: bool = True) -> Page:
        """POST a form; the session's CSRF token is added unless ``csrf`` is false or the form has one."""
        if csrf and isinstance(data, dict) and "csrf" not in data:
            data = {"csrf": self.csrf, **data}
        elif csrf and isinstance(data, list):
            data = [("csrf", self.csrf), *data]
        async with self.session.post(self.base_url + path, data=data, allow_redirects=follow) as response:
            return await self._page(response)

    async def sign_in(self, name: str = ADMIN, password: str = ADMIN_PASSWORD, next_path: str = "/artifacts") -> Page:
        """Fill in the sign-in form."""
        form = await self.get(f"/sign-in?next={next_path}")
        self.csrf = form.csrf()
        return await self.post("/sign-in", {"name": name, "password": password, "next": next_path})

    async def _page(self, response: aiohttp.ClientResponse) -> Page:
        page = Page(response.status, str(response.url), await response.text(), response.headers)
        found = CSRF.search(page.text)
        if found and found.group(1):
            self.csrf = found.group(1)
        return page


def browser_session() -> aiohttp.ClientSession:
    """A client session keeping cookies of 127.0.0.1 (an IP address, which the default jar refuses)."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
