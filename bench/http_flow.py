"""How users get a session cookie: the guest join form, and the password sign-in form, over real HTTP.

Each flow is what a browser does: GET the form (the CSRF cookie and the token in the page), POST it with the token,
the cookie, an Origin and a Referer, and keep the `sessionid` cookie of the redirect. Cookies are kept per user by
hand, so one aiohttp session can carry thousands of users.
"""

import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie

import aiohttp

TOKEN_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class FlowError(Exception):
    pass


@dataclass
class Browser:
    """The cookies of one user."""

    cookies: dict[str, str]
    name: str = ""

    def header(self) -> str:
        return "; ".join(f"{key}={value}" for key, value in self.cookies.items())

    def take(self, response: aiohttp.ClientResponse) -> None:
        for header in response.headers.getall("Set-Cookie", []):
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value


async def _get_form(http: aiohttp.ClientSession, base: str, path: str, browser: Browser) -> str:
    async with http.get(base + path, headers={"Cookie": browser.header()}, allow_redirects=False) as response:
        body = await response.text()
        browser.take(response)
        if response.status != 200:
            raise FlowError(f"GET {path} answered {response.status}")
    match = TOKEN_FIELD.search(body)
    if match is None:
        raise FlowError(f"GET {path} has no CSRF token in the form")
    return match.group(1)


async def _post_form(http: aiohttp.ClientSession, base: str, path: str, browser: Browser, data: dict) -> None:
    headers = {"Cookie": browser.header(), "Origin": base, "Referer": base + path}
    async with http.post(base + path, data=data, headers=headers, allow_redirects=False) as response:
        await response.read()
        browser.take(response)
        if response.status != 302 or "sessionid" not in browser.cookies:
            raise FlowError(f"POST {path} answered {response.status} without signing in")


async def guest_join(http: aiohttp.ClientSession, base: str, *, code: str, display_name: str) -> Browser:
    """GET /join/?code=CODE, then POST the guest form: a new guest student, signed in."""
    browser = Browser(cookies={}, name=display_name)
    token = await _get_form(http, base, f"/join/?code={code}", browser)
    await _post_form(
        http,
        base,
        "/join/",
        browser,
        {"csrfmiddlewaretoken": token, "code": code, "display_name": display_name},
    )
    return browser


async def password_sign_in(http: aiohttp.ClientSession, base: str, *, username: str, password: str) -> Browser:
    """GET /accounts/login/, then POST username and password (the server checks a PBKDF2 hash)."""
    browser = Browser(cookies={}, name=username)
    token = await _get_form(http, base, "/accounts/login/", browser)
    await _post_form(
        http,
        base,
        "/accounts/login/",
        browser,
        {"csrfmiddlewaretoken": token, "username": username, "password": password},
    )
    return browser


async def timed(coroutine) -> tuple[object, float]:
    started = time.perf_counter()
    result = await coroutine
    return result, time.perf_counter() - started
