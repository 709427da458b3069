"""`portal serve`: a real gunicorn on loopback serving the site and the API."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from portal_testing import run_portal, serving, write_page


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from portal_testing import PortalPaths, small_content

    paths = PortalPaths.under(tmp_path_factory.mktemp("serve"))
    small_content(paths.content, community=3)
    assert run_portal("build", env=paths.environ()).returncode == 0
    with serving(paths.environ()) as base:
        yield paths, base


def test_front_door_and_language_sites(server):
    _, base = server
    status, headers, body = get(f"{base}/")
    assert status == 200 and b'href="km/"' in body
    status, headers, body = get(f"{base}/km/faq/warranty/")
    assert status == 200 and b'<html lang="km"' in body
    assert headers["Content-Type"].startswith("text/html")


def test_directory_without_slash_redirects(server):
    _, base = server
    request = urllib.request.Request(f"{base}/hi/faq/warranty", method="GET")
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(request, timeout=10)
    assert caught.value.code in (301, 302)
    caught.value.close()
    location = urllib.parse.urljoin(request.full_url, caught.value.headers["Location"])
    assert location == f"{base}/hi/faq/warranty/"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_unknown_page_gets_the_languages_404(server):
    _, base = server
    status, _, body = get(f"{base}/ru/no-such-page/")
    assert status == 404 and b'<html lang="ru"' in body
    status, _, body = get(f"{base}/nowhere")
    assert status == 404 and b'<html lang="en"' in body


def test_api_health_and_problem_documents(server):
    _, base = server
    status, headers, body = get(f"{base}/api/health")
    assert status == 200 and json.loads(body)["status"] == "ok"
    status, headers, body = get(f"{base}/api/no-such-thing")
    assert status == 404
    assert headers["Content-Type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == 404 and problem["title"] == "Not Found"
    assert "check the link" in problem["detail"]


def test_new_build_is_served_without_restart(server):
    paths, base = server
    write_page(paths.content, "en", "faq/warranty.md", title="Warranty, rewritten")
    before = json.loads(get(f"{base}/api/health")[2])["site_build"]
    assert run_portal("build", env=paths.environ()).returncode == 0
    status, _, body = get(f"{base}/en/faq/warranty/")
    assert status == 200 and b"Warranty, rewritten" in body
    assert json.loads(get(f"{base}/api/health")[2])["site_build"] != before
